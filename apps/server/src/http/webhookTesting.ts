/** Helpers for webhook tests: posting bodies as a sender would, signing them, and reading results over tRPC. */
import { createHmac } from "node:crypto";
import type { TestServer } from "../testing.ts";

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Posts a JSON document (or a raw string, sent as is) and reads the JSON answer. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Jira's `X-Hub-Signature` value for a body. */
export function hubSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A tRPC query over HTTP, as the SPA and CLI make it; throws with the server's message on failure. */
export async function trpcQuery<T>(server: TestServer, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${server.url}/trpc/${path}${query}`);
  const json = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!json.result) throw new Error(`${path} failed (${response.status}): ${json.error?.message ?? "no result"}`);
  return json.result.data;
}

export interface EventPage {
  events: Array<{
    id: string;
    source: string;
    outcome: string;
    http_status: number;
    dedup_key: string | null;
    headers: Record<string, string>;
    payload: unknown;
    summary: Record<string, unknown>;
    error: string | null;
  }>;
  total: number;
  byOutcome: Record<string, number>;
}

export function integrationEvents(server: TestServer, input: Record<string, unknown> = {}): Promise<EventPage> {
  return trpcQuery<EventPage>(server, "integrations.events", { limit: 500, ...input });
}
