/**
 * Splits a byte stream into numbered text lines while holding at most one line in memory, so a 1 GB file
 * reads in flat memory. Lines that are not UTF-8 or are absurdly long are reported, not thrown.
 */

/** Anything a file can arrive as: a Node Readable, a browser stream adapter, an array of chunks, a string. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Longest line kept (1 MiB); a longer one is rejected without being buffered whole. */
export const MAX_LINE_BYTES = 1024 * 1024;

export type SourceLine = { line: number; text: string } | { line: number; error: string };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const encoder = new TextEncoder();

export function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === "string" ? encoder.encode(chunk) : chunk;
}

export async function* readLines(
  source: ByteSource,
  options: { maxLineBytes?: number } = {},
): AsyncGenerator<SourceLine> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let parts: Uint8Array[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let line = 0;

  const finish = (tail: Uint8Array): SourceLine => {
    line += 1;
    if (oversized) {
      const error = `line is longer than ${sizeText(maxLineBytes)}; skipped`;
      oversized = false;
      parts = [];
      pendingBytes = 0;
      return { line, error };
    }
    const bytes = parts.length === 0 ? tail : concat([...parts, tail], pendingBytes + tail.length);
    parts = [];
    pendingBytes = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    try {
      // The decoder drops a UTF-8 byte order mark at the start of each line it decodes (harmless past line 1).
      return { line, text: decoder.decode(bytes.subarray(0, end)) };
    } catch {
      return { line, error: "line is not valid UTF-8 text" };
    }
  };

  for await (const chunk of source) {
    const bytes = toBytes(chunk);
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, start);
      if (newline < 0) break;
      const piece = bytes.subarray(start, newline);
      if (!oversized && pendingBytes + piece.length > maxLineBytes) oversized = true;
      yield finish(oversized ? piece.subarray(0, 0) : piece);
      start = newline + 1;
    }
    if (start < bytes.length) {
      const rest = bytes.subarray(start);
      if (!oversized && pendingBytes + rest.length > maxLineBytes) {
        oversized = true;
        parts = [];
        pendingBytes = 0;
      }
      // Copy: a stream may reuse its chunk buffer after handing it over.
      if (!oversized) {
        parts.push(rest.slice());
        pendingBytes += rest.length;
      }
    }
  }
  if (pendingBytes > 0 || oversized) yield finish(new Uint8Array(0));
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

function concat(pieces: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
