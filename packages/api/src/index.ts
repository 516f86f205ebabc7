export {
  ACCESS_MATRIX_END,
  ACCESS_MATRIX_START,
  procedureAccess,
  renderAccessMatrix,
  withAccessMatrix,
} from "./access.ts";
export * from "./context.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export { toTRPCError } from "./trpc.ts";
