/**
 * The LLM RCA engine: asks any OpenAI-compatible chat-completions endpoint for ranked hypotheses on a redacted
 * digest of the incident, validates the answer, and reports every failure with the trace of what was sent.
 */
import type { Hypothesis, LlmTrace } from "@teleops/schema";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { ChatCompletion, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ResponseFormatJSONObject, ResponseFormatJSONSchema } from "openai/resources/shared";
import { PreconditionError, UpstreamError, ValidationError } from "../../errors.ts";
import { createRedactor, type Redactor } from "../../redaction/index.ts";
import { ANSWER_JSON_SCHEMA, parseAnswer } from "./answer.ts";
import { redactHypothesis } from "./output.ts";
import { buildRcaPrompt, type LlmRcaInput } from "./prompt.ts";

export const DEFAULT_LLM_TIMEOUT_MS = 60_000;

/** What the server reads from LLM_BASE_URL, LLM_API_KEY, LLM_MODEL and LLM_TIMEOUT_MS; empty strings count as unset. */
export interface LlmConfig {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  model?: string | undefined;
  timeoutMs?: number | undefined;
}

export const LLM_HOW_TO_CONFIGURE =
  "Set LLM_BASE_URL to an OpenAI-compatible endpoint (e.g. https://api.openai.com/v1, or http://127.0.0.1:11434/v1 for Ollama) " +
  "and LLM_MODEL to a model it serves; LLM_API_KEY if the server requires one; LLM_TIMEOUT_MS to change the 60 s time limit.";

export interface LlmEngineDescription {
  configured: boolean;
  model: string | null;
  /** Host and port only: no path, no credentials. */
  baseUrl: string | null;
  howToConfigure: string;
}

export interface LlmRcaOutcome {
  hypotheses: Hypothesis[];
  model: string;
  trace: LlmTrace;
}

export interface LlmEngine {
  readonly configured: boolean;
  describe(): LlmEngineDescription;
  /** Throws `LlmNotConfiguredError` without any network call when not configured, `LlmRunError` on any failure. */
  run(input: LlmRcaInput): Promise<LlmRcaOutcome>;
}

export class LlmNotConfiguredError extends PreconditionError {
  constructor() {
    super(`LLM engine not configured: ${LLM_HOW_TO_CONFIGURE}`);
  }
}

export type LlmFailure = "timeout" | "http" | "connection" | "invalid_output" | "unexpected";

/** A failed LLM run; `trace` records what was sent and received so the caller can store the failure. */
export class LlmRunError extends UpstreamError {
  constructor(
    message: string,
    readonly failure: LlmFailure,
    readonly trace: LlmTrace,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

type ResponseFormat = ResponseFormatJSONSchema | ResponseFormatJSONObject | undefined;

/** Structured output first; servers that reject it get JSON mode, then plain text (the reply is validated either way). */
const RESPONSE_FORMATS: readonly ResponseFormat[] = [
  {
    type: "json_schema",
    json_schema: { name: "rca_hypotheses", strict: true, schema: ANSWER_JSON_SCHEMA },
  },
  { type: "json_object" },
  undefined,
];
const ANSWER_ATTEMPTS = 2;
const ERROR_DETAIL_CHARS = 300;

function blank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function endpointHost(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ValidationError(`LLM_BASE_URL is not a URL: "${baseUrl}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError(`LLM_BASE_URL must be http(s), got "${url.protocol}"`);
  }
  return url.host;
}

/** The server's complaint is about the response format we asked for (not about the prompt or the model). */
function rejectsResponseFormat(error: unknown): boolean {
  return (
    error instanceof APIError &&
    (error.status === 400 || error.status === 422) &&
    /response_format|json_schema|json_object|structured output|schema/i.test(error.message)
  );
}

function apiErrorDetail(error: APIError): string {
  const body = error.error;
  const message =
    typeof body === "object" && body !== null && "message" in body && typeof body.message === "string"
      ? body.message
      : error.message;
  return message.replace(/\s+/g, " ").trim().slice(0, ERROR_DETAIL_CHARS);
}

/** Collects what one run sent and received, redacted, for the trace. */
class TraceRecorder {
  private readonly started = performance.now();
  private readonly replies: string[] = [];
  private promptTokens: number | null = null;
  private completionTokens: number | null = null;
  requests = 0;
  format: ResponseFormat = undefined;

  constructor(
    private readonly redactor: Redactor,
    private readonly prompt: string,
  ) {}

  record(completion: ChatCompletion): string | null {
    const content = completion.choices[0]?.message?.content ?? null;
    this.replies.push(content === null ? "(no content)" : this.redactor.redactText(content));
    if (completion.usage) {
      this.promptTokens = (this.promptTokens ?? 0) + completion.usage.prompt_tokens;
      this.completionTokens = (this.completionTokens ?? 0) + completion.usage.completion_tokens;
    }
    return content;
  }

  trace(outcome: string, error: string | null, repair: string | null = null): LlmTrace {
    const rawResponse =
      this.replies.length === 0
        ? null
        : this.replies.length === 1
          ? (this.replies[0] ?? null)
          : this.replies.map((reply, i) => `--- answer ${i + 1} ---\n${reply}`).join("\n");
    const format = this.format?.type ?? "none";
    // Outcomes and errors quote the model (unknown ids it cited, the JSON parser's excerpt of its reply).
    const said = (text: string) => this.redactor.redactText(text);
    return {
      redacted_prompt: repair === null ? this.prompt : `${this.prompt}\n\n[user, repair]\n${repair}`,
      raw_response: rawResponse,
      parse_outcome: said(format === "json_schema" ? outcome : `${outcome} (response_format ${format})`),
      attempts: this.requests,
      latency_ms: Math.round(performance.now() - this.started),
      prompt_tokens: this.promptTokens,
      completion_tokens: this.completionTokens,
      error: error === null ? null : said(error),
    };
  }
}

export function createLlmEngine(config: LlmConfig): LlmEngine {
  const baseUrl = blank(config.baseUrl);
  const model = blank(config.model);
  const host = baseUrl === undefined ? null : endpointHost(baseUrl);
  const timeoutMs = config.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ValidationError(`LLM_TIMEOUT_MS must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  const configured = baseUrl !== undefined && model !== undefined;
  const client = configured
    ? new OpenAI({
        baseURL: baseUrl,
        apiKey: blank(config.apiKey) ?? "not-needed",
        timeout: timeoutMs,
        maxRetries: 0,
        // The SDK would otherwise pick these up from OPENAI_* variables; TeleOps reads its own configuration.
        organization: null,
        project: null,
      })
    : null;
  // Remembered across runs, so a server without structured output pays for the rejected request once.
  let formatIndex = 0;

  const describe = (): LlmEngineDescription => ({
    configured,
    model: model ?? null,
    baseUrl: host,
    howToConfigure: LLM_HOW_TO_CONFIGURE,
  });

  async function run(input: LlmRcaInput): Promise<LlmRcaOutcome> {
    if (!client || model === undefined) throw new LlmNotConfiguredError();
    const api = client;
    const modelName = model;
    const tenants = input.alerts.flatMap((alert) => (alert.tenant_id ? [alert.tenant_id] : []));
    const redactor = createRedactor({ tenants });
    const prompt = buildRcaPrompt(input, redactor);
    const recorder = new TraceRecorder(redactor, `[system]\n${prompt.system}\n\n[user]\n${prompt.user}`);
    const deadline = performance.now() + timeoutMs;
    const messages: ChatCompletionMessageParam[] = [
      { role: "system", content: prompt.system },
      { role: "user", content: prompt.user },
    ];

    const failure = (message: string, kind: LlmFailure, outcome: string, status: number | null = null) =>
      new LlmRunError(message, kind, recorder.trace(outcome, message), status);
    const timedOut = () =>
      failure(`LLM request to ${host} timed out after ${timeoutMs} ms`, "timeout", "no answer: timeout");

    async function complete(): Promise<ChatCompletion> {
      for (;;) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw timedOut();
        const format = RESPONSE_FORMATS[formatIndex];
        recorder.format = format;
        recorder.requests++;
        try {
          return await api.chat.completions.create(
            { model: modelName, messages, ...(format ? { response_format: format } : {}) },
            { timeout: Math.ceil(remaining) },
          );
        } catch (error) {
          if (rejectsResponseFormat(error) && formatIndex < RESPONSE_FORMATS.length - 1) {
            formatIndex++;
            continue;
          }
          if (error instanceof APIConnectionTimeoutError) throw timedOut();
          if (error instanceof APIError && typeof error.status === "number") {
            const detail = redactor.redactText(apiErrorDetail(error));
            const message = `LLM endpoint ${host} answered HTTP ${error.status}: ${detail}`;
            throw failure(message, "http", "no answer: HTTP error", error.status);
          }
          const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause : error).message : "";
          if (error instanceof APIConnectionError) {
            throw failure(
              `cannot reach LLM endpoint ${host}: ${redactor.redactText(cause)}`,
              "connection",
              "no answer: connection",
            );
          }
          throw failure(
            `LLM request to ${host} failed: ${redactor.redactText(cause || String(error))}`,
            "unexpected",
            "no answer: error",
          );
        }
      }
    }

    let lastError = "";
    let repair: string | null = null;
    for (let attempt = 1; attempt <= ANSWER_ATTEMPTS; attempt++) {
      const content = recorder.record(await complete());
      const parsed = parseAnswer(content, input.alerts, new Set(input.chunks.map((chunk) => chunk.id)));
      if (parsed.ok) {
        const hypotheses = parsed.hypotheses.map((h) => redactHypothesis(h, redactor));
        const outcome = [attempt === 1 ? "valid" : `valid after repair (${lastError})`, ...parsed.notes].join("; ");
        return { hypotheses, model, trace: recorder.trace(outcome, null, repair) };
      }
      // The parser's complaint can quote the reply, and it ends up in the stored error and the evaluation report.
      lastError = redactor.redactText(parsed.error);
      repair = `Your previous reply was not usable: ${lastError}. Reply again with only the JSON object in the requested shape.`;
      messages.push(
        { role: "assistant", content: redactor.redactText(content ?? "") },
        { role: "user", content: repair },
      );
    }
    throw failure(
      `LLM answer invalid after ${ANSWER_ATTEMPTS} attempts: ${lastError}`,
      "invalid_output",
      `invalid after repair: ${lastError}`,
    );
  }

  return { configured, describe, run };
}
