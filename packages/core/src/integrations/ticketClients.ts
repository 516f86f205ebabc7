/**
 * Clients of the real ticket systems: ServiceNow's Table API (`POST /api/now/table/incident`) and Jira Cloud's
 * REST v3 (`POST /rest/api/3/issue`). Each turns an incident into a ticket there, carrying the incident id so the
 * system's webhook links later updates back, and turns any refusal into a sentence an operator can act on.
 */
import { type Incident, SERVICENOW_PRIORITIES, SERVICENOW_STATES, type TicketSystem } from "@teleops/schema";
import { UpstreamError } from "../errors.ts";
import {
  JIRA_BY_SEVERITY,
  jiraLabels,
  SERVICENOW_BY_SEVERITY,
  ticketDescription,
  ticketTitle,
} from "./ticketContent.ts";

/** What TeleOps asks a ticket system to open. */
export interface TicketDraft {
  incident: Incident;
  /** The incident's address in TeleOps, written into the ticket; null when the server's public address is unknown. */
  incidentUrl: string | null;
}

/** The ticket the system made, as TeleOps stores it. */
export interface RemoteTicket {
  externalId: string;
  number: string;
  title: string;
  status: string;
  priority: string | null;
  url: string;
  raw: Record<string, unknown>;
}

export interface TicketSystemClient {
  system: TicketSystem;
  /** Where tickets go, without credentials: shown on the Integrations page and in the log. */
  target: string;
  create(draft: TicketDraft): Promise<RemoteTicket>;
}

/** The ticket systems configured on this server; a system without a client gets mock tickets. */
export type TicketSystemClients = Partial<Record<TicketSystem, TicketSystemClient>>;

/** A ticket system refused or did not answer; `remoteStatus` is its HTTP status, null when there was none. */
export class TicketSystemError extends UpstreamError {
  constructor(
    message: string,
    readonly remoteStatus: number | null,
  ) {
    super(message);
  }
}

export const DEFAULT_TICKET_TIMEOUT_MS = 10_000;

interface HttpSettings {
  timeoutMs?: number;
}

export interface ServicenowClientSettings extends HttpSettings {
  instanceUrl: string;
  user: string;
  password: string;
}

export interface JiraClientSettings extends HttpSettings {
  baseUrl: string;
  email: string;
  apiToken: string;
  projectKey: string;
  issueType: string;
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A Table API value as text: strings as they are, the `value` of `{value, display_value}` objects. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (isRecord(value)) return text(value.value);
  return "";
}

/** The address without a trailing slash, and without any user or password written into it (those never show). */
function baseAddress(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  parsed.search = "";
  parsed.hash = "";
  return parsed.toString().replace(/\/+$/, "");
}

function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}

interface Exchange {
  name: string;
  url: string;
  authorization: string;
  body: unknown;
  timeoutMs: number;
  /** Secrets that must never reach a message, even if the remote quotes them back. */
  secrets: string[];
  /** The remote's reason out of its error body. */
  reasonOf(body: unknown): string | undefined;
  /** What to check, by HTTP status; empty for the generic advice. */
  hint(status: number): string;
  /** The variable holding the system's address, for advice on wrong addresses. */
  addressVariable: string;
}

function scrub(message: string, secrets: readonly string[]): string {
  let clean = message;
  for (const secret of secrets) if (secret.length >= 4) clean = clean.replaceAll(secret, "[redacted]");
  return clean;
}

/** Posts JSON and returns the parsed 2xx answer; anything else is a `TicketSystemError` that names the reason. */
async function postJson(exchange: Exchange): Promise<unknown> {
  const origin = new URL(exchange.url).origin;
  let response: Response;
  try {
    response = await fetch(exchange.url, {
      method: "POST",
      headers: {
        authorization: exchange.authorization,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(exchange.body),
      redirect: "manual",
      signal: AbortSignal.timeout(exchange.timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new TicketSystemError(
        `${exchange.name} at ${origin} did not answer within ${exchange.timeoutMs / 1000} s; the ticket may or may ` +
          `not exist there, so look for it before trying again`,
        null,
      );
    }
    const cause = error instanceof Error && isRecord(error.cause) ? text(error.cause.code) : "";
    throw new TicketSystemError(
      `could not reach ${exchange.name} at ${origin}${cause ? ` (${cause})` : ""}; check the address and the egress from this server`,
      null,
    );
  }
  const raw = await readBody(response, exchange.timeoutMs);
  let body: unknown = raw;
  try {
    body = raw === "" ? null : JSON.parse(raw);
  } catch {
    // Not JSON (a proxy's HTML error page): only the status is worth showing.
    body = null;
  }
  if (response.ok) {
    if (!isRecord(body)) {
      throw new TicketSystemError(
        `${exchange.name} answered ${response.status} without a JSON record`,
        response.status,
      );
    }
    return body;
  }
  const reason = exchange.reasonOf(body);
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const said = reason ? `: ${reason.replace(/[.\s]+$/, "")}` : "";
  const hint = exchange.hint(response.status) || genericHint(response.status, exchange.addressVariable);
  const message = `${exchange.name} refused the ticket (${status})${said}. ${hint}`;
  throw new TicketSystemError(scrub(message, exchange.secrets).trim(), response.status);
}

/** The answer's body, up to 1 MiB; a body that stalls counts against the same timeout. */
async function readBody(response: Response, timeoutMs: number): Promise<string> {
  try {
    const body = await Promise.race([
      response.text(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("body timeout")), timeoutMs).unref()),
    ]);
    return body.slice(0, 1024 * 1024);
  } catch {
    return "";
  }
}

/** What to check for statuses no system-specific hint covers. */
function genericHint(status: number, addressVariable: string): string {
  if (status >= 300 && status < 400)
    return `The address redirects elsewhere (a login page?); check ${addressVariable}.`;
  if (status === 404) return `Nothing answers at that path; check ${addressVariable}.`;
  if (status === 429) return "The system is rate-limiting this account; try again in a minute.";
  if (status >= 500) return "The system failed on its side; try again later.";
  return "";
}

function cut(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `{"error": {"message", "detail"}, "status": "failure"}`, as the Table API reports a refusal. */
function servicenowReason(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const message = text(body.error.message);
  const detail = text(body.error.detail);
  const parts = [message, detail && detail !== message ? detail : ""].filter(Boolean);
  return parts.length > 0 ? cut(parts.join(": ")) : undefined;
}

/** `{"errorMessages": [...], "errors": {"field": "message"}}`, as Jira reports a refusal. */
function jiraReason(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const messages = Array.isArray(body.errorMessages) ? body.errorMessages.map(text).filter(Boolean) : [];
  const fields = isRecord(body.errors)
    ? Object.entries(body.errors).map(([field, why]) => `${field}: ${text(why)}`)
    : [];
  const parts = [...messages, ...fields];
  return parts.length > 0 ? cut(parts.join("; ")) : undefined;
}

export function createServicenowClient(settings: ServicenowClientSettings): TicketSystemClient {
  const instance = baseAddress(settings.instanceUrl);
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TICKET_TIMEOUT_MS;
  return {
    system: "servicenow",
    target: instance,
    async create({ incident, incidentUrl }) {
      const { impact, urgency } = SERVICENOW_BY_SEVERITY[incident.severity];
      // Priority is left to the instance: it derives it from impact and urgency by its own lookup rules.
      const request = {
        short_description: ticketTitle(incident, 160),
        description: ticketDescription(incident, incidentUrl),
        impact,
        urgency,
        correlation_id: incident.id,
        correlation_display: "TeleOps",
      };
      const answer = await postJson({
        name: "ServiceNow",
        url: `${instance}/api/now/table/incident`,
        addressVariable: "SERVICENOW_INSTANCE_URL",
        authorization: basicAuth(settings.user, settings.password),
        body: request,
        timeoutMs,
        secrets: [settings.password],
        reasonOf: servicenowReason,
        hint: (status) =>
          status === 401
            ? "Check SERVICENOW_USER and SERVICENOW_PASSWORD."
            : status === 403
              ? `The user ${settings.user} may not create incidents through the Table API (it needs a role such as itil, and the REST API must be allowed for it).`
              : status === 400
                ? "The instance refused a field; see the reason."
                : "",
      });
      const record = isRecord(answer) && isRecord(answer.result) ? answer.result : undefined;
      const sysId = text(record?.sys_id);
      const number = text(record?.number);
      if (!record || !sysId || !number) {
        throw new TicketSystemError("ServiceNow answered without the new record's sys_id and number", 201);
      }
      const state = text(record.state);
      const priority = text(record.priority);
      return {
        externalId: sysId,
        number,
        title: text(record.short_description) || request.short_description,
        status: SERVICENOW_STATES[state] ?? (state || "New"),
        priority: SERVICENOW_PRIORITIES[priority] ?? (priority || null),
        url: `${instance}/nav_to.do?uri=incident.do?sys_id=${encodeURIComponent(sysId)}`,
        raw: record,
      };
    },
  };
}

/** Atlassian Document Format: one paragraph per block of lines, the TeleOps address as a link. */
export function toAdf(description: string, incidentUrl: string | null): JsonRecord {
  const paragraphs = description
    .split(/\n{2,}/)
    .map((block) => block.split("\n"))
    .map((lines) => ({
      type: "paragraph",
      content: lines.flatMap((line, index) => {
        const nodes: JsonRecord[] = index > 0 ? [{ type: "hardBreak" }] : [];
        if (incidentUrl && line.endsWith(incidentUrl)) {
          const label = line.slice(0, line.length - incidentUrl.length);
          if (label) nodes.push({ type: "text", text: label });
          nodes.push({ type: "text", text: incidentUrl, marks: [{ type: "link", attrs: { href: incidentUrl } }] });
        } else if (line !== "") {
          nodes.push({ type: "text", text: line });
        }
        return nodes;
      }),
    }));
  return { type: "doc", version: 1, content: paragraphs };
}

export function createJiraClient(settings: JiraClientSettings): TicketSystemClient {
  const base = baseAddress(settings.baseUrl);
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TICKET_TIMEOUT_MS;
  return {
    system: "jira",
    target: `${base} (project ${settings.projectKey})`,
    async create({ incident, incidentUrl }) {
      const priority = JIRA_BY_SEVERITY[incident.severity].name;
      const fields = {
        project: { key: settings.projectKey },
        issuetype: { name: settings.issueType },
        summary: ticketTitle(incident, 255),
        description: toAdf(ticketDescription(incident, incidentUrl), incidentUrl),
        priority: { name: priority },
        // The incident id as a label is what the Jira webhook links the issue back by.
        labels: jiraLabels(incident),
      };
      const answer = await postJson({
        name: "Jira",
        url: `${base}/rest/api/3/issue`,
        addressVariable: "JIRA_BASE_URL",
        authorization: basicAuth(settings.email, settings.apiToken),
        body: { fields },
        timeoutMs,
        secrets: [settings.apiToken],
        reasonOf: jiraReason,
        hint: (status) =>
          status === 401
            ? "Check JIRA_EMAIL and JIRA_API_TOKEN (an API token of that Atlassian account)."
            : status === 403
              ? `The account ${settings.email} may not create issues in project ${settings.projectKey}.`
              : status === 400
                ? `Check JIRA_PROJECT_KEY (${settings.projectKey}), JIRA_ISSUE_TYPE (${settings.issueType}) and that the project's create screen has the priority and labels fields.`
                : "",
      });
      const created = isRecord(answer) ? answer : {};
      const id = text(created.id);
      const key = text(created.key);
      if (!id || !key) throw new TicketSystemError("Jira answered without the new issue's id and key", 201);
      // Jira answers only {id, key, self}; the stored record is that plus what was sent, until its webhook says more.
      return {
        externalId: id,
        number: key,
        title: fields.summary,
        status: "Created",
        priority,
        url: `${base}/browse/${encodeURIComponent(key)}`,
        raw: { ...created, fields: { ...fields, priority: { name: priority } } },
      };
    },
  };
}
