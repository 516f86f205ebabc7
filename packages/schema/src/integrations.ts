/**
 * What the integrations exchange: Alertmanager's webhook (version 4) and API v2 alerts, ServiceNow incident
 * records as the Table API names them, Jira Cloud webhook events and search answers, and TeleOps' own
 * integration events and linked tickets. Every outside shape tolerates fields it does not name.
 */
import { z } from "zod";
import { eventTimeProblem, eventTimeSchema, timestampSchema } from "./alert.ts";

/** "x is required" for a missing field; other problems keep zod's own message. */
function required(name: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? `${name} is required` : undefined) };
}

/** Alertmanager label and annotation values are strings; numbers and booleans from hand-written posts are kept as text. */
const stringMapSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/** An Alertmanager time: ISO-8601 normalized to UTC, or null for Go's zero time (`0001-01-01T00:00:00Z`). */
export const alertmanagerTimeSchema = z.string().transform((value, ctx): string | null => {
  if (value.trim().startsWith("0001-01-01")) return null;
  const parsed = eventTimeSchema.safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({ code: "custom", message: parsed.error.issues[0]?.message ?? "not a timestamp" });
    return z.NEVER;
  }
  return parsed.data;
});

/**
 * One Alertmanager alert, as the API v2 lists it (`GET /api/v2/alerts`: `status` is an object with `state`)
 * or as a webhook carries it (`status` is `firing` or `resolved`).
 */
export const alertmanagerAlertSchema = z.looseObject({
  labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), required("labels")),
  annotations: stringMapSchema.default({}),
  startsAt: eventTimeSchema,
  endsAt: alertmanagerTimeSchema.nullish().transform((value) => value ?? null),
  updatedAt: eventTimeSchema.optional(),
  generatorURL: z.string().default(""),
  fingerprint: z.string().trim().min(1).max(256).optional(),
  receivers: z.array(z.looseObject({ name: z.string() })).optional(),
  status: z
    .union([
      z.enum(["firing", "resolved"]),
      z.looseObject({
        state: z.string(),
        silencedBy: z.array(z.string()).optional(),
        inhibitedBy: z.array(z.string()).optional(),
      }),
    ])
    .optional(),
});
export type AlertmanagerAlert = z.output<typeof alertmanagerAlertSchema>;

/** An alert inside a webhook delivery: its own `status` decides, not the envelope's. */
export const alertmanagerWebhookAlertSchema = alertmanagerAlertSchema.extend({
  status: z.enum(["firing", "resolved"], required("status")),
  fingerprint: z.string(required("fingerprint")).trim().min(1).max(256),
});
export type AlertmanagerWebhookAlert = z.output<typeof alertmanagerWebhookAlertSchema>;

/** Alertmanager's webhook payload, version 4 (`webhook_configs`), exactly as Alertmanager sends it. */
export const alertmanagerWebhookSchema = z.looseObject({
  version: z.string().default("4"),
  groupKey: z.string().default(""),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"], required("status")),
  receiver: z.string(required("receiver")),
  groupLabels: stringMapSchema.default({}),
  commonLabels: stringMapSchema.default({}),
  commonAnnotations: stringMapSchema.default({}),
  externalURL: z.string().default(""),
  alerts: z
    .array(alertmanagerWebhookAlertSchema, required("alerts"))
    .min(1, "a webhook delivery carries at least one alert")
    .max(10_000, "at most 10,000 alerts per delivery"),
});
export type AlertmanagerWebhook = z.output<typeof alertmanagerWebhookSchema>;
export type AlertmanagerWebhookInput = z.input<typeof alertmanagerWebhookSchema>;

/**
 * A ServiceNow field value: a plain string (the Table API's default), a number or boolean from a hand-built
 * Business Rule body, or an object (`{link, value}` for references, `{display_value, value}` with
 * `sysparm_display_value=all`).
 */
export const servicenowValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.looseObject({
    value: z.union([z.string(), z.number()]).nullish(),
    display_value: z.union([z.string(), z.number()]).nullish(),
    link: z.string().nullish(),
  }),
]);
export type ServicenowValue = z.output<typeof servicenowValueSchema>;

/** Incident state codes of the ServiceNow base system and their display values. */
export const SERVICENOW_STATES: Readonly<Record<string, string>> = {
  "1": "New",
  "2": "In Progress",
  "3": "On Hold",
  "6": "Resolved",
  "7": "Closed",
  "8": "Canceled",
};

/** Priority codes (impact × urgency) of the ServiceNow base system and their display values. */
export const SERVICENOW_PRIORITIES: Readonly<Record<string, string>> = {
  "1": "1 - Critical",
  "2": "2 - High",
  "3": "3 - Moderate",
  "4": "4 - Low",
  "5": "5 - Planning",
};

/** A ServiceNow incident record with Table API field names; only `sys_id` and `number` are required. */
export const servicenowIncidentSchema = z
  .looseObject({
    sys_id: z.string(required("sys_id")).trim().min(1, "sys_id must not be empty").max(64),
    number: z.string(required("number")).trim().min(1, "number must not be empty").max(64),
    short_description: servicenowValueSchema.optional(),
    description: servicenowValueSchema.optional(),
    state: servicenowValueSchema.optional(),
    incident_state: servicenowValueSchema.optional(),
    priority: servicenowValueSchema.optional(),
    impact: servicenowValueSchema.optional(),
    urgency: servicenowValueSchema.optional(),
    correlation_id: servicenowValueSchema.optional(),
    assignment_group: servicenowValueSchema.optional(),
    cmdb_ci: servicenowValueSchema.optional(),
    opened_at: servicenowValueSchema.optional(),
    sys_updated_on: servicenowValueSchema.optional(),
    sys_mod_count: servicenowValueSchema.optional(),
  })
  .superRefine((record, ctx) => {
    for (const field of ["opened_at", "sys_updated_on"] as const) {
      const value = record[field];
      const texts =
        typeof value === "string"
          ? [value]
          : value && typeof value === "object"
            ? [value.value, value.display_value]
            : [];
      for (const text of texts) {
        const problem = typeof text === "string" ? eventTimeProblem(servicenowTimeMillis(text)) : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: [field], message: problem });
      }
    }
  });
export type ServicenowIncident = z.output<typeof servicenowIncidentSchema>;

/**
 * A ServiceNow time in milliseconds: `YYYY-MM-DD HH:MM:SS` in UTC (the Table API's internal format), or ISO;
 * NaN when it is neither.
 */
export function servicenowTimeMillis(text: string): number {
  const value = text.trim();
  const internal = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value);
  return internal ? Date.parse(`${internal[1]}T${internal[2]}Z`) : Date.parse(value);
}

/** A Table API list answer (`GET /api/now/table/incident`). */
export const servicenowTableAnswerSchema = z.looseObject({ result: z.array(servicenowIncidentSchema) });

/** `POST /webhooks/servicenow` with a list answer pasted as is: `{"result":[…]}`, each record applied in order. */
export const servicenowWebhookListSchema = z.looseObject({
  result: z
    .array(servicenowIncidentSchema)
    .min(1, "send at least one record")
    .max(1_000, "send at most 1,000 records per request"),
});

/** `POST /webhooks/servicenow`: a bare record, or the Table API's single-record answer `{"result":{…}}`. */
export const servicenowWebhookSchema = z.preprocess((body) => {
  if (body && typeof body === "object" && !Array.isArray(body) && !("sys_id" in body) && "result" in body) {
    const { result } = body;
    if (result && typeof result === "object" && !Array.isArray(result)) return result;
  }
  return body;
}, servicenowIncidentSchema);

/** A Jira user; Atlassian's own webhook example spells the id `accoundId`, so both spellings are read. */
export const jiraUserSchema = z.looseObject({
  accountId: z.string().optional(),
  accoundId: z.string().optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  name: z.string().optional(),
});
export type JiraUser = z.output<typeof jiraUserSchema>;

/** Status, priority and similar fields: an object with `name`, or a bare name as in Atlassian's example. */
const jiraNamedSchema = z.union([
  z.string(),
  z.looseObject({
    name: z.string().optional(),
    id: z.union([z.string(), z.number()]).optional(),
    statusCategory: z.looseObject({ key: z.string().optional(), name: z.string().optional() }).optional(),
  }),
]);

export const jiraIssueSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  key: z.string(required("issue.key")).trim().min(1, "issue.key must not be empty").max(64),
  self: z.string().optional(),
  fields: z
    .looseObject({
      summary: z.string().nullish(),
      description: z.unknown().optional(),
      status: jiraNamedSchema.nullish(),
      priority: jiraNamedSchema.nullish(),
      labels: z.array(z.string()).nullish(),
      created: z.string().nullish(),
      updated: z.string().nullish(),
      assignee: jiraUserSchema.nullish(),
    })
    .default({}),
});
export type JiraIssue = z.output<typeof jiraIssueSchema>;

/** One changed field; `toString`/`fromString` are read from the raw item (a schema key `toString` would shadow Object's). */
export const jiraChangelogItemSchema = z.looseObject({
  field: z.string(),
  fieldtype: z.string().optional(),
  fieldId: z.string().optional(),
  from: z.union([z.string(), z.number()]).nullish(),
  to: z.union([z.string(), z.number()]).nullish(),
  fromString: z.string().nullish(),
});

export const JIRA_ISSUE_EVENTS = ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted"] as const;

/** A Jira Cloud webhook event (`webhookEvent`, `issue.key`, `issue.fields.*`, `changelog.items`). */
export const jiraWebhookEventSchema = z
  .looseObject({
    webhookEvent: z.string(required("webhookEvent")).trim().min(1, "webhookEvent must not be empty"),
    issue_event_type_name: z.string().optional(),
    timestamp: z.union([z.number(), z.string()]).optional(),
    user: jiraUserSchema.optional(),
    issue: jiraIssueSchema.optional(),
    changelog: z
      .looseObject({
        id: z.union([z.string(), z.number()]).optional(),
        items: z.array(jiraChangelogItemSchema).default([]),
      })
      .optional(),
  })
  .superRefine((event, ctx) => {
    if (event.webhookEvent.startsWith("jira:issue_") && !event.issue) {
      ctx.addIssue({ code: "custom", path: ["issue"], message: `${event.webhookEvent} needs an issue` });
    }
    const times: Array<[Array<string>, string | number | null | undefined]> = [
      [["timestamp"], event.timestamp],
      [["issue", "fields", "created"], event.issue?.fields.created],
      [["issue", "fields", "updated"], event.issue?.fields.updated],
    ];
    for (const [path, value] of times) {
      if (value === null || value === undefined || value === "") continue;
      const millis = typeof value === "number" ? value : Date.parse(value);
      // An unreadable time is left to the mapping (it is ignored there); a readable one must be plausible.
      const problem = Number.isNaN(millis) ? undefined : eventTimeProblem(millis);
      if (problem) ctx.addIssue({ code: "custom", path, message: problem });
    }
  });
export type JiraWebhookEvent = z.output<typeof jiraWebhookEventSchema>;

/** A Jira search answer (`GET /rest/api/2/search`). */
export const jiraSearchResultSchema = z.looseObject({
  startAt: z.number().int().min(0),
  maxResults: z.number().int().min(0),
  total: z.number().int().min(0),
  issues: z.array(jiraIssueSchema),
});

export const INTEGRATION_SOURCES = ["alertmanager", "jira", "servicenow", "alerts"] as const;
export type IntegrationSource = (typeof INTEGRATION_SOURCES)[number];
export const integrationSourceSchema = z.enum(INTEGRATION_SOURCES);

/** `failed`: a call TeleOps made to a ticket system that was refused or not answered. */
export const INTEGRATION_OUTCOMES = ["accepted", "duplicate", "rejected", "failed"] as const;
export type IntegrationOutcome = (typeof INTEGRATION_OUTCOMES)[number];
export const integrationOutcomeSchema = z.enum(INTEGRATION_OUTCOMES);

/** One webhook delivery as TeleOps recorded it. */
export const integrationEventSchema = z.object({
  id: z.string(),
  tenant_id: z.string(),
  source: z.string(),
  received_at: z.string(),
  outcome: integrationOutcomeSchema,
  http_status: z.number().int(),
  dedup_key: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  payload: z.unknown(),
  summary: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
});
export type IntegrationEvent = z.infer<typeof integrationEventSchema>;

export const integrationEventListParamsSchema = z.object({
  source: integrationSourceSchema.optional(),
  outcome: integrationOutcomeSchema.optional(),
  /** Received at or after this time. */
  since: timestampSchema.optional(),
  /** Received before this time. */
  until: timestampSchema.optional(),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
  /** Payloads can be up to 1 MiB each; lists leave them out unless asked. */
  withPayload: z.boolean().default(false),
});
export type IntegrationEventListParams = z.output<typeof integrationEventListParamsSchema>;

export const TICKET_SYSTEMS = ["servicenow", "jira"] as const;
export type TicketSystem = (typeof TICKET_SYSTEMS)[number];
export const ticketSystemSchema = z.enum(TICKET_SYSTEMS);

/** A ServiceNow incident or Jira issue that TeleOps knows about, and the incident it is linked to. */
export const ticketSchema = z.object({
  id: z.string(),
  system: ticketSystemSchema,
  external_id: z.string(),
  number: z.string(),
  title: z.string(),
  status: z.string(),
  priority: z.string().nullable(),
  url: z.string().nullable(),
  incident_id: z.string().nullable(),
  origin: z.enum(["inbound", "outbound"]),
  external_updated_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Ticket = z.infer<typeof ticketSchema>;

export const createTicketParamsSchema = z.object({
  incidentId: z.string().min(1).max(64),
  system: ticketSystemSchema,
});

/** The mock ServiceNow Table API: `sysparm_limit`, `sysparm_offset` and an encoded `sysparm_query`. */
export const servicenowListParamsSchema = z.object({
  limit: z.number().int().min(1).max(1_000).default(20),
  offset: z.number().int().min(0).default(0),
  /** Encoded query, e.g. `state=2^priority<=2^ORDERBYDESCsys_updated_on`. */
  query: z.string().max(500).optional(),
});

/** The mock Jira search: `startAt`, `maxResults` (Jira caps it at 100) and a status name. */
export const jiraListParamsSchema = z.object({
  startAt: z.number().int().min(0).default(0),
  maxResults: z.number().int().min(1).max(100).default(50),
  status: z.string().max(100).optional(),
});

/**
 * `alertmanagerWebhookSchema.safeParse`, with a fast path for the plain delivery Alertmanager sends (every label
 * and annotation a string, no `receivers`, times repeated across the delivery): the same output built by hand,
 * each distinct time read once by the schema's own time rules. Anything else (a number label, a missing field,
 * an invalid value) goes through the schema, so every refusal and its message are the schema's.
 */
export function parseAlertmanagerWebhook(body: unknown): ReturnType<typeof alertmanagerWebhookSchema.safeParse> {
  const data = plainWebhook(body);
  return data ? { success: true, data } : alertmanagerWebhookSchema.safeParse(body);
}

const WEBHOOK_KEYS = new Set(Object.keys(alertmanagerWebhookSchema.shape));
const WEBHOOK_ALERT_KEYS = new Set(Object.keys(alertmanagerWebhookAlertSchema.shape));

function plainWebhook(body: unknown): AlertmanagerWebhook | undefined {
  if (!isPlainRecord(body)) return undefined;
  const { version, groupKey, truncatedAlerts, status, receiver, externalURL } = body;
  if (!optionalString(version) || !optionalString(groupKey) || !optionalString(externalURL)) return undefined;
  if (truncatedAlerts !== undefined && !(Number.isSafeInteger(truncatedAlerts) && (truncatedAlerts as number) >= 0))
    return undefined;
  if ((status !== "firing" && status !== "resolved") || typeof receiver !== "string") return undefined;
  const groupLabels = stringMap(body.groupLabels, true);
  const commonLabels = stringMap(body.commonLabels, true);
  const commonAnnotations = stringMap(body.commonAnnotations, true);
  if (!groupLabels || !commonLabels || !commonAnnotations) return undefined;
  const received = body.alerts;
  if (!Array.isArray(received) || received.length < 1 || received.length > 10_000) return undefined;
  const times = new Map<string, string | null | false>();
  const alerts: AlertmanagerWebhookAlert[] = [];
  for (const alert of received) {
    const parsed = plainWebhookAlert(alert, times);
    if (!parsed) return undefined;
    alerts.push(parsed);
  }
  const data: Record<string, unknown> = {
    version: version ?? "4",
    groupKey: groupKey ?? "",
    truncatedAlerts: truncatedAlerts ?? 0,
    status,
    receiver,
    groupLabels,
    commonLabels,
    commonAnnotations,
    externalURL: externalURL ?? "",
    alerts,
  };
  for (const key of Object.keys(body)) if (!WEBHOOK_KEYS.has(key)) data[key] = body[key];
  return data as AlertmanagerWebhook;
}

function plainWebhookAlert(
  alert: unknown,
  times: Map<string, string | null | false>,
): AlertmanagerWebhookAlert | undefined {
  if (!isPlainRecord(alert)) return undefined;
  const { status, fingerprint, generatorURL, startsAt, endsAt, updatedAt } = alert;
  if ((status !== "firing" && status !== "resolved") || alert.receivers !== undefined) return undefined;
  if (typeof fingerprint !== "string" || !optionalString(generatorURL)) return undefined;
  const trimmed = fingerprint.trim();
  if (trimmed.length < 1 || trimmed.length > 256) return undefined;
  const labels = stringMap(alert.labels, false);
  const annotations = stringMap(alert.annotations, true);
  if (!labels || !annotations) return undefined;
  const starts = cachedTime(startsAt, "start", times);
  if (starts === undefined || starts === null) return undefined;
  let ends: string | null | undefined = null;
  if (endsAt !== undefined && endsAt !== null) {
    ends = cachedTime(endsAt, "end", times);
    if (ends === undefined) return undefined;
  }
  const parsed: Record<string, unknown> = { labels, annotations, startsAt: starts, endsAt: ends };
  if (updatedAt !== undefined) {
    const updated = cachedTime(updatedAt, "start", times);
    if (updated === undefined || updated === null) return undefined;
    parsed.updatedAt = updated;
  }
  parsed.generatorURL = generatorURL ?? "";
  parsed.fingerprint = trimmed;
  parsed.status = status;
  for (const key of Object.keys(alert)) if (!WEBHOOK_ALERT_KEYS.has(key)) parsed[key] = alert[key];
  return parsed as AlertmanagerWebhookAlert;
}

/**
 * A time read by `eventTimeSchema` (`start`) or `alertmanagerTimeSchema` (`end`: null for Go's zero time), once per
 * distinct text; `undefined` when the schema refuses it (the schema then gives the refusal).
 */
function cachedTime(
  value: unknown,
  kind: "start" | "end",
  times: Map<string, string | null | false>,
): string | null | undefined {
  if (typeof value !== "string") return undefined;
  const key = `${kind} ${value}`;
  let time = times.get(key);
  if (time === undefined) {
    const parsed = (kind === "start" ? eventTimeSchema : alertmanagerTimeSchema).safeParse(value);
    time = parsed.success ? parsed.data : false;
    times.set(key, time);
  }
  return time === false ? undefined : time;
}

/** A copy of a map whose values are all strings, or undefined (a number, a boolean: the schema converts them). */
function stringMap(value: unknown, optional: boolean): Record<string, string> | undefined {
  if (value === undefined) return optional ? {} : undefined;
  if (!isPlainRecord(value)) return undefined;
  const copy: Record<string, string> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return undefined;
    const entry = value[key];
    if (typeof entry !== "string" || key === "__proto__") return undefined;
    copy[key] = entry;
  }
  return copy;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

/** An object as `JSON.parse` makes it (no prototype tricks, no symbols). */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
