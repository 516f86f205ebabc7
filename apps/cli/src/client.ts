/** The typed tRPC client the CLI talks to the server with, and how its failures map to exit codes. */
import type { AppRouter } from "@teleops/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";

export interface GlobalOptions {
  json?: boolean;
  server?: string;
  token?: string;
}

export function serverUrl(options: GlobalOptions): string {
  return (options.server ?? process.env.TELEOPS_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
}

export function createClient(options: GlobalOptions) {
  const token = options.token ?? process.env.TELEOPS_TOKEN;
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${serverUrl(options)}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

export type TeleopsClient = ReturnType<typeof createClient>;

/** Exit codes of the contract: 1 failures found, 2 usage or connection, 3 credentials refused. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3,
  ) {
    super(message);
  }
}

export function toCliError(error: unknown, options: GlobalOptions): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code === "UNAUTHORIZED" || code === "FORBIDDEN") return new CliError(`refused: ${error.message}`, 3);
    if (code === undefined) {
      return new CliError(`cannot reach TeleOps at ${serverUrl(options)}: ${error.message}`, 2);
    }
    return new CliError(error.message, code === "NOT_FOUND" || code === "BAD_REQUEST" ? 2 : 1);
  }
  return new CliError(error instanceof Error ? error.message : String(error), 2);
}
