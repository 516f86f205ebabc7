/** Entry point: query cache, routes, and the shell that frames every page. */
import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, type ReactNode, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";
import { AppShell } from "./components/AppShell.tsx";
import { SessionGate } from "./components/SessionGate.tsx";
import { IncidentDetail } from "./pages/IncidentDetail.tsx";
import { IncidentQueue } from "./pages/IncidentQueue.tsx";
import { NotFound } from "./pages/NotFound.tsx";
import { queryClient } from "./trpc.ts";
import "./styles.css";

// Every page but the queue and an incident's loads on first visit, keeping the initial bundle within its budget
// (a shift opens on the queue; the other pages' code, charts and form validation come when they are opened).
const DeviceAlerts = lazy(() => import("./pages/DeviceAlerts.tsx"));
const Runbook = lazy(() => import("./pages/Runbook.tsx"));
const Silences = lazy(() => import("./pages/Silences.tsx"));
const Audit = lazy(() => import("./pages/Audit.tsx").then((m) => ({ default: m.Audit })));
const Evaluation = lazy(() => import("./pages/Evaluation.tsx").then((m) => ({ default: m.Evaluation })));
const Generate = lazy(() => import("./pages/Generate.tsx").then((m) => ({ default: m.Generate })));
const Import = lazy(() => import("./pages/Import.tsx").then((m) => ({ default: m.Import })));
const Integrations = lazy(() => import("./pages/Integrations.tsx").then((m) => ({ default: m.Integrations })));
const LlmTrace = lazy(() => import("./pages/LlmTrace.tsx").then((m) => ({ default: m.LlmTrace })));
const Observability = lazy(() => import("./pages/Observability.tsx").then((m) => ({ default: m.Observability })));

/** A lazily loaded page, with nothing shown for the moment its code takes to arrive. */
function later(page: ReactNode) {
  return <Suspense fallback={null}>{page}</Suspense>;
}

const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      { index: true, element: <IncidentQueue /> },
      { path: "incidents/:id", element: <IncidentDetail /> },
      { path: "lab", element: later(<Generate />) },
      { path: "generate", element: <Navigate to="/lab" replace /> },
      { path: "observability", element: later(<Observability />) },
      // The page was called Overview before it grew charts; old bookmarks still land on it.
      { path: "overview", element: <Navigate to="/observability" replace /> },
      { path: "audit", element: later(<Audit />) },
      { path: "integrations", element: later(<Integrations />) },
      { path: "import", element: later(<Import />) },
      { path: "evaluation", element: later(<Evaluation />) },
      { path: "rca/:artifactId/trace", element: later(<LlmTrace />) },
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
