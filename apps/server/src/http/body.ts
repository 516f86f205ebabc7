/** Reading JSON request bodies with the contract's limits and answers. */
import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  /** What the log may say of the refusal: the message without anything quoted from the request. */
  readonly logged: string;
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
    logged?: string,
  ) {
    super(message);
    this.logged = logged ?? message;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** Reads the raw body, refusing (413) as soon as it passes the limit. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new HttpError(413, `body is larger than ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJson(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = jsonErrorDetail(error, text);
    throw new HttpError(400, `malformed JSON: ${detail}; nothing was stored`, [{ path: "", message: detail }]);
  }
}

/**
 * What is wrong with a JSON text, by position only. V8's own message quotes the text around the error
 * (`Unexpected token 'x', "{"password":"…" is not valid JSON`), which would echo the body into the answer and the log.
 */
export function jsonErrorDetail(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : "";
  if (/end of JSON input/i.test(message)) return "the document ends too early";
  const position = /at position (\d+)/.exec(message);
  const what = /^(Expected [^"]*?|Unexpected non-whitespace character after JSON|Bad [a-z ]+?) in JSON/i.exec(message);
  const reason = what?.[1] ? what[1].replace(/^./, (c) => c.toLowerCase()) : "unexpected character";
  if (!position?.[1]) return reason;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${reason} at line ${line}, column ${column}`;
}

/** `[3].severity` style paths that point into the posted document. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}
