/** Entry point: query cache, routes, and the shell that frames every page. */
import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";
import { AppShell } from "./components/AppShell.tsx";
import { SessionGate } from "./components/SessionGate.tsx";
import { Audit } from "./pages/Audit.tsx";
import { Evaluation } from "./pages/Evaluation.tsx";
import { Generate } from "./pages/Generate.tsx";
import { Import } from "./pages/Import.tsx";
import { IncidentDetail } from "./pages/IncidentDetail.tsx";
import { IncidentQueue } from "./pages/IncidentQueue.tsx";
import { Integrations } from "./pages/Integrations.tsx";
import { LlmTrace } from "./pages/LlmTrace.tsx";
import { NotFound } from "./pages/NotFound.tsx";
import { Observability } from "./pages/Observability.tsx";
import { queryClient } from "./trpc.ts";
import "./styles.css";

// Pages reached from a drawer or a citation load on first visit, keeping the initial bundle within its budget.
const DeviceAlerts = lazy(() => import("./pages/DeviceAlerts.tsx"));
const Runbook = lazy(() => import("./pages/Runbook.tsx"));
const Silences = lazy(() => import("./pages/Silences.tsx"));

const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      { index: true, element: <IncidentQueue /> },
      { path: "incidents/:id", element: <IncidentDetail /> },
      { path: "lab", element: <Generate /> },
      { path: "generate", element: <Navigate to="/lab" replace /> },
      { path: "observability", element: <Observability /> },
      // The page was called Overview before it grew charts; old bookmarks still land on it.
      { path: "overview", element: <Navigate to="/observability" replace /> },
      { path: "audit", element: <Audit /> },
      { path: "integrations", element: <Integrations /> },
      { path: "import", element: <Import /> },
      { path: "evaluation", element: <Evaluation /> },
      { path: "rca/:artifactId/trace", element: <LlmTrace /> },
      {
        path: "alerts",
        element: (
          <Suspense fallback={null}>
            <DeviceAlerts />
          </Suspense>
        ),
      },
      // `/silences/new?match=host%3Dcore-rtr-01&match=…` opens the form with those matchers (see lib/silenceLinks.ts).
      ...["silences", "silences/new"].map((path) => ({
        path,
        element: (
          <Suspense fallback={null}>
            <Silences />
          </Suspense>
        ),
      })),
      {
        path: "runbooks/:runbook/:section",
        element: (
          <Suspense fallback={null}>
            <Runbook />
          </Suspense>
        ),
      },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionGate>
        <RouterProvider router={router} />
      </SessionGate>
    </QueryClientProvider>
  </StrictMode>,
);
