/**
 * Alertmanager files: the API v2 alert list (`GET /api/v2/alerts`), a webhook envelope (`{"alerts": […]}`), or
 * a list of envelopes. Each alert is mapped by the same `alertmanagerToCanonical` the webhook uses.
 */
import { alertmanagerAlertSchema } from "@teleops/schema";
import { alertmanagerToCanonical } from "../integrations/alertmanager.ts";
import { readJsonElements } from "./jsonElements.ts";
import type { ByteSource } from "./lines.ts";
import { describeIssues, type ImportRecord, validateRecord } from "./validate.ts";

export async function* parseAlertmanager(
  source: ByteSource,
  options: { now?: number } = {},
): AsyncGenerator<ImportRecord> {
  const now = options.now ?? Date.now();
  for await (const element of readJsonElements(source, "alerts")) {
    if ("error" in element) {
      yield element;
      continue;
    }
    const value = element.value;
    if (isObject(value) && Array.isArray(value.alerts)) {
      // An envelope inside a list: its alerts share the envelope's first line.
      const envelope = {
        receiver: typeof value.receiver === "string" ? value.receiver : undefined,
        externalURL: typeof value.externalURL === "string" ? value.externalURL : undefined,
        groupKey: typeof value.groupKey === "string" ? value.groupKey : undefined,
      };
      for (const alert of value.alerts) yield mapAlert(element.line, alert, now, envelope);
    } else {
      yield mapAlert(element.line, value, now);
    }
  }
}

function mapAlert(
  line: number,
  value: unknown,
  now: number,
  envelope?: { receiver?: string | undefined; externalURL?: string | undefined; groupKey?: string | undefined },
): ImportRecord {
  const parsed = alertmanagerAlertSchema.safeParse(value);
  if (!parsed.success) return { line, error: describeIssues(parsed.error.issues, value) };
  // `ends_at` travels in raw_payload.endsAt (the mapper keeps the whole alert there), not as a field.
  const { ends_at: _endsAt, ...canonical } = alertmanagerToCanonical(parsed.data, cleanEnvelope(envelope), {
    now: new Date(now),
  });
  return validateRecord(line, canonical, now);
}

function cleanEnvelope(envelope: Record<string, string | undefined> | undefined) {
  if (!envelope) return undefined;
  return Object.fromEntries(Object.entries(envelope).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
