/** Tells "the database is unreachable right now" apart from every other failure, for 503 answers. */

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "DATABASE_TIMEOUT",
]);

/** The database did not answer within the time a request may wait for it (a hung connection, a partition). */
export class DatabaseTimeoutError extends Error {
  readonly code = "DATABASE_TIMEOUT";
  constructor(timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
  }
}

/**
 * Waits for `work` while the database keeps answering. Slow work under load is fine: every `timeoutMs` without
 * an outcome the database is probed (`ready`, itself given `timeoutMs`), and only a probe that fails or does not
 * answer ends the wait with `DatabaseTimeoutError`. The abandoned work may still finish later; webhook writes
 * are idempotent, so the sender's retry of a delivery answered 503 stores nothing twice.
 */
export async function whileDatabaseAnswers<T>(
  work: Promise<T>,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<T> {
  // The outcome of abandoned work is observed here so it never becomes an unhandled rejection.
  const settled = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  for (;;) {
    const outcome = await within(settled, timeoutMs);
    if (outcome) {
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    }
    const answered = await within(
      ready().catch(() => false),
      timeoutMs,
    );
    if (!answered) throw new DatabaseTimeoutError(timeoutMs);
  }
}

/** The promise's value, or undefined when it takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SQLSTATEs of a server that is shutting down, starting up or out of connections. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "53400"]);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (typeof current !== "object") return false;
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      (CONNECTION_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith("08"))
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
