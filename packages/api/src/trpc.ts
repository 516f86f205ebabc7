/** The only tRPC builders routers may use: each procedure states its minimum role. */
import {
  ConflictError,
  DomainError,
  NotFoundError,
  PreconditionError,
  UpstreamError,
  ValidationError,
} from "@teleops/core";
import { isDatabaseUnavailable } from "@teleops/db";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Actor, Context, Role } from "./context.ts";
import { roleAtLeast } from "./context.ts";

export interface Meta {
  minRole: Role;
}

/** What a client sees of an unexpected failure; the original goes to the server log. */
export const INTERNAL_MESSAGE = "internal error; the details are in the server log";

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Never put stack traces in answers, whatever NODE_ENV says; the server logs them instead.
    isDev: false,
    errorFormatter({ shape, error }) {
      // An input that fails its schema: zod's message is a JSON dump of every issue; answer with paths instead.
      if (error.cause instanceof ZodError) {
        const issues = error.cause.issues.slice(0, 50).map((issue) => ({
          path: issue.path.map(String).join("."),
          message: issue.message,
        }));
        const [first] = issues;
        const more = issues.length > 1 ? `; ${error.cause.issues.length - 1} more` : "";
        const message = first ? `invalid input: ${first.path || "input"}: ${first.message}${more}` : "invalid input";
        return { ...shape, message, data: { ...shape.data, stack: undefined, issues } };
      }
      const issues = error.cause instanceof ValidationError ? error.cause.issues : undefined;
      // An unexpected failure may quote SQL or internals: the client gets a generic sentence, the log the original.
      if (error.code === "INTERNAL_SERVER_ERROR") {
        return { ...shape, message: INTERNAL_MESSAGE, data: { ...shape.data, stack: undefined, issues } };
      }
      return { ...shape, data: { ...shape.data, stack: undefined, issues } };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain errors to tRPC codes; this is the one place that does it. */
export function toTRPCError(error: unknown): TRPCError | undefined {
  if (error instanceof NotFoundError) return new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
  if (error instanceof ConflictError) return new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
  if (error instanceof ValidationError)
    return new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
  if (error instanceof PreconditionError)
    return new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
  if (error instanceof UpstreamError)
    return new TRPCError({ code: "BAD_GATEWAY", message: error.message, cause: error });
  if (error instanceof DomainError) return new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
  if (isDatabaseUnavailable(error)) {
    return new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "the database is unreachable; retry shortly",
      cause: error,
    });
  }
  return undefined;
}

const enforceRole = t.middleware(async ({ ctx, meta, next }) => {
  const minRole = meta?.minRole;
  if (!minRole) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "procedure declares no role" });
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "a valid bearer token is required" });
  if (!roleAtLeast(ctx.actor.role, minRole)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `requires the ${minRole} role; you are ${ctx.actor.role}` });
  }
  const actor: Actor = ctx.actor;
  const result = await next({ ctx: { ...ctx, actor, readDb: ctx.readDb ?? ctx.db } });
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

const authed = t.procedure.use(enforceRole);
export const viewerProcedure = authed.meta({ minRole: "viewer" });
export const operatorProcedure = authed.meta({ minRole: "operator" });
export const adminProcedure = authed.meta({ minRole: "admin" });

/** Lab actions (generated demo data, reset): admins only, and only where the lab is on. */
export const labProcedure = adminProcedure.use(({ ctx, next }) => {
  if (ctx.services.lab === false) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "the lab is off on this server (production); start it with TELEOPS_LAB=1 to generate demo data or reset",
    });
  }
  return next();
});
