/**
 * One alert opened in full: its fields, Alertmanager labels and annotations, and the links it carries (runbook,
 * generator, source), redacted by the LLM prompt's rules when the reader is a viewer.
 */
import { alerts, type DbOrTx } from "@teleops/db";
import type { AlertDetail, AlertLink } from "@teleops/schema";
import { and, eq } from "drizzle-orm";
import { NotFoundError } from "../errors.ts";
import { toAlert } from "../incidents/queries.ts";
import { createRedactor, type JsonValue } from "../redaction/index.ts";

/** An absolute `http:` or `https:` URL, else null: `javascript:`, `data:` and relative links are never linked. */
export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 2_048) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}

function stringRecord(value: unknown): Record<string, string> | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined && item !== null) out[key] = typeof item === "string" ? item : JSON.stringify(item);
  }
  return out;
}

/** Where links hide in what sources send: Alertmanager's fields, its annotations, and common payload keys. */
const LINK_FIELDS: ReadonlyArray<{
  kind: AlertLink["kind"];
  field: string;
  read: (
    raw: Record<string, unknown>,
    tags: Record<string, string>,
    annotations: Record<string, string> | null,
  ) => unknown;
}> = [
  { kind: "runbook", field: "annotations.runbook_url", read: (_r, _t, a) => a?.runbook_url },
  { kind: "runbook", field: "annotations.runbook", read: (_r, _t, a) => a?.runbook },
  { kind: "runbook", field: "tags.runbook_url", read: (_r, t) => t.runbook_url },
  { kind: "runbook", field: "runbook_url", read: (r) => r.runbook_url },
  { kind: "generator", field: "generatorURL", read: (r) => r.generatorURL },
  { kind: "alertmanager", field: "externalURL", read: (r) => r.externalURL },
  { kind: "source", field: "annotations.dashboard", read: (_r, _t, a) => a?.dashboard },
  { kind: "source", field: "url", read: (r) => r.url },
  { kind: "source", field: "link", read: (r) => r.link },
  { kind: "source", field: "source_url", read: (r) => r.source_url },
  { kind: "source", field: "sourceURL", read: (r) => r.sourceURL },
];

export function alertLinks(
  rawPayload: Record<string, unknown>,
  tags: Record<string, string>,
  annotations: Record<string, string> | null,
): AlertLink[] {
  const seen = new Set<string>();
  const links: AlertLink[] = [];
  for (const { kind, field, read } of LINK_FIELDS) {
    const url = safeHttpUrl(read(rawPayload, tags, annotations));
    if (url === null || seen.has(url)) continue;
    seen.add(url);
    links.push({ kind, field, url });
  }
  return links;
}

export interface AlertDetailOptions {
  /** Redact as LLM prompts are (viewers): values in text become tokens, credentials `<secret>`. */
  redact: boolean;
}

export async function getAlertDetail(
  db: DbOrTx,
  tenantId: string,
  id: number,
  options: AlertDetailOptions,
): Promise<AlertDetail> {
  const [row] = await db
    .select()
    .from(alerts)
    .where(and(eq(alerts.tenantId, tenantId), eq(alerts.id, id)))
    .limit(1);
  if (!row) throw new NotFoundError(`alert ${id} not found`);
  const alert = toAlert(row);
  const labels = stringRecord(row.rawPayload.labels);
  const annotations = stringRecord(row.rawPayload.annotations);
  const links = alertLinks(row.rawPayload, row.tags, annotations);
  const detail: AlertDetail = {
    alert: { ...alert, silenced_by: row.silencedBy },
    received_at: row.receivedAt.toISOString(),
    ends_at: row.endsAt?.toISOString() ?? null,
    correlated_at: row.correlatedAt?.toISOString() ?? null,
    labels,
    annotations,
    links,
    redacted: false,
  };
  return options.redact ? redactDetail(detail, tenantId) : detail;
}

/** One redactor over the whole alert, so the same address reads as the same token everywhere in the drawer. */
function redactDetail(detail: AlertDetail, tenantId: string): AlertDetail {
  const redactor = createRedactor({ tenants: [tenantId] });
  const record = (value: Record<string, string> | null) =>
    value === null ? null : asStrings(redactor.redactValue(value));
  const { alert } = detail;
  return {
    ...detail,
    alert: {
      ...alert,
      host: redactor.redactText(alert.host),
      message: redactor.redactText(alert.message),
      tags: asStrings(redactor.redactValue(alert.tags)),
      raw_payload: asObject(redactor.redactValue(alert.raw_payload)),
      correlation_reason: alert.correlation_reason
        ? redactor.redactText(alert.correlation_reason)
        : alert.correlation_reason,
    },
    labels: record(detail.labels),
    annotations: record(detail.annotations),
    // A link that holds a sensitive value (an address in its host or query) is withheld rather than broken.
    links: detail.links.filter((link) => redactor.redactText(link.url) === link.url),
    redacted: true,
  };
}

function asObject(value: JsonValue): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

function asStrings(value: JsonValue): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asObject(value)).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}
