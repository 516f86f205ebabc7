/**
 * Fake ServiceNow and Jira servers on a loopback port, for tests of the ticket clients: they record every request
 * and answer what the test scripts (the real APIs' success bodies by default).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

export interface FakeTicketSystem {
  url: string;
  requests: RecordedRequest[];
  /** The answers to give next, in order; when empty, the API's usual 201. */
  script: ScriptedAnswer[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A created ServiceNow incident as the Table API answers it: every value a string, the number counted up. */
function servicenowAnswer(body: unknown, sequence: number): unknown {
  const sent = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  return {
    result: {
      ...sent,
      sys_id: `5e1f${String(sequence).padStart(28, "0")}`,
      number: `INC${String(20_000 + sequence).padStart(7, "0")}`,
      state: "1",
      priority: sent.impact === "1" && sent.urgency === "1" ? "1" : "3",
      sys_updated_on: "2026-12-03 10:00:00",
    },
  };
}

function jiraAnswer(url: string, sequence: number): unknown {
  const id = String(10_900 + sequence);
  return { id, key: `NOC-${sequence}`, self: `${url}/rest/api/3/issue/${id}` };
}

export async function startFakeTicketSystem(kind: "servicenow" | "jira"): Promise<FakeTicketSystem> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedAnswer[] = [];
  const hanging = new Set<() => void>();
  let url = "";
  const server: Server = createServer(async (request, response) => {
    const body = await readJson(request);
    requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body });
    const next = script.shift();
    if (next?.hang) {
      hanging.add(() => response.destroy());
      return;
    }
    const status = next?.status ?? 201;
    const answer =
      next?.body ??
      (kind === "servicenow" ? servicenowAnswer(body, requests.length) : jiraAnswer(url, requests.length));
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
