/** Entry point: query cache, routes, and the shell that frames every page. */
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { AppShell } from "./components/AppShell.tsx";
import { Generate } from "./pages/Generate.tsx";
import { IncidentDetail } from "./pages/IncidentDetail.tsx";
import { IncidentQueue } from "./pages/IncidentQueue.tsx";
import { NotFound } from "./pages/NotFound.tsx";
import { Overview } from "./pages/Overview.tsx";
import { queryClient } from "./trpc.ts";
import "./styles.css";

const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      { index: true, element: <IncidentQueue /> },
      { path: "incidents/:id", element: <IncidentDetail /> },
      { path: "generate", element: <Generate /> },
      { path: "overview", element: <Overview /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
