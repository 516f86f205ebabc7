/** Plain HTTP adapter for `/webhooks/*`: verify, validate, then call the same domain verbs the API uses. */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppServices } from "@teleops/api";
import { correlatePending, ingestAlerts, withFingerprint } from "@teleops/core";
import type { Database } from "@teleops/db";
import { alertBatchInputSchema, alertInputSchema, type CanonicalAlert } from "@teleops/schema";
import type { Logger } from "pino";
import { bearerToken } from "../auth.ts";
import { formatPath, HttpError, isJsonContentType, parseJson, readBody, sendJson } from "./body.ts";

export interface WebhookDeps {
  db: Database;
  services: AppServices;
  logger: Logger;
  /** When set, `/webhooks/alerts` requires it as a bearer token. */
  webhookToken: string | undefined;
  /** In production a route whose credential is not configured is closed. */
  production: boolean;
  onAccepted?: (route: string, accepted: number) => void;
}

const DEFAULT_TENANT = "default";

export function createWebhookHandler(deps: WebhookDeps) {
  return async function handleWebhook(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      if (path !== "/webhooks/alerts") throw new HttpError(404, `no webhook route ${path}`);
      if (req.method !== "POST") throw new HttpError(405, "use POST");
      checkToken(req, deps.webhookToken, deps.production);
      if (!isJsonContentType(req.headers["content-type"])) {
        throw new HttpError(415, "send the body as application/json");
      }
      const body = parseJson(await readBody(req));
      const parsed = Array.isArray(body) ? alertBatchInputSchema.safeParse(body) : alertInputSchema.safeParse(body);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
        throw new HttpError(400, "the alerts do not match the schema; nothing was stored", issues);
      }
      const drafts = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
      const byTenant = new Map<string, CanonicalAlert[]>();
      for (const draft of drafts) {
        const tenant = draft.tenant_id ?? DEFAULT_TENANT;
        const list = byTenant.get(tenant) ?? [];
        list.push(withFingerprint(draft));
        byTenant.set(tenant, list);
      }
      let accepted = 0;
      let duplicates = 0;
      for (const [tenantId, list] of byTenant) {
        const stored = await ingestAlerts(deps.db, tenantId, list);
        accepted += stored.accepted;
        duplicates += stored.duplicates;
        if (stored.accepted > 0) {
          await correlatePending(deps.db, {
            tenantId,
            topology: deps.services.topologyView,
            config: deps.services.correlation,
          });
          deps.services.onChange?.({ tenantId, kind: "alerts" });
        }
      }
      const eventId = randomUUID();
      deps.onAccepted?.(path, accepted);
      deps.logger.info({ route: path, accepted, duplicates, event_id: eventId }, "webhook accepted");
      sendJson(res, 202, { accepted, duplicates, event_id: eventId });
    } catch (error) {
      if (error instanceof HttpError) {
        const headers: Record<string, string> = error.status === 401 ? { "www-authenticate": "Bearer" } : {};
        if (error.status === 405) headers.allow = "POST";
        sendJson(res, error.status, { error: error.message, issues: error.issues }, headers);
        return;
      }
      deps.logger.error({ err: error, route: path }, "webhook failed");
      sendJson(res, 500, { error: "internal error; the delivery was not stored, retry later", issues: [] });
    }
  };
}

function checkToken(req: IncomingMessage, expected: string | undefined, production: boolean): void {
  if (!expected) {
    if (production) throw new HttpError(401, "this webhook is closed: no token is configured");
    return;
  }
  const given = bearerToken(req.headers.authorization);
  if (!given) throw new HttpError(401, "missing bearer token");
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(401, "invalid bearer token");
}
