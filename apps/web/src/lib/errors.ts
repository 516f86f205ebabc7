/** Turns a failed request into what the operator needs to know: what went wrong and what to do next. */
import { TRPCClientError } from "@trpc/client";

export type FailureKind = "unreachable" | "unauthorized" | "forbidden" | "not_found" | "invalid" | "server";

export interface Failure {
  kind: FailureKind;
  /** What the server said, when it said something useful. */
  message: string;
}

function field(source: unknown, key: string): unknown {
  return typeof source === "object" && source !== null ? (source as Record<string, unknown>)[key] : undefined;
}

export function describeFailure(error: unknown): Failure {
  if (!(error instanceof TRPCClientError)) {
    return { kind: "unreachable", message: error instanceof Error ? error.message : String(error) };
  }
  const data: unknown = error.data;
  const code = field(data, "code");
  // No tRPC error shape means the answer did not come from the TeleOps API (connection refused, proxy error page).
  if (typeof code !== "string") return { kind: "unreachable", message: error.message };
  switch (code) {
    case "UNAUTHORIZED":
      return { kind: "unauthorized", message: error.message };
    case "FORBIDDEN":
      return { kind: "forbidden", message: error.message };
    case "NOT_FOUND":
      return { kind: "not_found", message: error.message };
    case "BAD_REQUEST":
    case "PARSE_ERROR":
    case "CONFLICT":
      return { kind: "invalid", message: error.message };
    default:
      return { kind: "server", message: error.message };
  }
}

/** One sentence for inline notices (mutations), where a full error panel would be too much. */
export function failureSentence(error: unknown): string {
  const failure = describeFailure(error);
  switch (failure.kind) {
    case "unreachable":
      return "Cannot reach the TeleOps server — is `pnpm start` running?";
    case "unauthorized":
      return "The server wants an API token; set one and try again.";
    case "forbidden":
      return `Not allowed: ${failure.message}`;
    default:
      return failure.message;
  }
}
