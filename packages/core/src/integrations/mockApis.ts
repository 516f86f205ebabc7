/**
 * Mock ServiceNow Table API and Jira search over the shipped fixtures plus the tickets TeleOps created, with
 * the paging and filtering the real APIs offer, so the SPA and tests can work without either product.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DbOrTx, tickets } from "@teleops/db";
import { jiraSearchResultSchema, servicenowTableAnswerSchema, type TicketSystem } from "@teleops/schema";
import { and, asc, eq, like } from "drizzle-orm";
import { ValidationError } from "../errors.ts";
import { MOCK_JIRA_SITE, MOCK_SERVICENOW_INSTANCE } from "./outbound.ts";

/** `fixtures/integrations/` at the repository root, found from this file so it works from any directory. */
export const DEFAULT_INTEGRATION_FIXTURES_DIR = fileURLToPath(
  new URL("../../../../fixtures/integrations/", import.meta.url),
);

type JsonRecord = Record<string, unknown>;

export interface IntegrationFixtures {
  servicenow: JsonRecord[];
  jira: JsonRecord[];
}

const cache = new Map<string, IntegrationFixtures>();

/** Reads and checks the fixtures once per directory; the records are served exactly as written. */
export function loadIntegrationFixtures(dir: string = DEFAULT_INTEGRATION_FIXTURES_DIR): IntegrationFixtures {
  const cached = cache.get(dir);
  if (cached) return cached;
  const servicenowPath = join(dir, "servicenow_incidents.json");
  const jiraPath = join(dir, "jira_issues.json");
  const servicenow: unknown = JSON.parse(readFileSync(servicenowPath, "utf8"));
  const jira: unknown = JSON.parse(readFileSync(jiraPath, "utf8"));
  const servicenowCheck = servicenowTableAnswerSchema.safeParse(servicenow);
  if (!servicenowCheck.success)
    throw new Error(`${servicenowPath} is not a Table API answer: ${servicenowCheck.error.message}`);
  const jiraCheck = jiraSearchResultSchema.safeParse(jira);
  if (!jiraCheck.success) throw new Error(`${jiraPath} is not a Jira search answer: ${jiraCheck.error.message}`);
  const fixtures = { servicenow: recordsOf(servicenow, "result"), jira: recordsOf(jira, "issues") };
  cache.set(dir, fixtures);
  return fixtures;
}

/** No shipped records: what the mock APIs serve where the lab is off (see `integrations.servicenow.incidents`). */
export const NO_INTEGRATION_FIXTURES: IntegrationFixtures = { servicenow: [], jira: [] };

/**
 * Records the tenant created in the mock store through `createTicket`, in the order they were made; tickets made
 * in a real system live there and are not served by the mock.
 */
async function createdRecords(db: DbOrTx, tenantId: string, system: TicketSystem): Promise<JsonRecord[]> {
  const mockSite = system === "servicenow" ? MOCK_SERVICENOW_INSTANCE : MOCK_JIRA_SITE;
  const rows = await db
    .select({ raw: tickets.raw })
    .from(tickets)
    .where(
      and(
        eq(tickets.tenantId, tenantId),
        eq(tickets.system, system),
        eq(tickets.origin, "outbound"),
        like(tickets.url, `${mockSite}/%`),
      ),
    )
    .orderBy(asc(tickets.createdAt), asc(tickets.id));
  // A Jira webhook about a created issue stores the event; its `issue` is the record.
  return rows.map((row) => (isRecord(row.raw.issue) ? row.raw.issue : row.raw));
}

/** The checked file's list, kept exactly as written (the schemas' parsed output normalizes some fields). */
function recordsOf(file: unknown, key: string): JsonRecord[] {
  const list = isRecord(file) ? file[key] : undefined;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A field's stored value as text: strings as they are, `value` of reference objects. */
function fieldText(record: JsonRecord, field: string): string | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (isRecord(value)) {
    const inner = value.value ?? value.display_value;
    return inner === undefined || inner === null ? undefined : String(inner);
  }
  return String(value);
}

const OPERATORS = [
  "ISNOTEMPTY",
  "ISEMPTY",
  "STARTSWITH",
  "ENDSWITH",
  "NOT LIKE",
  "LIKE",
  "NOT IN",
  "IN",
  "!=",
  ">=",
  "<=",
  "=",
  ">",
  "<",
] as const;
type Operator = (typeof OPERATORS)[number];

interface Condition {
  field: string;
  operator: Operator;
  value: string;
}

interface EncodedQuery {
  conditions: Condition[];
  order: Array<{ field: string; descending: boolean }>;
}

/**
 * The subset of ServiceNow's encoded query syntax an operator uses against incidents: conditions joined by
 * `^` (`state=2^priority<=2`, `stateIN1,2,3`, `short_descriptionLIKEfra1`) and `ORDERBY`/`ORDERBYDESC`.
 */
export function parseEncodedQuery(query: string | undefined): EncodedQuery {
  const parsed: EncodedQuery = { conditions: [], order: [] };
  for (const term of (query ?? "").split("^")) {
    const text = term.trim();
    if (text === "") continue;
    if (text.startsWith("ORDERBYDESC")) {
      parsed.order.push({ field: text.slice("ORDERBYDESC".length), descending: true });
      continue;
    }
    if (text.startsWith("ORDERBY")) {
      parsed.order.push({ field: text.slice("ORDERBY".length), descending: false });
      continue;
    }
    if (text === "OR" || text.startsWith("OR") || text.startsWith("NQ")) {
      throw new ValidationError(`query term "${text}": OR and NQ are not supported by the mock`);
    }
    const field = /^[a-z0-9_.]+/.exec(text)?.[0];
    const rest = field ? text.slice(field.length) : "";
    const operator = OPERATORS.find((op) => rest.startsWith(op));
    if (!field || !operator) {
      throw new ValidationError(`query term "${text}" is not <field><operator><value> (e.g. state=2, priorityIN1,2)`);
    }
    parsed.conditions.push({ field, operator, value: rest.slice(operator.length) });
  }
  return parsed;
}

function compare(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(record: JsonRecord, condition: Condition): boolean {
  const actual = fieldText(record, condition.field) ?? "";
  const { value } = condition;
  switch (condition.operator) {
    case "=":
      return actual === value;
    case "!=":
      return actual !== value;
    case "IN":
      return value.split(",").includes(actual);
    case "NOT IN":
      return !value.split(",").includes(actual);
    case "LIKE":
      return actual.toLowerCase().includes(value.toLowerCase());
    case "NOT LIKE":
      return !actual.toLowerCase().includes(value.toLowerCase());
    case "STARTSWITH":
      return actual.toLowerCase().startsWith(value.toLowerCase());
    case "ENDSWITH":
      return actual.toLowerCase().endsWith(value.toLowerCase());
    case "ISEMPTY":
      return actual === "";
    case "ISNOTEMPTY":
      return actual !== "";
    case "<":
      return compare(actual, value) < 0;
    case "<=":
      return compare(actual, value) <= 0;
    case ">":
      return compare(actual, value) > 0;
    case ">=":
      return compare(actual, value) >= 0;
  }
}

export interface ServicenowListParams {
  limit: number;
  offset: number;
  query?: string | undefined;
}

/** The Table API's answer; `total` is what the real API sends in its `X-Total-Count` header. */
export interface ServicenowListAnswer {
  result: JsonRecord[];
  total: number;
}

/** `GET /api/now/table/incident?sysparm_query=…&sysparm_limit=…&sysparm_offset=…` over the mock store. */
export async function listServicenowIncidents(
  db: DbOrTx,
  tenantId: string,
  params: ServicenowListParams,
  fixtures: IntegrationFixtures = loadIntegrationFixtures(),
): Promise<ServicenowListAnswer> {
  const records = [...fixtures.servicenow, ...(await createdRecords(db, tenantId, "servicenow"))];
  const query = parseEncodedQuery(params.query);
  const known = new Set(records.flatMap((record) => Object.keys(record)));
  for (const field of [...query.conditions.map((c) => c.field), ...query.order.map((o) => o.field)]) {
    // The real API silently ignores an unknown field and returns everything; the mock says so instead.
    if (!known.has(field)) throw new ValidationError(`unknown incident field "${field}" in the query`);
  }
  const selected = records.filter((record) => query.conditions.every((condition) => matches(record, condition)));
  if (query.order.length > 0) {
    selected.sort((a, b) => {
      for (const { field, descending } of query.order) {
        const order = compare(fieldText(a, field) ?? "", fieldText(b, field) ?? "");
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
  }
  return { result: selected.slice(params.offset, params.offset + params.limit), total: selected.length };
}

export interface JiraSearchParams {
  startAt: number;
  maxResults: number;
  status?: string | undefined;
}

export interface JiraSearchAnswer {
  expand: string;
  startAt: number;
  maxResults: number;
  total: number;
  issues: JsonRecord[];
}

function statusName(issue: JsonRecord): string {
  const fields = isRecord(issue.fields) ? issue.fields : {};
  const status = fields.status;
  if (typeof status === "string") return status;
  return isRecord(status) && typeof status.name === "string" ? status.name : "";
}

function createdOf(issue: JsonRecord): number {
  const fields = isRecord(issue.fields) ? issue.fields : {};
  return typeof fields.created === "string" ? Date.parse(fields.created) || 0 : 0;
}

/** `GET /rest/api/2/search?jql=status="…"&startAt=…&maxResults=…` over the mock store, newest issue first. */
export async function searchJiraIssues(
  db: DbOrTx,
  tenantId: string,
  params: JiraSearchParams,
  fixtures: IntegrationFixtures = loadIntegrationFixtures(),
): Promise<JiraSearchAnswer> {
  const issues = [...fixtures.jira, ...(await createdRecords(db, tenantId, "jira"))];
  const wanted = params.status?.trim().toLowerCase();
  const selected = wanted ? issues.filter((issue) => statusName(issue).toLowerCase() === wanted) : issues;
  selected.sort((a, b) => createdOf(b) - createdOf(a));
  return {
    expand: "schema,names",
    startAt: params.startAt,
    maxResults: params.maxResults,
    total: selected.length,
    issues: selected.slice(params.startAt, params.startAt + params.maxResults),
  };
}
