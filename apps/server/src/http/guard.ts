/**
 * What every request passes before it reaches a route: security headers, a closed door to cross-origin and
 * DNS-rebinding requests, per-address and per-token rate limits, and (for `/trpc`) the body limit and input
 * hygiene the webhook adapter applies too.
 */
import { createHash } from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { findUnsafeJson } from "@teleops/schema";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import helmet from "helmet";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import {
  formatPath,
  HttpError,
  isJsonContentType,
  jsonErrorDetail,
  MAX_BODY_BYTES,
  readBody,
  sendJson,
} from "./body.ts";
import { assertJsonDepth, assertSafeJson } from "./hygiene.ts";

/**
 * Import calls carry a whole file (up to 5 MiB of text, JSON-escaped) or a batch of up to 5,000 records; a topology
 * import up to 5 MiB of exports.
 */
export const IMPORT_BODY_BYTES = 12 * 1024 * 1024;
/** Most calls one batched tRPC request may carry; each counts against the rate limit. */
export const MAX_TRPC_BATCH = 100;

/**
 * Headers on every answer. The CSP allows only the SPA's own files (Vite emits no inline script or style),
 * `data:` images (the favicon), and no framing; no CORS header is ever sent.
 */
const headers = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: "no-referrer" },
  frameguard: { action: "deny" },
});

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => headers(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function hostName(host: string): string {
  const bracket = /^(\[[^\]]+\])(?::\d+)?$/.exec(host);
  if (bracket?.[1]) return bracket[1].toLowerCase();
  return (host.split(":")[0] ?? "").toLowerCase();
}

/**
 * Refuses what a browser page of another site could make a signed-in (or local-admin) browser do: CORS
 * preflights (405), state-changing requests whose `Origin` is not this server (403), and, without users,
 * requests for a host name other than loopback (403), which is how DNS rebinding would reach the local admin.
 */
export function refuseForeignRequest(req: IncomingMessage, localAdmin: boolean): HttpError | undefined {
  if (req.method === "OPTIONS") {
    return new HttpError(405, "cross-origin requests are not served: TeleOps sends no CORS headers");
  }
  const host = req.headers.host ?? "";
  if (localAdmin && !LOOPBACK_HOSTS.has(hostName(host))) {
    return new HttpError(
      403,
      `host "${host}" refused: without TELEOPS_USERS_FILE the server answers only to localhost names`,
    );
  }
  const origin = req.headers.origin;
  if (origin && req.method !== "GET" && req.method !== "HEAD") {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost?.toLowerCase() !== host.toLowerCase()) {
      return new HttpError(403, `cross-origin request from ${origin} refused`);
    }
  }
  return undefined;
}

export interface RateLimitOptions {
  /** Requests per minute from one client address; 0 turns the limit off. */
  perAddressPerMin: number;
  /** Requests per minute with one credential (bearer or basic), from any address; 0 turns it off. */
  perTokenPerMin: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = { perAddressPerMin: 6_000, perTokenPerMin: 6_000 };

export interface RateLimiter {
  /** Seconds to wait when the request is over a limit; undefined when it may go on. */
  check(req: IncomingMessage, cost: number): Promise<number | undefined>;
}

/** In-memory counters (rate-limiter-flexible) per process; several replicas each count their own share. */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const byAddress =
    options.perAddressPerMin > 0 ? new RateLimiterMemory({ points: options.perAddressPerMin, duration: 60 }) : null;
  const byToken =
    options.perTokenPerMin > 0 ? new RateLimiterMemory({ points: options.perTokenPerMin, duration: 60 }) : null;
  return {
    async check(req, cost) {
      try {
        if (byAddress) await byAddress.consume(req.socket.remoteAddress ?? "unknown", cost);
        const credential = req.headers.authorization;
        // Keyed by a hash, so the limiter's memory never holds a credential.
        if (byToken && credential) {
          await byToken.consume(createHash("sha256").update(credential).digest("hex"), cost);
        }
        return undefined;
      } catch (error) {
        if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw error;
      }
    },
  };
}

/** The procedures of a `/trpc/a.b,c.d` path. */
export function trpcProcedures(pathname: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname.slice("/trpc/".length));
  } catch {
    throw new HttpError(400, "malformed procedure path");
  }
  return decoded.split(",").filter((p) => p !== "");
}

function isImportCall(procedure: string): boolean {
  return procedure.startsWith("imports.") || procedure === "topology.import";
}

/**
 * Checks a tRPC request before the adapter sees it: POST bodies must be JSON within the size limit; every
 * input (body or `?input=`) within the depth limit, free of prototype keys, and free of NUL characters —
 * except in the file content and records of `imports.*`, whose importer rejects such records by line.
 * A POST body that passes is handed to the adapter as `req.body`, so it is read only once.
 */
export async function checkTrpcRequest(req: IncomingMessage & { body?: string }, url: URL): Promise<void> {
  const procedures = trpcProcedures(url.pathname);
  const batch = url.searchParams.get("batch") === "1";
  let text: string | undefined;
  if (req.method === "POST") {
    if (!isJsonContentType(req.headers["content-type"])) {
      throw new HttpError(415, "send tRPC calls as application/json");
    }
    const limit = procedures.some(isImportCall) ? IMPORT_BODY_BYTES : MAX_BODY_BYTES;
    const raw = await readBody(req, limit);
    text = raw.length > 0 ? raw.toString("utf8") : undefined;
    req.body = text;
  } else {
    text = url.searchParams.get("input") ?? undefined;
  }
  if (text === undefined) return;
  assertJsonDepth(text);
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const detail = jsonErrorDetail(error, text);
    throw new HttpError(400, `malformed JSON: ${detail}`, [{ path: "", message: detail }]);
  }
  // Import records (and file content) are checked record by record by the importer, which rejects a bad record
  // by its line instead of refusing the whole batch; everything else is checked here.
  if (!procedures.some(isImportCall)) assertSafeJson(input, { allowNul: true });
  for (const [index, procedure] of procedures.entries()) {
    const call = batch && input !== null && typeof input === "object" ? Reflect.get(input, String(index)) : input;
    assertNoNul(call, isImportCall(procedure), batch ? [index] : []);
  }
}

function assertNoNul(input: unknown, importCall: boolean, prefix: Array<string | number>): void {
  let checked = input;
  if (importCall && input !== null && typeof input === "object" && !Array.isArray(input)) {
    const { content: _content, records: _records, ...rest } = input as Record<string, unknown>;
    checked = rest;
  }
  const problem = findUnsafeJson(checked);
  if (!problem) return;
  const path = formatPath([...prefix, ...problem.path]);
  throw new HttpError(400, `${path || "input"}: ${problem.message}; strings must not contain U+0000`, [
    { path, message: problem.message },
  ]);
}

const TRPC_CODES: Record<number, keyof typeof TRPC_ERROR_CODES_BY_KEY> = {
  400: "BAD_REQUEST",
  403: "FORBIDDEN",
  405: "METHOD_NOT_SUPPORTED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
};

/** A refusal in the shape tRPC clients read (`error.data.code`), or the webhooks' `{error, issues}` elsewhere. */
function sendRefusal(res: ServerResponse, url: URL, failure: HttpError, extra: Record<string, string>): void {
  if (!url.pathname.startsWith("/trpc/")) {
    sendJson(res, failure.status, { error: failure.message, issues: failure.issues }, extra);
    return;
  }
  const code = TRPC_CODES[failure.status] ?? "BAD_REQUEST";
  sendJson(
    res,
    failure.status,
    {
      error: {
        message: failure.message,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        data: { code, httpStatus: failure.status, issues: failure.issues.length > 0 ? failure.issues : undefined },
      },
    },
    extra,
  );
}

/** Paths that monitoring polls; they are never rate limited. */
const PROBES = new Set(["/healthz", "/readyz"]);

export interface RequestGuardOptions {
  rateLimits: RateLimitOptions;
  /** Without users the server is a local admin: only loopback host names are answered. */
  localAdmin: boolean;
}

/**
 * Runs the checks above in order and answers a refused request itself; resolves true when the request may
 * go on to its route.
 */
export function createRequestGuard(options: RequestGuardOptions) {
  const limiter = createRateLimiter(options.rateLimits);
  return async function guard(req: IncomingMessage & { body?: string }, res: ServerResponse, url: URL) {
    await setSecurityHeaders(req, res);
    const extra: Record<string, string> = {};
    try {
      const foreign = refuseForeignRequest(req, options.localAdmin);
      if (foreign) {
        if (foreign.status === 405) extra.allow = "GET, HEAD, POST";
        throw foreign;
      }
      if (!PROBES.has(url.pathname)) {
        const cost = url.pathname.startsWith("/trpc/") ? Math.max(1, trpcProcedures(url.pathname).length) : 1;
        const wait = await limiter.check(req, cost);
        if (wait !== undefined) {
          extra["retry-after"] = String(wait);
          throw new HttpError(429, `too many requests: try again in ${wait} s`);
        }
      }
      if (url.pathname.startsWith("/trpc/")) await checkTrpcRequest(req, url);
      return true;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      // The rest of a refused body is not read; closing the connection keeps it from being parsed as a request.
      if (!req.readableEnded) extra.connection = "close";
      sendRefusal(res, url, error, extra);
      return false;
    }
  };
}

/**
 * Node's own parser refusals (headers over 16 KiB, a malformed request line, a request too slow to arrive)
 * answered with a status and a sentence instead of a bare status line.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "request line and headers are over 16 KiB: send large tRPC inputs as POST bodies"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "the request did not arrive in time"]
        : [400, "malformed HTTP request"];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
