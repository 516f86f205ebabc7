/**
 * Notification channels and their routes (which incidents go where), the events they carry and the deliveries the
 * notifier records: the input that adds a channel (API, CLI and the SPA's form) and what the API returns.
 */
import { z } from "zod";
import { SEVERITIES } from "./severity.ts";
import { matcherSchema, parseDuration } from "./silence.ts";

export const CHANNEL_TYPES = ["webhook", "slack", "pagerduty", "email"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const NOTIFICATION_EVENTS = ["incident.opened", "incident.updated", "incident.resolved"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** What a route's matchers can name of an incident (an incident has several hosts, services and sites: any may match). */
export const ROUTE_FIELDS = ["severity", "site", "service", "host", "tenant"] as const;

/** PagerDuty's Events API v2 endpoint: the default URL of a `pagerduty` channel. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** The longest a route may wait before notifying: a day (longer is a report, not an alert). */
export const CHANNEL_MAX_DELAY_MS = 86_400_000;

const routeMatcherSchema = matcherSchema.superRefine((matcher, ctx) => {
  if (!(ROUTE_FIELDS as readonly string[]).includes(matcher.name)) {
    ctx.addIssue({
      code: "custom",
      path: ["name"],
      message: `a route matches on ${ROUTE_FIELDS.join(", ")}; "${matcher.name}" is none of them`,
    });
  }
});

const delaySchema = z.union([z.number().int().min(0).max(CHANNEL_MAX_DELAY_MS), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  if (value.trim() === "0") return 0;
  const ms = parseDuration(value);
  if (ms === null || ms > CHANNEL_MAX_DELAY_MS) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a delay: write 0 or e.g. 5m, 2h (at most 1d)` });
    return z.NEVER;
  }
  return ms;
});

const emailList = /^[^\s@,]+@[^\s@,]+(?:\s*,\s*[^\s@,]+@[^\s@,]+)*$/;

export const channelCreateInputSchema = z
  .object({
    type: z.enum(CHANNEL_TYPES, { message: `type must be one of ${CHANNEL_TYPES.join(", ")}` }),
    /** The receiver: an http(s) URL, or for email `mailto:` one or more addresses. PagerDuty defaults to its Events API. */
    url: z.string().trim().min(1, "url must not be empty").max(2_048).optional(),
    /** HMAC key of a webhook, routing key of PagerDuty; never shown back in full. */
    secret: z.string().min(1, "secret must not be empty").max(512).optional(),
    name: z.string().trim().min(1).max(120).optional(),
    min_severity: z.enum(SEVERITIES, { message: `min_severity must be one of ${SEVERITIES.join(", ")}` }).optional(),
    matchers: z.array(routeMatcherSchema).max(20).default([]),
    /** Milliseconds, or a duration such as `10m`: notify only incidents still open this long after they opened. */
    delay: delaySchema.default(0),
  })
  .superRefine((input, ctx) => {
    const url = input.url ?? (input.type === "pagerduty" ? PAGERDUTY_EVENTS_URL : undefined);
    if (url === undefined) {
      ctx.addIssue({ code: "custom", path: ["url"], message: `a ${input.type} channel needs a url` });
      return;
    }
    if (input.type === "email") {
      if (!url.startsWith("mailto:") || !emailList.test(url.slice("mailto:".length))) {
        ctx.addIssue({ code: "custom", path: ["url"], message: "an email channel's url is mailto:address[,address…]" });
      }
    } else if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "url must be an http:// or https:// address" });
    }
    if (input.type === "pagerduty" && !input.secret) {
      ctx.addIssue({
        code: "custom",
        path: ["secret"],
        message: "a pagerduty channel needs its routing key as secret",
      });
    }
  });
export type ChannelCreateInput = z.input<typeof channelCreateInputSchema>;

export const channelSchema = z.object({
  id: z.string(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  /** Shown without credentials: user info and query are dropped, a Slack URL's token path is masked. */
  url: z.string(),
  /** The secret's last four characters after an ellipsis (`…c3f1`), or null when none is set. */
  secret: z.string().nullable(),
  min_severity: z.enum(SEVERITIES).nullable(),
  matchers: z.array(matcherSchema),
  delay_ms: z.number().int(),
  created_by: z.string(),
  created_at: z.string(),
});
export type Channel = z.infer<typeof channelSchema>;

export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveryAttemptSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  response_status: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

export const notificationDeliverySchema = z.object({
  id: z.number().int(),
  channel_id: z.string(),
  channel_type: z.enum(CHANNEL_TYPES).nullable(),
  channel_name: z.string().nullable(),
  incident_id: z.string().nullable(),
  event: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  next_attempt_at: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
  history: z.array(deliveryAttemptSchema),
});
export type NotificationDelivery = z.infer<typeof notificationDeliverySchema>;

export const deliveryListInputSchema = z.object({
  channel_id: z.string().trim().min(1).max(64).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
