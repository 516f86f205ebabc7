/** The application router: one sub-router per domain. */
import { adminRouter } from "./routers/admin.ts";
import { alertsRouter } from "./routers/alerts.ts";
import { auditRouter } from "./routers/audit.ts";
import { correlationRouter } from "./routers/correlation.ts";
import { evaluationRouter } from "./routers/evaluation.ts";
import { eventsRouter } from "./routers/events.ts";
import { importsRouter } from "./routers/imports.ts";
import { incidentsRouter } from "./routers/incidents.ts";
import { integrationsRouter } from "./routers/integrations.ts";
import { metricsRouter } from "./routers/metrics.ts";
import { notificationsRouter } from "./routers/notifications.ts";
import { rcaRouter } from "./routers/rca.ts";
import { retentionRouter } from "./routers/retention.ts";
import { scenariosRouter } from "./routers/scenarios.ts";
import { sessionRouter } from "./routers/session.ts";
import { silencesRouter } from "./routers/silences.ts";
import { topologyRouter } from "./routers/topology.ts";
import { usersRouter } from "./routers/users.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  scenarios: scenariosRouter,
  alerts: alertsRouter,
  incidents: incidentsRouter,
  metrics: metricsRouter,
  admin: adminRouter,
  retention: retentionRouter,
  events: eventsRouter,
  rca: rcaRouter,
  audit: auditRouter,
  integrations: integrationsRouter,
  imports: importsRouter,
  evaluation: evaluationRouter,
  correlation: correlationRouter,
  session: sessionRouter,
  topology: topologyRouter,
  users: usersRouter,
  silences: silencesRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
