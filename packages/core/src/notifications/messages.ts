/**
 * What each channel type is sent for one notification event: the generic webhook's signed JSON, a Slack incoming
 * webhook's text, a PagerDuty Events API v2 event (one `dedup_key` per incident) and an email whose Message-ID
 * threads every update of an incident under its first message.
 */
import { createHmac } from "node:crypto";
import type { ChannelType, Severity } from "@teleops/schema";

/** The incident as notifications describe it. */
export interface NotifiedIncident {
  id: string;
  title: string;
  severity: Severity;
  status: "open" | "acknowledged" | "resolved";
  alert_count: number;
  hosts: string[];
  services: string[];
  sites: string[];
  owner: string | null;
  start_time: string;
  updated_at: string;
  synthetic?: boolean;
  merged_into?: string | null;
}

/** The generic event (`payload` of an outbox row); other channel types are rendered from it. */
export interface NotificationPayload {
  event: "incident.opened" | "incident.updated" | "incident.resolved" | "test";
  incident: NotifiedIncident;
  url: string;
}

export interface HttpRequest {
  kind: "http";
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface EmailMessage {
  kind: "email";
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  /** Set on updates: the Message-ID of the incident's first email, so mail clients thread them. */
  inReplyTo?: string;
}

export interface ChannelTarget {
  id: string;
  tenantId: string;
  type: ChannelType;
  url: string;
  secret: string | null;
}

export const SIGNATURE_HEADER = "X-TeleOps-Signature";

/** `sha256=` and the hex HMAC-SHA256 of the raw body with the channel's secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** One key per tenant and incident, so PagerDuty folds every message about an incident into one alert. */
export function pagerDutyDedupKey(tenantId: string, incidentId: string): string {
  return `teleops/${tenantId}/${incidentId}`;
}

const PAGERDUTY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: "critical",
  major: "error",
  minor: "warning",
  warning: "warning",
  info: "info",
};

function headline(payload: NotificationPayload): string {
  const { incident } = payload;
  const verb =
    payload.event === "incident.opened"
      ? "opened"
      : payload.event === "incident.resolved"
        ? "resolved"
        : payload.event === "test"
          ? "test message"
          : incident.status === "acknowledged"
            ? "acknowledged"
            : "updated";
  return `[${incident.severity.toUpperCase()}] ${incident.id} ${verb}: ${incident.title}`;
}

function details(incident: NotifiedIncident): string[] {
  return [
    `Status: ${incident.status}${incident.owner ? ` (owner ${incident.owner})` : ""}`,
    `Alerts: ${incident.alert_count}`,
    ...(incident.sites.length > 0 ? [`Sites: ${incident.sites.join(", ")}`] : []),
    ...(incident.hosts.length > 0
      ? [`Hosts: ${incident.hosts.slice(0, 10).join(", ")}${incident.hosts.length > 10 ? ", …" : ""}`]
      : []),
    ...(incident.services.length > 0 ? [`Services: ${incident.services.join(", ")}`] : []),
    `Started: ${incident.start_time}`,
  ];
}

function pagerDutyEvent(target: ChannelTarget, payload: NotificationPayload): Record<string, unknown> {
  const { incident } = payload;
  const dedupKey =
    payload.event === "test"
      ? `teleops/${target.tenantId}/test/${target.id}`
      : pagerDutyDedupKey(target.tenantId, incident.id);
  const action =
    payload.event === "incident.resolved" || incident.status === "resolved"
      ? "resolve"
      : payload.event === "incident.updated" && incident.status === "acknowledged"
        ? "acknowledge"
        : "trigger";
  const base = { routing_key: target.secret ?? "", event_action: action, dedup_key: dedupKey };
  if (action !== "trigger") return base;
  return {
    ...base,
    payload: {
      summary: headline(payload).slice(0, 1024),
      source: incident.hosts[0] ?? "teleops",
      severity: PAGERDUTY_SEVERITY[incident.severity],
      timestamp: incident.start_time,
      component: incident.hosts[0],
      group: incident.sites[0],
      class: incident.services[0],
      custom_details: { ...incident },
    },
    client: "TeleOps",
    client_url: payload.url,
    links: [{ href: payload.url, text: `${incident.id} in TeleOps` }],
  };
}

function slackMessage(payload: NotificationPayload): Record<string, unknown> {
  const title = headline(payload);
  const lines = details(payload.incident);
  return {
    text: `${title}\n${payload.url}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*<${payload.url}|${title.replace(/[<>&]/g, "")}>*` } },
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
    ],
  };
}

/** The request or email a channel is sent for one event. */
export function renderMessage(target: ChannelTarget, payload: NotificationPayload): HttpRequest | EmailMessage {
  const json = (value: unknown) => JSON.stringify(value);
  switch (target.type) {
    case "webhook": {
      const body = json(payload);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "X-TeleOps-Event": payload.event,
      };
      if (target.secret) headers[SIGNATURE_HEADER] = signBody(body, target.secret);
      return { kind: "http", url: target.url, headers, body };
    }
    case "slack":
      return {
        kind: "http",
        url: target.url,
        headers: { "content-type": "application/json" },
        body: json(slackMessage(payload)),
      };
    case "pagerduty":
      return {
        kind: "http",
        url: target.url,
        headers: { "content-type": "application/json" },
        body: json(pagerDutyEvent(target, payload)),
      };
    case "email": {
      const thread = `<${payload.incident.id}.${target.tenantId}.${target.id}@teleops>`;
      const first = payload.event === "incident.opened" || payload.event === "test";
      return {
        kind: "email",
        to: target.url
          .slice("mailto:".length)
          .split(",")
          .map((address) => address.trim()),
        // One subject per incident (severity and status are in the text), so clients that thread by subject agree.
        subject: `${first ? "" : "Re: "}[TeleOps] ${payload.incident.id}: ${payload.incident.title}`,
        text: [headline(payload), "", ...details(payload.incident), "", payload.url, ""].join("\n"),
        messageId: first ? thread : `<${payload.incident.id}.${Date.now()}.${target.id}@teleops>`,
        ...(first ? {} : { inReplyTo: thread }),
      };
    }
  }
}
