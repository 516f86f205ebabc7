/**
 * Plain HTTP adapter for `/webhooks/*`: verify, validate, then call the same domain verbs the API uses. Every
 * delivery to a known route is recorded as an integration event, whatever its outcome.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  IngestBusyError,
  type IntegrationEventDraft,
  newIntegrationEventId,
  recordIntegrationEvent,
} from "@teleops/core";
import { isDatabaseUnavailable, whileDatabaseAnswers } from "@teleops/db";
import { alertmanagerRoute } from "./alertmanager.ts";
import { alertsRoute } from "./alerts.ts";
import { HttpError, isJsonContentType, parseJson, readBody, sendJson } from "./body.ts";
import { checkSource } from "./credentials.ts";
import { type DeliveryResult, recordedHeaders, type WebhookDeps, type WebhookRoute } from "./delivery.ts";
import { assertJsonDepth, assertSafeJson } from "./hygiene.ts";
import { jiraRoute } from "./jira.ts";
import { servicenowRoute } from "./servicenow.ts";

export type { WebhookDeps } from "./delivery.ts";

const ROUTES: ReadonlyMap<string, WebhookRoute> = new Map([
  ["/webhooks/alerts", alertsRoute],
  ["/webhooks/alertmanager", alertmanagerRoute],
  ["/webhooks/jira", jiraRoute],
  ["/webhooks/servicenow", servicenowRoute],
]);

/** Rejected bodies are kept for debugging up to this size; the rest is cut. */
const REJECTED_PAYLOAD_CHARS = 64 * 1024;
/** Accepted bodies carrying alerts are kept whole up to this size (see `keptPayload`). */
const KEPT_PAYLOAD_BYTES = 64 * 1024;

export function createWebhookHandler(deps: WebhookDeps) {
  // A flood of unauthenticated requests must not flood the log either: one line per route and status a minute.
  const refusalLog = createLogThrottle(60_000);
  return async function handleWebhook(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = ROUTES.get(path);
    if (!route) {
      sendJson(res, 404, { error: `no webhook route ${path}`, issues: [] });
      return;
    }
    const eventId = newIntegrationEventId();
    // Set once the sender has passed the credential checks (for Jira, the signature over the body): only then is a
    // refusal recorded, and under the credential's tenant. Unauthenticated refusals are counted, never stored.
    let sender: Sender | undefined;
    try {
      if (req.method !== "POST") throw new HttpError(405, "use POST");
      checkSource(req, deps.allowedSources);
      const tenantId = route.authorize(req, deps);
      if (!route.verify) sender = { tenantId };
      if (!isJsonContentType(req.headers["content-type"])) {
        throw new HttpError(415, "send the body as application/json");
      }
      const raw = await readBody(req);
      route.verify?.(req, raw, deps);
      sender = { tenantId, raw };
      assertJsonDepth(raw);
      const body = parseJson(raw);
      sender.body = body;
      assertSafeJson(body);
      const eventFor = (result: DeliveryResult) => acceptedEvent(route, req, eventId, result, keptPayload(body, raw));
      const result = await untilDatabaseStops(deps, route.handle({ tenantId, req, raw, body, eventFor }, deps));
      if (!result.recorded) await record(deps, eventFor(result));
      if (result.alertsStored !== undefined) deps.onAccepted?.(path, result.alertsStored);
      deps.logger.info(
        {
          route: path,
          outcome: result.outcome,
          accepted: result.accepted,
          duplicates: result.duplicates,
          // Alerts a silence held: stored, kept out of incidents.
          ...(typeof result.answer?.silenced === "number" && result.answer.silenced > 0
            ? { silenced: result.answer.silenced }
            : {}),
          event_id: eventId,
        },
        "webhook delivery",
      );
      sendJson(res, 202, {
        accepted: result.accepted,
        duplicates: result.duplicates,
        event_id: eventId,
        ...result.answer,
      });
    } catch (error) {
      const databaseDown =
        !(error instanceof HttpError || error instanceof IngestBusyError) && isDatabaseUnavailable(error);
      const failure =
        error instanceof HttpError
          ? error
          : error instanceof IngestBusyError
            ? new HttpError(503, "ingest is saturated; the delivery was not acknowledged, retry later")
            : databaseDown
              ? new HttpError(503, "the database is unreachable; the delivery was not acknowledged, retry later")
              : new HttpError(500, "internal error; the delivery was not acknowledged, retry later");
      deps.onRefused?.(path, failure.status, sender !== undefined);
      if (!(error instanceof HttpError)) deps.logger.error({ err: error, route: path }, "webhook failed");
      else if (sender || refusalLog.take(`${path} ${failure.status}`)) {
        deps.logger.warn(
          { route: path, status: failure.status, reason: failure.logged, authenticated: sender !== undefined },
          "webhook rejected",
        );
      }
      if (sender) {
        // With the database unreachable the record would fail too, only later: the 503 goes out at once.
        const recorded =
          !databaseDown &&
          (await untilDatabaseStops(deps, recordRejection(deps, route, req, eventId, failure, sender)).catch(
            () => false,
          ));
        if (!recorded) deps.onRefusalUnrecorded?.(path);
      }
      const headers: Record<string, string> = {};
      if (failure.status === 401) headers["www-authenticate"] = route.challenge;
      if (failure.status === 405) headers.allow = "POST";
      if (failure.status === 503) headers["retry-after"] = "5";
      sendJson(
        res,
        failure.status,
        { error: failure.message, issues: failure.issues, ...(sender ? { event_id: eventId } : {}) },
        headers,
      );
    }
  };
}

/** The database work of a delivery, given up with a 503 when PostgreSQL stops answering (`databaseDeadline`). */
function untilDatabaseStops<T>(deps: WebhookDeps, work: Promise<T>): Promise<T> {
  const deadline = deps.databaseDeadline;
  return deadline ? whileDatabaseAnswers(work, deadline.ready, deadline.timeoutMs) : work;
}

/** A sender that passed the credential checks: its tenant, and as much of its delivery as was read. */
interface Sender {
  tenantId: string;
  raw?: Buffer;
  body?: unknown;
}

/**
 * What an accepted delivery's event keeps of its body: the whole body up to 64 KiB; past that, a body that
 * carries alerts keeps everything but the alert list (the alerts are stored as alert rows, each with its raw
 * payload) plus the body's size and SHA-256, so a large batch is not stored twice.
 */
export function keptPayload(body: unknown, raw: Buffer): unknown {
  if (raw.length <= KEPT_PAYLOAD_BYTES) return body;
  const omitted = (count: number) => ({
    omitted: `${count} alerts, stored as alert rows`,
    bytes: raw.length,
    sha256: createHash("sha256").update(raw).digest("hex"),
  });
  if (Array.isArray(body)) return omitted(body.length);
  if (body && typeof body === "object" && Array.isArray((body as { alerts?: unknown }).alerts)) {
    return { ...body, alerts: omitted((body as { alerts: unknown[] }).alerts.length) };
  }
  return body;
}

function acceptedEvent(
  route: WebhookRoute,
  req: IncomingMessage,
  eventId: string,
  result: DeliveryResult,
  body: unknown,
): IntegrationEventDraft {
  return {
    id: eventId,
    tenantId: result.tenantId,
    source: route.source,
    outcome: result.outcome,
    httpStatus: 202,
    dedupKey: result.dedupKey,
    headers: recordedHeaders(req),
    payload: body,
    summary: { ...result.summary, accepted: result.accepted, duplicates: result.duplicates },
  };
}

async function record(deps: WebhookDeps, event: IntegrationEventDraft): Promise<void> {
  try {
    await recordIntegrationEvent(deps.db, event);
  } catch (error) {
    // The delivery itself is stored; losing its log line must not make the sender retry it.
    deps.logger.error({ err: error, event_id: event.id }, "could not record the integration event");
  }
}

/**
 * Records an authenticated delivery's refusal under its credential's tenant; false when it could not be recorded
 * (the database is down, or refuses the row), which the caller counts. The log line never carries the body.
 */
async function recordRejection(
  deps: WebhookDeps,
  route: WebhookRoute,
  req: IncomingMessage,
  eventId: string,
  failure: HttpError,
  sender: Sender,
): Promise<boolean> {
  let payload: unknown = null;
  if (sender.raw) {
    payload =
      sender.body !== undefined && sender.raw.length <= REJECTED_PAYLOAD_CHARS
        ? sender.body
        : sender.raw.toString("utf8", 0, REJECTED_PAYLOAD_CHARS);
  }
  try {
    await recordIntegrationEvent(deps.db, {
      id: eventId,
      tenantId: sender.tenantId,
      source: route.source,
      outcome: "rejected",
      httpStatus: failure.status,
      headers: recordedHeaders(req),
      payload,
      summary: failure.issues.length > 0 ? { issues: failure.issues.slice(0, 50) } : {},
      error: failure.message,
    });
    return true;
  } catch (error) {
    deps.logger.error({ err: error, event_id: eventId, route: route.source }, "could not record the rejected delivery");
    return false;
  }
}

/** Lets one log line per key through per window; the metrics count every event. */
function createLogThrottle(windowMs: number) {
  const last = new Map<string, number>();
  return {
    take(key: string): boolean {
      const now = Date.now();
      if (now - (last.get(key) ?? Number.NEGATIVE_INFINITY) < windowMs) return false;
      // Keys are route × status: a few dozen at most, so the map never needs pruning.
      last.set(key, now);
      return true;
    },
  };
}
