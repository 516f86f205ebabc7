/** The application router: one sub-router per domain. */
import { adminRouter } from "./routers/admin.ts";
import { alertsRouter } from "./routers/alerts.ts";
import { eventsRouter } from "./routers/events.ts";
import { incidentsRouter } from "./routers/incidents.ts";
import { metricsRouter } from "./routers/metrics.ts";
import { scenariosRouter } from "./routers/scenarios.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  scenarios: scenariosRouter,
  alerts: alertsRouter,
  incidents: incidentsRouter,
  metrics: metricsRouter,
  admin: adminRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
