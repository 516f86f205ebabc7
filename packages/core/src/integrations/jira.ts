/** Reading Jira Cloud webhook events (`jira:issue_*`) into TeleOps tickets. */
import { createHash } from "node:crypto";
import { JIRA_ISSUE_EVENTS, type JiraIssue, type JiraUser, type JiraWebhookEvent } from "@teleops/schema";
import { findIncidentRefs, type InboundTicket } from "./tickets.ts";

/** Status a ticket takes when its Jira issue is deleted; the link stays so the incident keeps the history. */
export const JIRA_DELETED_STATUS = "Deleted";

export function isJiraIssueEvent(event: JiraWebhookEvent): boolean {
  return (JIRA_ISSUE_EVENTS as readonly string[]).includes(event.webhookEvent);
}

/** The acting user's id; Atlassian's own example spells it `accoundId`. */
export function jiraAccountId(user: JiraUser | undefined): string | undefined {
  return user?.accountId ?? user?.accoundId ?? user?.name;
}

/** Names of the fields an update changed (`changelog.items[].field`). */
export function jiraChangedFields(event: JiraWebhookEvent): string[] {
  return (event.changelog?.items ?? []).map((item) => item.field);
}

/** The new value of a changed field; `toString` is read as an own property, never the inherited method. */
function changedTo(event: JiraWebhookEvent, field: string): string | undefined {
  for (const item of event.changelog?.items ?? []) {
    if (item.field.toLowerCase() !== field) continue;
    const value: unknown = Object.hasOwn(item, "toString") ? Reflect.get(item, "toString") : undefined;
    if (typeof value === "string" && value.trim()) return value.trim();
  }
  return undefined;
}

function nameOf(field: JiraIssue["fields"]["status"]): string | undefined {
  if (typeof field === "string") return field.trim() || undefined;
  return field?.name?.trim() || undefined;
}

/** Jira times look like `2026-11-24T02:40:11.000+0000`; webhook `timestamp` is epoch milliseconds. */
export function parseJiraTime(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const millis = typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(millis) ? new Date(millis) : null;
}

/** `https://acme.atlassian.net/rest/api/2/issue/10003` → `https://acme.atlassian.net/browse/NETOPS-4`. */
function browseUrl(issue: JiraIssue): string | undefined {
  if (!issue.self) return undefined;
  try {
    return `${new URL(issue.self).origin}/browse/${encodeURIComponent(issue.key)}`;
  } catch {
    return undefined;
  }
}

/**
 * Deduplication key: Atlassian's `X-Atlassian-Webhook-Identifier` (the same on every retry of one delivery);
 * without it, the issue, event and change (changelog id, else event time, else the body's hash).
 */
export function jiraDedupKey(event: JiraWebhookEvent, identifier: string | undefined, rawBody: Buffer): string {
  if (identifier?.trim()) return identifier.trim();
  const version = event.changelog?.id ?? event.timestamp;
  if (event.issue && version !== undefined) return `${event.issue.id}:${event.webhookEvent}:${version}`;
  return `sha256:${createHash("sha256").update(rawBody).digest("hex")}`;
}

export function jiraEventToTicket(event: JiraWebhookEvent, issue: JiraIssue): InboundTicket {
  const deleted = event.webhookEvent === "jira:issue_deleted";
  const summary = issue.fields.summary?.trim() || changedTo(event, "summary");
  return {
    system: "jira",
    externalId: issue.id,
    number: issue.key,
    title: summary || issue.key,
    status: deleted ? JIRA_DELETED_STATUS : (nameOf(issue.fields.status) ?? changedTo(event, "status")),
    priority: nameOf(issue.fields.priority) ?? changedTo(event, "priority"),
    url: browseUrl(issue),
    externalUpdatedAt: parseJiraTime(issue.fields.updated) ?? parseJiraTime(event.timestamp),
    raw: {
      webhookEvent: event.webhookEvent,
      issue_event_type_name: event.issue_event_type_name,
      account_id: jiraAccountId(event.user),
      issue,
    },
    incidentRefs: findIncidentRefs([...(issue.fields.labels ?? []), summary]),
  };
}
