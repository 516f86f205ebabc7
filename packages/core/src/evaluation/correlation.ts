/** Correlation evaluation on labelled streams: reading, scoring and running (also `@teleops/core/evaluation/correlation`). */
export * from "./correlationMetrics.ts";
export * from "./correlationRun.ts";
export * from "./correlationStreams.ts";
