/** Request context: the database, who is asking (actor and tenant), and the shared services. */
import type {
  CorrelationConfig,
  CorrelationOutcome,
  DeliveryToStore,
  LlmEngine,
  RetentionReport,
  RunbookIndex,
  SmtpSettings,
  StoredDelivery,
  TenantTopologies,
  TicketSystemClients,
} from "@teleops/core";
import type { ChangeFeed, Database } from "@teleops/db";
import { type AuthMode, type Topology, USER_ROLES, type UserSummary } from "@teleops/schema";

export const ROLES = USER_ROLES;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export interface Actor {
  name: string;
  role: Role;
  tenantId: string;
}

/** Long-lived services built once at start-up and shared by every request. */
export interface AppServices {
  /** The demo topology the scenario generator and synthetic evaluation draw devices from (not a tenant's). */
  topology: Topology;
  /** Each tenant's stored topology, cached; correlation, RCA and the incident page read it. */
  topologies: TenantTopologies;
  correlation: CorrelationConfig;
  /** Runbook sections indexed for retrieval; unset means the shipped corpus, indexed on first use. */
  runbooks?: RunbookIndex;
  /** Labelled streams `correlation.evaluate` scores; unset means the shipped fixtures/correlation. */
  correlationCorpusDir?: string;
  /** The LLM RCA engine; unset means not configured. */
  llm?: LlmEngine;
  /** Called after alerts are stored or incidents change, e.g. to notify live views. */
  onChange?: (event: { tenantId: string; kind: "alerts" | "incidents" }) => void;
  /**
   * Correlates a tenant's pending alerts through the process-wide scheduler, which folds concurrent requests
   * into shared passes. Unset: callers run `correlatePending` directly.
   */
  correlate?: (tenantId: string) => Promise<CorrelationOutcome>;
  /**
   * Stores a delivery's alerts already correlated, with its integration event, through the process-wide group
   * commit (`IngestBatcher`). Unset: each delivery is written in its own transaction.
   */
  storeDelivery?: (tenantId: string, delivery: DeliveryToStore) => Promise<StoredDelivery>;
  /** Where live views listen for those changes (LISTEN/NOTIFY on PostgreSQL, in-process on PGlite). */
  changes?: ChangeFeed;
  /**
   * The lab: scenario generation and reset of a tenant's data, for demos and drills. Unset means on (tests, the
   * development server); the server turns it off in production unless `TELEOPS_LAB=1`.
   */
  lab?: boolean;
  /** Structured log of what procedures did that an operator must be able to trace (a reset and its counts). */
  log?: (fields: Record<string, unknown>, message: string) => void;
  /** Clients of the real ServiceNow and Jira; a system without one gets tickets in the built-in mock store. */
  ticketSystems?: TicketSystemClients;
  /** The SPA's address as users reach it (`TELEOPS_PUBLIC_URL`), for links back from tickets; unset = none. */
  publicUrl?: string;
  /**
   * Applies the retention policy now (`TELEOPS_RETENTION_DAYS`, `TELEOPS_EVENTS_RETENTION_DAYS`) under its lock;
   * the server always sets it; unset (a bare test context), `retention.run` answers PRECONDITION_FAILED.
   */
  retention?: { run(): Promise<RetentionReport> };
  /** Outbound notifications: the SMTP relay email channels send through; unset = email not configured. */
  notifications?: { smtp?: SmtpSettings | undefined };
  /** How requests are authenticated and who the users file names (never tokens); unset means local admin. */
  identity?: { mode: AuthMode; users(): UserSummary[] };
  /**
   * With a read replica: resolves once the replica shows what the primary had committed by `since` (a
   * `performance.now()` time), or after a bounded wait. Live updates wait for it so the refetch they cause sees
   * the change. Unset (no replica): nothing to wait for.
   */
  readsCaughtUp?: (since: number) => Promise<void>;
}

export interface Context {
  /** The primary: every write, and every read that must see what was just written. */
  db: Database;
  /**
   * Reads that may lag by the replica's delay: the queue, search, incident detail and dashboards. The read
   * replica (`DATABASE_READ_URL`) while it serves; unset means `db` (procedures always see it set).
   */
  readDb?: Database;
  services: AppServices;
  /** Null when the request carries no valid credentials. */
  actor: Actor | null;
}

/** The part of the context tests and `createCaller` build directly; adapters add only the actor lookup. */
export function createContextInner(input: Context): Context {
  return input;
}
