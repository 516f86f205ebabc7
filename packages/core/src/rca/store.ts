/**
 * RCA artifacts: runs an engine on one incident, stores what it produced (or how it failed), and records the
 * human review of it in the incident and the audit trail.
 */
import { type DbOrTx, incidents, type RcaArtifactRow, rcaArtifacts } from "@teleops/db";
import type {
  Alert,
  Hypothesis,
  LlmTrace,
  NetworkTopology,
  RcaArtifact,
  RcaEngine,
  RcaStatus,
  ReviewDecision,
  RunbookChunkRef,
} from "@teleops/schema";
import { and, desc, eq, isNull } from "drizzle-orm";
import { appendAudit } from "../audit/events.ts";
import { ConflictError, NotFoundError, PreconditionError, UpstreamError } from "../errors.ts";
import { getIncident, incidentAlerts } from "../incidents/queries.ts";
import { createRedactor } from "../redaction/index.ts";
import { rankRootCauses } from "./baseline/index.ts";
import { type LlmEngine, LlmNotConfiguredError, LlmRunError, redactHypothesis, redactTrace } from "./llm/index.ts";
import type { RunbookIndex } from "./retrieval.ts";

export const LLM_NOT_CONFIGURED = "LLM engine not configured: set LLM_BASE_URL and LLM_MODEL";

/** What the engines need, built once at start-up. */
export interface RcaServices {
  runbooks: RunbookIndex;
  llm?: LlmEngine | undefined;
  topology?: NetworkTopology | undefined;
}

export interface RunRcaParams {
  tenantId: string;
  /** The requesting user's name, stored as the artifact's creator. */
  actor: string;
  incidentId: string;
  engine: RcaEngine;
  services: RcaServices;
}

export function toRcaArtifact(row: RcaArtifactRow): RcaArtifact {
  return {
    id: row.id,
    incident_id: row.incidentId,
    engine: row.engine,
    model: row.model,
    status: row.status,
    // Written by this module from validated engine output.
    hypotheses: row.hypotheses as Hypothesis[],
    retrieval: row.retrieval as RunbookChunkRef[],
    duration_ms: row.durationMs,
    error: row.error,
    trace: row.trace as LlmTrace | null,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    reviewer: row.reviewer,
    review_notes: row.reviewNotes,
    reviewed_at: row.reviewedAt?.toISOString() ?? null,
  };
}

interface NewArtifact {
  engine: RcaEngine;
  model: string | null;
  status: RcaStatus;
  hypotheses: Hypothesis[];
  retrieval: RunbookChunkRef[];
  durationMs: number;
  error: string | null;
  trace: LlmTrace | null;
}

/**
 * An LLM's output is untrusted text: it is redacted again as it is stored, whichever engine produced it, so a
 * value the model echoes or invents never reaches the artifact, its trace or its error.
 */
function redactModelOutput(artifact: NewArtifact, tenantId: string): NewArtifact {
  const redactor = createRedactor({ tenants: [tenantId] });
  return {
    ...artifact,
    hypotheses: artifact.hypotheses.map((h) => redactHypothesis(h, redactor)),
    error: artifact.error === null ? null : redactor.redactText(artifact.error),
    trace: artifact.trace === null ? null : redactTrace(artifact.trace, redactor),
  };
}

async function storeArtifact(db: DbOrTx, params: RunRcaParams, given: NewArtifact): Promise<RcaArtifact> {
  const artifact = given.engine === "llm" ? redactModelOutput(given, params.tenantId) : given;
  const [row] = await db
    .insert(rcaArtifacts)
    .values({
      id: crypto.randomUUID(),
      tenantId: params.tenantId,
      incidentId: params.incidentId,
      engine: artifact.engine,
      model: artifact.model,
      status: artifact.status,
      hypotheses: artifact.hypotheses,
      retrieval: artifact.retrieval,
      durationMs: Math.round(artifact.durationMs),
      error: artifact.error,
      trace: artifact.trace,
      createdBy: params.actor,
    })
    .returning();
  if (!row) throw new Error("rca artifact insert returned no row");
  return toRcaArtifact(row);
}

/**
 * Runs one engine on one incident of the tenant and stores the artifact for review. An LLM failure is stored
 * as a `failed` artifact with its trace and then thrown, so the caller never mistakes it for a result.
 */
export async function runRca(db: DbOrTx, params: RunRcaParams): Promise<RcaArtifact> {
  const { tenantId, incidentId, services } = params;
  const incident = await getIncident(db, tenantId, incidentId);
  if (params.engine === "llm" && !services.llm?.configured) throw new PreconditionError(LLM_NOT_CONFIGURED);
  const alerts = await incidentAlerts(db, tenantId, incidentId);
  const input = { incidentId, summary: incident.title, alerts };

  const started = performance.now();
  const baseline = rankRootCauses(input, { runbooks: services.runbooks, topology: services.topology });
  if (params.engine === "baseline") {
    return storeArtifact(db, params, {
      engine: "baseline",
      model: null,
      status: "pending_review",
      hypotheses: baseline.hypotheses,
      retrieval: baseline.retrieval,
      durationMs: performance.now() - started,
      error: null,
      trace: null,
    });
  }

  const llm = services.llm;
  if (!llm) throw new PreconditionError(LLM_NOT_CONFIGURED);
  // The LLM sees the same retrieved sections the baseline cites, with their full text.
  const chunks = baseline.retrieval.flatMap((ref) => {
    const chunk = services.runbooks.byId(ref.id);
    return chunk ? [{ id: chunk.id, file: chunk.file, heading: chunk.heading, text: chunk.text }] : [];
  });
  try {
    const answer = await llm.run({
      incidentId,
      summary: incident.title,
      alerts,
      baseline: baseline.hypotheses,
      chunks,
      topologyRoles: topologyRoles(services.topology, alerts),
    });
    return await storeArtifact(db, params, {
      engine: "llm",
      model: answer.model,
      status: "pending_review",
      hypotheses: answer.hypotheses,
      retrieval: baseline.retrieval,
      durationMs: performance.now() - started,
      error: null,
      trace: answer.trace,
    });
  } catch (error) {
    if (error instanceof LlmNotConfiguredError) throw new PreconditionError(LLM_NOT_CONFIGURED);
    if (!(error instanceof LlmRunError)) throw error;
    const failed = await storeArtifact(db, params, {
      engine: "llm",
      model: llm.describe().model,
      status: "failed",
      hypotheses: [],
      retrieval: baseline.retrieval,
      durationMs: performance.now() - started,
      error: error.message,
      trace: error.trace,
    });
    throw new UpstreamError(`LLM engine failed: ${failed.error} (trace kept in artifact ${failed.id})`);
  }
}

/** Role of each alerting host the topology knows, so the model can tell a core router from a DNS server. */
function topologyRoles(topology: NetworkTopology | undefined, alerts: Alert[]): Record<string, string> | undefined {
  if (!topology) return undefined;
  const hosts = new Set(alerts.map((alert) => alert.host));
  const roles: Record<string, string> = {};
  for (const device of topology.devices) if (device.role && hosts.has(device.name)) roles[device.name] = device.role;
  return roles;
}

/** The incident's artifacts, newest first. */
export async function listRca(db: DbOrTx, tenantId: string, incidentId: string): Promise<RcaArtifact[]> {
  await getIncident(db, tenantId, incidentId);
  const rows = await db
    .select()
    .from(rcaArtifacts)
    .where(and(eq(rcaArtifacts.tenantId, tenantId), eq(rcaArtifacts.incidentId, incidentId)))
    .orderBy(desc(rcaArtifacts.createdAt), desc(rcaArtifacts.id));
  return rows.map(toRcaArtifact);
}

export interface LatestRcaParams {
  incidentId: string;
  engine?: RcaEngine | undefined;
  status?: RcaStatus | undefined;
}

/** The newest artifact of the incident, optionally of one engine and status; null when there is none. */
export async function latestRca(db: DbOrTx, tenantId: string, params: LatestRcaParams): Promise<RcaArtifact | null> {
  await getIncident(db, tenantId, params.incidentId);
  const where = [eq(rcaArtifacts.tenantId, tenantId), eq(rcaArtifacts.incidentId, params.incidentId)];
  if (params.engine) where.push(eq(rcaArtifacts.engine, params.engine));
  if (params.status) where.push(eq(rcaArtifacts.status, params.status));
  const [row] = await db
    .select()
    .from(rcaArtifacts)
    .where(and(...where))
    .orderBy(desc(rcaArtifacts.createdAt), desc(rcaArtifacts.id))
    .limit(1);
  return row ? toRcaArtifact(row) : null;
}

export async function getRca(db: DbOrTx, tenantId: string, artifactId: string): Promise<RcaArtifact> {
  const [row] = await db
    .select()
    .from(rcaArtifacts)
    .where(and(eq(rcaArtifacts.tenantId, tenantId), eq(rcaArtifacts.id, artifactId)));
  if (!row) throw new NotFoundError(`RCA artifact ${artifactId} not found`);
  return toRcaArtifact(row);
}

export interface ReviewRcaParams {
  tenantId: string;
  /** The reviewer: the request's actor, never a name the client sends. */
  actor: string;
  artifactId: string;
  decision: ReviewDecision;
  notes: string;
}

/**
 * Records a reviewer's decision on an artifact, once. Accepting sets the incident's suspected category, root
 * cause and component from the top hypothesis. The review and its audit event commit together.
 */
export async function reviewRca(db: DbOrTx, params: ReviewRcaParams): Promise<RcaArtifact> {
  const { tenantId, artifactId, decision } = params;
  return db.transaction(async (tx) => {
    const current = await getRca(tx, tenantId, artifactId);
    if (current.reviewed_at !== null) {
      throw new ConflictError(
        `RCA artifact ${artifactId} was already ${current.status} by ${current.reviewer} at ${current.reviewed_at}`,
      );
    }
    const top = current.hypotheses[0];
    if (decision === "accepted" && current.status === "failed") {
      throw new ConflictError(`RCA artifact ${artifactId} is a failed run and cannot be accepted; reject it instead`);
    }
    if (decision === "accepted" && !top) {
      throw new ConflictError(`RCA artifact ${artifactId} has no hypothesis to accept`);
    }
    // The `reviewed_at is null` guard makes a concurrent second review lose instead of overwriting.
    const [row] = await tx
      .update(rcaArtifacts)
      .set({ status: decision, reviewer: params.actor, reviewNotes: params.notes, reviewedAt: new Date() })
      .where(and(eq(rcaArtifacts.tenantId, tenantId), eq(rcaArtifacts.id, artifactId), isNull(rcaArtifacts.reviewedAt)))
      .returning();
    if (!row) throw new ConflictError(`RCA artifact ${artifactId} was reviewed by someone else just now`);
    if (decision === "accepted" && top) {
      await tx
        .update(incidents)
        .set({
          suspectedCategory: top.category,
          suspectedRootCause: top.hypothesis,
          suspectedComponent: top.root_component,
          updatedAt: new Date(),
        })
        .where(and(eq(incidents.tenantId, tenantId), eq(incidents.id, current.incident_id)));
    }
    await appendAudit(tx, {
      tenantId,
      actor: params.actor,
      action: "rca.review",
      entityType: "rca_artifact",
      entityId: artifactId,
      incidentId: current.incident_id,
      details: {
        decision,
        notes: params.notes,
        engine: current.engine,
        model: current.model,
        category: top?.category ?? null,
        root_component: top?.root_component ?? null,
        confidence: top?.confidence ?? null,
      },
    });
    return toRcaArtifact(row);
  });
}
