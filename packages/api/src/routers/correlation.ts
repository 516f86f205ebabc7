/** Correlation quality: scores the correlator on labelled streams, the server's corpus or texts sent by a client. */
import {
  correlationCorpusSignature,
  DEFAULT_CORRELATION_CORPUS_DIR,
  evaluateCorrelationCorpus,
  evaluateCorrelationTexts,
  PreconditionError,
  ValidationError,
} from "@teleops/core";
import { type CorrelationEvaluation, correlationEvaluateInputSchema } from "@teleops/schema";
import { router, viewerProcedure } from "../trpc.ts";

/** Unreadable lines of sent streams, at most this many quoted in the error. */
const ISSUES_REPORTED = 50;

/**
 * The last report per corpus directory, with the signature of the files it was scored from: scoring the corpus
 * takes seconds, and the code cannot change without a restart, so a report stands until a file changes.
 */
const corpusReports = new Map<string, { signature: string; report: Promise<CorrelationEvaluation> }>();

async function corpusReport(dir: string): Promise<CorrelationEvaluation> {
  const signature = await correlationCorpusSignature(dir);
  const cached = corpusReports.get(dir);
  if (cached?.signature === signature) return cached.report;
  const report = evaluateCorrelationCorpus(dir);
  corpusReports.set(dir, { signature, report });
  // A failed run is not kept: the next call tries again.
  report.catch(() => {
    if (corpusReports.get(dir)?.report === report) corpusReports.delete(dir);
  });
  return report;
}

export const correlationRouter = router({
  /**
   * Nothing is stored and no tenant data is read, so a viewer may run it. A mutation rather than a query: sent
   * streams are far too large for a GET URL.
   */
  evaluate: viewerProcedure.input(correlationEvaluateInputSchema).mutation(async ({ ctx, input }) => {
    if (!input) {
      return corpusReport(ctx.services.correlationCorpusDir ?? DEFAULT_CORRELATION_CORPUS_DIR).catch(
        (error: unknown) => {
          // The corpus is the server's own configuration, not the caller's input; its path stays in the log.
          if (error instanceof ValidationError) {
            throw new PreconditionError("the server's correlation corpus cannot be read; see its configuration");
          }
          throw error;
        },
      );
    }
    const report: CorrelationEvaluation = evaluateCorrelationTexts(
      input.streams.map((stream) => ({ name: stream.name, file: stream.name, text: stream.text })),
    );
    const issues = report.streams.flatMap((stream) =>
      stream.errors.map((error) => ({ path: `${stream.file}:${error.line}`, message: error.message })),
    );
    if (issues.length > 0) {
      const first = issues[0];
      throw new ValidationError(
        `${issues.length} lines cannot be read, e.g. ${first?.path}: ${first?.message}`,
        issues.slice(0, ISSUES_REPORTED),
      );
    }
    return report;
  }),
});
