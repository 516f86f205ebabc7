import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { Alert, Hypothesis } from "@teleops/schema";
import { afterEach, describe, expect, it } from "vitest";
import { loadLabelFile, VENDOR_LABELS_PATH } from "../../evaluation/labels.ts";
import { caseAlerts } from "../../evaluation/run.ts";
import { generateScenario, loadTopology } from "../../generator/index.ts";
import {
  buildRcaPrompt,
  createLlmEngine,
  LlmNotConfiguredError,
  type LlmRcaInput,
  type LlmRunbookChunk,
  LlmRunError,
} from "./index.ts";

/** What the fake endpoint answers to one request. */
interface Reply {
  status?: number;
  body?: unknown;
  delayMs?: number;
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type: string; json_schema?: { name: string; strict: boolean; schema: unknown } };
  };
}

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

/** A local OpenAI-compatible chat-completions endpoint that records every request and answers with `reply`. */
async function startEndpoint(reply: (request: Received, index: number) => Reply) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const raw = Buffer.concat(parts).toString("utf8");
      const request: Received = { path: req.url ?? "", headers: req.headers, raw, body: JSON.parse(raw) };
      received.push(request);
      const answer = reply(request, received.length - 1);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body ?? {}));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  servers.push(close);
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, received, close };
}

function completion(content: string | null): Reply {
  return {
    body: {
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1_741_939_200,
      model: "test-model",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1200, completion_tokens: 150, total_tokens: 1350 },
    },
  };
}

const TENANT = "acme-telecom";
const SECRETS = [
  "198.51.100.19",
  "2001:db8:fbf6::13",
  "203.0.113.154",
  "noc-oncall@acme-telecom.example",
  "00:1a:2b:3c:4d:5e",
  "310150123456789",
  TENANT,
];

function alert(
  id: number,
  second: number,
  host: string,
  type: string,
  severity: Alert["severity"],
  message: string,
  payload = {},
): Alert {
  return {
    id,
    fingerprint: `fp-${host}-${type}`,
    timestamp: new Date(Date.parse("2025-03-14T08:00:00Z") + second * 1000).toISOString(),
    source_system: "syslog",
    host,
    service: "transport",
    severity,
    alert_type: type,
    message,
    tags: { site: "fra1" },
    raw_payload: payload,
    tenant_id: TENANT,
    status: "firing",
    incident_id: "INC-000001",
  };
}

const ALERTS: Alert[] = [
  alert(1, 0, "fra1-roadm-01", "optical_loss_of_signal", "major", "LOS on 1-5-L1 (fra1–ams1 span): rx -39.4 dBm", {
    port: "1-5-L1",
    mgmt_mac: "00:1a:2b:3c:4d:5e",
  }),
  alert(2, 4, "fra1-core-01", "interface_down", "critical", "xe-0/0/1 down, LLDP neighbor 2001:db8:fbf6::13 lost"),
  alert(
    3,
    9,
    "fra1-edge-01",
    "bgp_session_down",
    "minor",
    "BGP peer 198.51.100.19 (AS 64502) Idle; paged noc-oncall@acme-telecom.example",
    {
      peer_ip: "198.51.100.19",
      tenant: TENANT,
    },
  ),
  alert(
    4,
    12,
    "fra1-dns-01",
    "dns_query_timeout",
    "minor",
    `probe to 203.0.113.154:53 timed out for ${TENANT} subscriber 310150123456789`,
  ),
];

const BASELINE: Hypothesis[] = [
  {
    rank: 1,
    category: "fiber_cut",
    root_component: "fra1-roadm-01",
    hypothesis: "Fiber cut on the fra1–ams1 span seen first by fra1-roadm-01 (LOS on 1-5-L1)",
    confidence: 0.82,
    evidence: {
      alert_ids: [1, 2],
      counts_by_type: { optical_loss_of_signal: 1, interface_down: 1 },
      first_seen: { optical_loss_of_signal: "2025-03-14T08:00:00.000Z" },
      notes: ["first alarm on fra1-roadm-01 (optical layer)"],
    },
    remediation_steps: ["Dispatch field team with OTDR"],
    runbook_refs: ["fiber_cut.md#diagnosis"],
  },
];

const CHUNKS: LlmRunbookChunk[] = [
  {
    id: "fiber_cut.md#diagnosis",
    file: "fiber_cut.md",
    heading: "Diagnosis",
    text: "Confirm LOS on both ends of the span; run an OTDR trace to locate the break.",
  },
];

const INPUT: LlmRcaInput = {
  incidentId: "INC-000001",
  summary: `Transport outage at fra1 reported by ${TENANT}`,
  alerts: ALERTS,
  baseline: BASELINE,
  chunks: CHUNKS,
  topologyRoles: { "fra1-roadm-01": "optical", "fra1-core-01": "core" },
};

const ANSWER = {
  hypotheses: [
    {
      rank: 1,
      category: "fiber_cut",
      root_component: "fra1-roadm-01",
      hypothesis: "Fiber cut on the fra1–ams1 span: fra1-roadm-01 lost signal on 1-5-L1 before the routers flapped",
      confidence: 0.86,
      evidence_alert_ids: [1, 2],
      evidence_notes: ["LOS at 08:00:00 precedes interface_down at 08:00:04"],
      remediation_steps: ["Run OTDR from fra1-roadm-01 on 1-5-L1", "Dispatch field team to the break"],
      runbook_ids: ["fiber_cut.md#diagnosis", "invented.md#nowhere"],
    },
    {
      rank: 2,
      category: "router_freeze",
      root_component: "fra1-core-01",
      hypothesis: "fra1-core-01 line card failure took xe-0/0/1 down",
      confidence: 0.1,
      evidence_alert_ids: [2],
      evidence_notes: [],
      remediation_steps: ["Check line card state"],
      runbook_ids: [],
    },
  ],
};

function engineFor(baseUrl: string, timeoutMs = 5_000) {
  return createLlmEngine({ baseUrl, model: "test-model", apiKey: "sk-test", timeoutMs });
}

function expectRedacted(request: Received) {
  for (const secret of SECRETS) expect(request.raw).not.toContain(secret);
}

async function runError(promise: Promise<unknown>): Promise<LlmRunError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof LlmRunError)) throw new Error(`expected an LlmRunError, got ${String(error)}`);
  return error;
}

describe("LLM engine against an OpenAI-compatible endpoint", () => {
  it("turns a valid structured answer into ranked hypotheses and sends only redacted facts", async () => {
    const endpoint = await startEndpoint(() => completion(JSON.stringify(ANSWER)));
    const outcome = await engineFor(endpoint.baseUrl).run(INPUT);

    expect(endpoint.received).toHaveLength(1);
    const [request] = endpoint.received;
    if (!request) throw new Error("no request");
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe("Bearer sk-test");
    expect(request.body.model).toBe("test-model");
    expect(request.body.messages?.map((m) => m.role)).toEqual(["system", "user"]);
    expect(request.body.response_format?.type).toBe("json_schema");
    expect(request.body.response_format?.json_schema).toMatchObject({ name: "rca_hypotheses", strict: true });
    const user = request.body.messages?.[1]?.content ?? "";
    expect(user).toContain("fra1-roadm-01 (optical)");
    expect(user).toContain("[fiber_cut.md#diagnosis]");
    expect(user).toContain("1. fiber_cut, fra1-roadm-01, 0.82");
    expect(user).toMatch(/BGP peer <ipv4-\d+> \(AS 64502\)/);
    expect(user).toContain("<tenant-1>");
    expectRedacted(request);

    expect(outcome.model).toBe("test-model");
    expect(outcome.hypotheses).toHaveLength(2);
    const [top] = outcome.hypotheses;
    expect(top).toMatchObject({
      rank: 1,
      category: "fiber_cut",
      root_component: "fra1-roadm-01",
      confidence: 0.86,
      runbook_refs: ["fiber_cut.md#diagnosis"],
      evidence: {
        alert_ids: [1, 2],
        counts_by_type: { optical_loss_of_signal: 1, interface_down: 1 },
        first_seen: { optical_loss_of_signal: "2025-03-14T08:00:00.000Z", interface_down: "2025-03-14T08:00:04.000Z" },
      },
    });
    expect(outcome.trace).toMatchObject({ attempts: 1, prompt_tokens: 1200, completion_tokens: 150, error: null });
    expect(outcome.trace.parse_outcome).toMatch(/^valid; dropped unknown runbook ids invented/);
    expect(outcome.trace.redacted_prompt).toContain("[system]");
    for (const secret of SECRETS) expect(outcome.trace.redacted_prompt).not.toContain(secret);
  });

  it("accepts JSON wrapped in a markdown fence", async () => {
    const fenced = `Here is my analysis:\n\n\`\`\`json\n${JSON.stringify(ANSWER, null, 2)}\n\`\`\`\nLet me know.`;
    const endpoint = await startEndpoint(() => completion(fenced));
    const outcome = await engineFor(endpoint.baseUrl).run(INPUT);
    expect(outcome.hypotheses.map((h) => h.category)).toEqual(["fiber_cut", "router_freeze"]);
    expect(outcome.trace.raw_response).toContain("```json");
  });

  it("sends the validation error back once and uses the repaired answer", async () => {
    const endpoint = await startEndpoint((_, index) =>
      completion(index === 0 ? '{"hypotheses":[{"category":"cable problem","confidence":7}]}' : JSON.stringify(ANSWER)),
    );
    const outcome = await engineFor(endpoint.baseUrl).run(INPUT);

    expect(endpoint.received).toHaveLength(2);
    const repair = endpoint.received[1]?.body.messages ?? [];
    expect(repair.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(repair[3]?.content).toMatch(/not usable: the reply does not match the schema: hypotheses\.0\.category/);
    for (const request of endpoint.received) expectRedacted(request);
    expect(outcome.hypotheses[0]?.category).toBe("fiber_cut");
    expect(outcome.trace.attempts).toBe(2);
    expect(outcome.trace.parse_outcome).toMatch(/^valid after repair/);
    expect(outcome.trace.raw_response).toContain("--- answer 2 ---");
    expect(outcome.trace.redacted_prompt).toContain("[user, repair]");
  });

  it("rejects a hypothesis citing alert ids not in the incident and uses the repaired answer", async () => {
    const citesInvented = {
      hypotheses: [{ ...ANSWER.hypotheses[0], evidence_alert_ids: [1, 99, 4242] }, ANSWER.hypotheses[1]],
    };
    const endpoint = await startEndpoint((_, index) =>
      completion(JSON.stringify(index === 0 ? citesInvented : ANSWER)),
    );
    const outcome = await engineFor(endpoint.baseUrl).run(INPUT);
    expect(endpoint.received).toHaveLength(2);
    const repair = endpoint.received[1]?.body.messages?.[3]?.content ?? "";
    expect(repair).toMatch(/hypothesis 1 cites alert ids that are not in this incident: #99, #4242/);
    expect(outcome.hypotheses[0]?.evidence.alert_ids).toEqual([1, 2]);
    expect(outcome.trace.parse_outcome).toMatch(/^valid after repair \(hypothesis 1 cites alert ids/);
  });

  it("fails with that error when the repaired answer still cites alerts that are not in the incident", async () => {
    const endpoint = await startEndpoint(() =>
      completion(JSON.stringify({ hypotheses: [{ ...ANSWER.hypotheses[1], evidence_alert_ids: [5] }] })),
    );
    const error = await runError(engineFor(endpoint.baseUrl).run(INPUT));
    expect(endpoint.received).toHaveLength(2);
    expect(error.failure).toBe("invalid_output");
    expect(error.message).toMatch(
      /invalid after 2 attempts: hypothesis 1 cites alert ids that are not in this incident: #5/,
    );
    expect(error.trace.error).toBe(error.message);
  });

  it("fails with a clear error and a trace when the answer is invalid twice", async () => {
    const endpoint = await startEndpoint(() => completion("I think it is a fiber cut."));
    const error = await runError(engineFor(endpoint.baseUrl).run(INPUT));
    expect(endpoint.received).toHaveLength(2);
    expect(error.failure).toBe("invalid_output");
    expect(error.message).toMatch(/LLM answer invalid after 2 attempts: the reply is not JSON/);
    expect(error.trace).toMatchObject({ attempts: 2, error: error.message });
    expect(error.trace.parse_outcome).toMatch(/^invalid after repair/);
  });

  it("reports an HTTP 500 with its status and records the trace", async () => {
    const endpoint = await startEndpoint(() => ({
      status: 500,
      body: { error: { message: "model crashed", type: "server_error" } },
    }));
    const error = await runError(engineFor(endpoint.baseUrl).run(INPUT));
    expect(endpoint.received).toHaveLength(1);
    expect(error.failure).toBe("http");
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/^LLM endpoint 127\.0\.0\.1:\d+ answered HTTP 500: model crashed$/);
    expect(error.trace).toMatchObject({ attempts: 1, raw_response: null, parse_outcome: "no answer: HTTP error" });
    expect(error.trace.redacted_prompt).toContain("fra1-roadm-01");
    expectRedacted(endpoint.received[0] ?? { path: "", headers: {}, raw: "", body: {} });
  });

  it("gives up with a timeout error when the endpoint is slower than the time limit", async () => {
    const endpoint = await startEndpoint(() => ({ ...completion(JSON.stringify(ANSWER)), delayMs: 3_000 }));
    const started = performance.now();
    const error = await runError(engineFor(endpoint.baseUrl, 300).run(INPUT));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.failure).toBe("timeout");
    expect(error.message).toMatch(/timed out after 300 ms/);
    expect(error.trace).toMatchObject({ attempts: 1, raw_response: null, parse_outcome: "no answer: timeout" });
  });

  it("falls back to JSON mode when the server rejects json_schema, and remembers it", async () => {
    const endpoint = await startEndpoint((request) =>
      request.body.response_format?.type === "json_schema"
        ? {
            status: 400,
            body: { error: { message: "response_format type json_schema is not supported by this server" } },
          }
        : completion(JSON.stringify(ANSWER)),
    );
    const engine = engineFor(endpoint.baseUrl);
    const outcome = await engine.run(INPUT);
    expect(endpoint.received.map((r) => r.body.response_format?.type)).toEqual(["json_schema", "json_object"]);
    expect(outcome.trace.attempts).toBe(2);
    expect(outcome.trace.parse_outcome).toMatch(/\(response_format json_object\)$/);

    await engine.run(INPUT);
    expect(endpoint.received.map((r) => r.body.response_format?.type)).toEqual([
      "json_schema",
      "json_object",
      "json_object",
    ]);
  });

  it("says how to configure it and never calls out when model or base URL are missing", async () => {
    const endpoint = await startEndpoint(() => completion(JSON.stringify(ANSWER)));
    for (const config of [{}, { baseUrl: endpoint.baseUrl }, { model: "test-model" }, { baseUrl: " ", model: "" }]) {
      const engine = createLlmEngine(config);
      expect(engine.configured).toBe(false);
      expect(engine.describe().howToConfigure).toMatch(/LLM_BASE_URL.*LLM_MODEL/);
      await expect(engine.run(INPUT)).rejects.toBeInstanceOf(LlmNotConfiguredError);
    }
    expect(endpoint.received).toHaveLength(0);
  });

  it("describes the endpoint by host only", () => {
    const engine = createLlmEngine({ baseUrl: "https://user:secret@llm.example.net:8443/v1/", model: "m" });
    expect(engine.describe()).toMatchObject({ configured: true, model: "m", baseUrl: "llm.example.net:8443" });
    expect(() => createLlmEngine({ baseUrl: "not a url", model: "m" })).toThrow(/LLM_BASE_URL is not a URL/);
  });

  it("reports an endpoint that cannot be reached", async () => {
    const endpoint = await startEndpoint(() => completion("{}"));
    await endpoint.close();
    const error = await runError(engineFor(endpoint.baseUrl).run(INPUT));
    expect(error.failure).toBe("connection");
    expect(error.message).toMatch(/^cannot reach LLM endpoint 127\.0\.0\.1:\d+/);
  });
});

describe("LLM prompt", () => {
  it("carries the facts the baseline reads on real feeds: Alertmanager labels and annotations, parsed syslog fields, per-host details", () => {
    const vendor = loadLabelFile(VENDOR_LABELS_PATH).cases;
    // Any Alertmanager-delivered case with SNMP interface labels, and any syslog case with a BGP peer.
    const snmp = vendor.find((c) => c.alerts?.some((a) => a.source_system === "alertmanager" && a.tags.ifName));
    const bgp = vendor.find((c) =>
      c.alerts?.some((a) => a.source_system !== "alertmanager" && a.alert_type === "bgp_session_up" && a.tags.neighbor),
    );
    if (!snmp || !bgp) throw new Error("the vendor label set lost its SNMP or BGP cases");

    const snmpAlerts = caseAlerts(snmp);
    const withLabels = snmpAlerts.find((a) => a.tags.ifName) as Alert;
    const annotations = withLabels.raw_payload.annotations as Record<string, string>;
    const prompt = buildRcaPrompt({
      incidentId: snmp.case_id,
      summary: null,
      alerts: snmpAlerts,
      baseline: [],
      chunks: [],
    });
    expect(prompt.user).toContain(`ifName=${withLabels.tags.ifName}`);
    expect(prompt.user).toContain(`description: ${annotations.description?.replace(/\s+/g, " ").trim()}`);
    expect(prompt.user).toMatch(new RegExp(`- ${withLabels.host}: interface=`));
    expect(prompt.user).not.toContain("generatorURL");

    const bgpAlerts = caseAlerts(bgp);
    const session = bgpAlerts.find((a) => a.alert_type === "bgp_session_down" && a.tags.neighbor) as Alert;
    const bgpPrompt = buildRcaPrompt({
      incidentId: bgp.case_id,
      summary: null,
      alerts: bgpAlerts,
      baseline: [],
      chunks: [],
    });
    expect(bgpPrompt.user).toContain(`mnemonic=${String(session.raw_payload.mnemonic)}`);
    expect(bgpPrompt.user).toMatch(new RegExp(`- ${session.host}: .*peer=<ipv4-\\d+>`));
    expect(bgpPrompt.user).toMatch(/bgp_session_up \(resolved\)/);
    // Addresses stay redacted in the labels and facts as everywhere else.
    expect(bgpPrompt.user).not.toContain(session.tags.neighbor);
  });

  it("stays compact and redacted for a 250-alert incident", () => {
    const generated = generateScenario(
      { scenario: "bgp_flap", seed: 1, durationMinutes: 10, ratePerMinute: 25, noisePerMinute: 2 },
      loadTopology(),
      new Date("2025-03-14T08:00:00Z"),
    );
    const alerts: Alert[] = generated.alerts
      .slice(0, 250)
      .map((a, index) => ({ ...a, id: index + 1, incident_id: "INC-000001" }));
    expect(alerts).toHaveLength(250);
    // Five retrieved sections longer than the per-section cap: the largest runbook part the prompt can carry.
    const chunks = Array.from({ length: 5 }, (_, i) => ({
      id: `runbook-${i}.md#diagnosis`,
      file: `runbook-${i}.md`,
      heading: "Diagnosis",
      text: "Check the session state and the peer's last error. ".repeat(30),
    }));
    const prompt = buildRcaPrompt({
      incidentId: "INC-000001",
      summary: "BGP flaps at ams1",
      alerts,
      baseline: BASELINE,
      chunks,
    });

    const sampleLines = prompt.user.split("\n").filter((line) => /^#\d+ /.test(line));
    expect(sampleLines.length).toBeLessThanOrEqual(40);
    expect(prompt.user).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(prompt.user).not.toContain("2001:db8");
    // Generated alerts carry no ground truth, so none can reach the model.
    expect(prompt.user).not.toContain("scenario");
    expect(prompt.user).not.toContain("bgp_flap");
    expect(prompt.chars).toBeLessThan(20_000);
    console.info(`LLM prompt for 250 alerts: ${prompt.chars} characters, ~${prompt.approxTokens} tokens`);
  });
});

describe("LLM redaction gaps (issue 16, item 9)", () => {
  const LEAKS = {
    privateKey: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    credentials: "svc-noc:Tr0ub4dor&3",
    cookie: "JSESSIONID=8F3A2C71D9",
    secretKey: "sk_live_51HcQ2x",
    email: "victim.person@trusted.example.com",
    ipv4: "10.11.12.13",
    ipv6: "2001:db8:ab::7",
  };
  // The e-mail straddles the 220-character message cut, the address the 48-character payload cut.
  const longMessage = `${"x".repeat(200)} contact ${LEAKS.email} now`;
  const leakyAlerts: Alert[] = [
    alert(1, 0, "fra1-core-01", "auth_failure", "major", longMessage, {
      private_key: LEAKS.privateKey,
      credentials: LEAKS.credentials,
      cookie: LEAKS.cookie,
      note: `${"n".repeat(40)} ${LEAKS.ipv4}`,
    }),
    alert(
      2,
      5,
      "fra1-core-01",
      "config_change",
      "minor",
      `SECRET_KEY=${LEAKS.secretKey} secret_key ${LEAKS.secretKey} private_key=${LEAKS.privateKey} credentials: ${LEAKS.credentials} via ${LEAKS.ipv6}`,
    ),
  ];
  const leakyInput: LlmRcaInput = { ...INPUT, alerts: leakyAlerts, baseline: [] };
  const fragments = ["victim", "@tru", "10.11", "2001:db8", "MIIE", "Tr0ub", "8F3A2C", "sk_live"];

  it("sends no credential payload value, no secret assignment and no fragment cut out of an address", () => {
    const prompt = buildRcaPrompt(leakyInput);
    for (const fragment of fragments) expect(prompt.user).not.toContain(fragment);
    expect(prompt.user).toContain("private_key=<secret>");
    expect(prompt.user).toContain("cookie=<secret>");
  });

  it("stores no value the model echoes back in hypotheses, notes, steps, outcome or trace", async () => {
    const echo = {
      hypotheses: [
        {
          rank: 1,
          category: "other",
          root_component: LEAKS.ipv4,
          hypothesis: `Leaked SECRET_KEY=${LEAKS.secretKey} from ${LEAKS.email} at ${LEAKS.ipv6}`,
          confidence: 0.4,
          evidence_alert_ids: [1],
          evidence_notes: [`cookie: ${LEAKS.cookie}`, `private_key=${LEAKS.privateKey}`],
          remediation_steps: [`Rotate credentials: ${LEAKS.credentials}`],
          runbook_ids: [`${LEAKS.email}#x`],
        },
      ],
    };
    const endpoint = await startEndpoint(() => completion(JSON.stringify(echo)));
    const outcome = await engineFor(endpoint.baseUrl).run(leakyInput);
    const stored = JSON.stringify(outcome);
    for (const fragment of fragments) expect(stored).not.toContain(fragment);
    expect(outcome.hypotheses[0]?.root_component).toMatch(/^<ipv4-\d+>$/);
  });

  it("keeps no echoed value in the error and trace of an answer that never parses", async () => {
    const endpoint = await startEndpoint(() => completion(`${LEAKS.email} says SECRET_KEY=${LEAKS.secretKey} {`));
    const error = await runError(engineFor(endpoint.baseUrl).run(leakyInput));
    const kept = JSON.stringify({ message: error.message, trace: error.trace });
    for (const fragment of fragments) expect(kept).not.toContain(fragment);
  });
});
