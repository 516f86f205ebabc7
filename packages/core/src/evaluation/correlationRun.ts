/**
 * Runs the correlation evaluation: finds stream files, correlates each stream's alerts in memory (with no
 * topology unless the stream's header carries one) and scores the incidents against the stream's truth.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { CorrelationEvaluation, CorrelationStreamResult } from "@teleops/schema";
import { correlateAlerts } from "../correlation/inMemory.ts";
import { topologyView } from "../correlation/topologyView.ts";
import { ValidationError } from "../errors.ts";
import { type CorrelationTally, correlationReport, scoreTally, tallyCorrelation } from "./correlationMetrics.ts";
import { type LabelledStream, readLabelledStream } from "./correlationStreams.ts";

/** The shipped corpus of labelled streams, found relative to the code rather than the working directory. */
export const DEFAULT_CORRELATION_CORPUS_DIR = fileURLToPath(
  new URL("../../../../fixtures/correlation", import.meta.url),
);

/** Line errors kept per stream in a report; the count of the rest is not lost, the first ones say enough. */
export const STREAM_ERRORS_REPORTED = 50;

export interface ScoredStream {
  result: CorrelationStreamResult;
  tally: CorrelationTally;
}

/** Correlates one stream (the correlator never sees the truth) and scores its incidents. */
export function scoreLabelledStream(stream: LabelledStream, file: string): ScoredStream {
  const topology = stream.topology ? topologyView(stream.topology) : undefined;
  const { assignment } = correlateAlerts(stream.alerts, { topology });
  const tally = tallyCorrelation(assignment, stream.truth);
  return {
    tally,
    result: {
      name: stream.name,
      file,
      description: stream.description,
      topology: stream.topology !== undefined,
      ...scoreTally(tally),
      errors: stream.errors.slice(0, STREAM_ERRORS_REPORTED),
    },
  };
}

/** Scores stream texts; `file` names each in the report. */
export function evaluateCorrelationTexts(
  texts: ReadonlyArray<{ name: string; file: string; text: string }>,
  now?: number,
): CorrelationEvaluation {
  return correlationReport(
    texts.map(({ name, file, text }) => scoreLabelledStream(readLabelledStream(text, { name, now }), file)),
  );
}

/** The stream files a path names: the file itself, or a directory's `*.jsonl` files in name order. */
export async function listCorrelationStreamFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw new ValidationError(
      `cannot read ${path}: ${code === "ENOENT" ? "no such file or directory" : String(error)}`,
    );
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => name.endsWith(".jsonl")).sort();
  return names.map((name) => join(path, name));
}

/** The stream name a file gets when its header names none. */
export function streamNameOf(file: string): string {
  return basename(file).replace(/\.jsonl$/, "");
}

/**
 * Reads and scores every stream of a file or directory (the server's corpus); file names are kept relative.
 * One stream at a time, yielding between them: a server keeps answering while a corpus of seconds is scored.
 */
export async function evaluateCorrelationCorpus(
  path: string = DEFAULT_CORRELATION_CORPUS_DIR,
  now?: number,
): Promise<CorrelationEvaluation> {
  const scored: ScoredStream[] = [];
  for (const file of await listCorrelationStreamFiles(path)) {
    const stream = readLabelledStream(await readFile(file, "utf8"), { name: streamNameOf(file), now });
    await nextTurn();
    scored.push(scoreLabelledStream(stream, basename(file)));
    await nextTurn();
  }
  return correlationReport(scored);
}

/** What a corpus's report depends on besides the code: its files' names, sizes and modification times. */
export async function correlationCorpusSignature(path: string = DEFAULT_CORRELATION_CORPUS_DIR): Promise<string> {
  const files = await listCorrelationStreamFiles(path);
  const parts = await Promise.all(
    files.map(async (file) => {
      const info = await stat(file);
      return `${file}\u001f${info.size}\u001f${info.mtimeMs}`;
    }),
  );
  return parts.join("\n");
}
