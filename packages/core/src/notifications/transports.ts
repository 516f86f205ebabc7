/**
 * Sending one rendered message: an HTTP POST with a timeout, or an email through SMTP with nodemailer. The outcome
 * says whether trying again could help (a 5xx, 408, 429 or no answer) or not (any other 4xx: the receiver refuses).
 */
import nodemailer from "nodemailer";
import type { EmailMessage, HttpRequest } from "./messages.ts";

/** The SMTP relay email channels send through (`TELEOPS_SMTP_URL`, `TELEOPS_SMTP_FROM`). */
export interface SmtpSettings {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  url: string;
  from: string;
}

export interface SendOptions {
  smtp?: SmtpSettings | undefined;
  timeoutMs?: number;
}

export interface AttemptOutcome {
  ok: boolean;
  /** HTTP status, or the SMTP reply code. */
  responseStatus: number | null;
  error: string | null;
  retryable: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`.slice(0, 500);
}

async function sendHttp(request: HttpRequest, timeoutMs: number): Promise<AttemptOutcome> {
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: { "user-agent": "TeleOps-Notifier/1", ...request.headers },
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await response.text().catch(() => "")).slice(0, 300);
    if (response.ok) return { ok: true, responseStatus: response.status, error: null, retryable: false };
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    return {
      ok: false,
      responseStatus: response.status,
      error: `HTTP ${response.status}${text ? `: ${text}` : ""}`,
      retryable,
    };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return {
      ok: false,
      responseStatus: null,
      error: timedOut ? `no answer within ${timeoutMs} ms` : reason(error),
      retryable: true,
    };
  }
}

async function sendEmail(message: EmailMessage, options: SendOptions): Promise<AttemptOutcome> {
  if (!options.smtp) {
    return {
      ok: false,
      responseStatus: null,
      error: "email is not configured: set TELEOPS_SMTP_URL",
      retryable: false,
    };
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = nodemailer.createTransport({
    url: options.smtp.url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: options.smtp.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      messageId: message.messageId,
      ...(message.inReplyTo ? { inReplyTo: message.inReplyTo, references: [message.inReplyTo] } : {}),
    });
    const code = Number.parseInt(String(info.response).slice(0, 3), 10);
    return { ok: true, responseStatus: Number.isFinite(code) ? code : null, error: null, retryable: false };
  } catch (error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    const responseStatus = typeof code === "number" ? code : null;
    // 5xx SMTP replies are permanent (bad recipient, refused); 4xx and no answer are worth another try.
    return {
      ok: false,
      responseStatus,
      error: reason(error),
      retryable: responseStatus === null || responseStatus < 500,
    };
  } finally {
    transport.close();
  }
}

export function sendMessage(message: HttpRequest | EmailMessage, options: SendOptions = {}): Promise<AttemptOutcome> {
  return message.kind === "http"
    ? sendHttp(message, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    : sendEmail(message, options);
}
