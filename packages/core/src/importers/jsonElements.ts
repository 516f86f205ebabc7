/**
 * Streams the elements of a large JSON document one at a time (a top-level array, or the array under one key
 * of a top-level object) with the line each element starts on, using @streamparser/json's tokenizer.
 */
import { Tokenizer, TokenParser, TokenType } from "@streamparser/json";
import { type ByteSource, toBytes } from "./lines.ts";
import { clip } from "./validate.ts";

export type JsonElement = { line: number; value: unknown } | { line: number; error: string };

const NEWLINE = 0x0a;

/**
 * `[…]` yields each element; `{…}` yields each element of `arrayKey` (e.g. a webhook envelope's `alerts`).
 * A syntax error ends the stream with one error on the line where it was found.
 */
export async function* readJsonElements(source: ByteSource, arrayKey: string): AsyncGenerator<JsonElement> {
  const out: JsonElement[] = [];
  let tokenizer: Tokenizer | undefined;
  let elementDepth = 1;
  let depth = 0;
  // Line bookkeeping: newlines are counted lazily up to each token's byte offset.
  let chunk: Uint8Array = new Uint8Array(0);
  let chunkStart = 0;
  let scanned = 0;
  let line = 1;
  let tokenLine = 1;
  const openLine: number[] = [];
  const lineAt = (offset: number): number => {
    const end = Math.min(offset - chunkStart, chunk.length);
    for (; scanned < end; scanned++) if (chunk[scanned] === NEWLINE) line += 1;
    return line;
  };

  const start = (rootIsArray: boolean) => {
    elementDepth = rootIsArray ? 1 : 2;
    const parser = new TokenParser({ paths: [rootIsArray ? "$.*" : `$.${arrayKey}.*`], keepStack: false });
    const tokens = new Tokenizer();
    tokens.onToken = (info) => {
      tokenLine = lineAt(info.offset);
      if (info.token === TokenType.LEFT_BRACE || info.token === TokenType.LEFT_BRACKET) {
        openLine[depth] = tokenLine;
        depth += 1;
      } else if (info.token === TokenType.RIGHT_BRACE || info.token === TokenType.RIGHT_BRACKET) {
        depth -= 1;
      }
      parser.write(info);
    };
    parser.onValue = ({ value }) => {
      // A container closes on the token just read; its first line is where its opening bracket was.
      const isContainer = value !== null && typeof value === "object";
      out.push({ line: isContainer ? (openLine[elementDepth] ?? tokenLine) : tokenLine, value });
    };
    // The whole document is one value: extra data after it is an error, not a second document.
    parser.onEnd = () => {};
    tokenizer = tokens;
  };

  try {
    for await (const raw of source) {
      let bytes = toBytes(raw);
      if (!tokenizer) {
        if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
        const at = bytes.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
        if (at < 0) {
          // Leading blank chunk: count its lines but do not feed it, so token offsets start at the next one.
          for (const b of bytes) if (b === NEWLINE) line += 1;
          continue;
        }
        const first = bytes[at];
        if (first !== 0x5b && first !== 0x7b) {
          for (let i = 0; i < at; i++) if (bytes[i] === NEWLINE) line += 1;
          yield { line, error: `expected a JSON array or object, found "${String.fromCharCode(first ?? 0)}"` };
          return;
        }
        start(first === 0x5b);
      }
      chunk = bytes;
      scanned = 0;
      tokenizer?.write(bytes);
      for (; scanned < chunk.length; scanned++) if (chunk[scanned] === NEWLINE) line += 1;
      chunkStart += bytes.length;
      yield* out.splice(0);
    }
    if (!tokenizer) return;
    if (!tokenizer.isEnded) tokenizer.end();
    yield* out.splice(0);
  } catch (error) {
    yield* out.splice(0);
    const reason = error instanceof Error ? error.message : String(error);
    yield { line: tokenLine, error: `JSON syntax error: ${clip(reason, 200)}; the rest of the file was not read` };
  }
}
