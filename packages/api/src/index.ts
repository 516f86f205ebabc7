export * from "./context.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export { toTRPCError } from "./trpc.ts";
