/** Evaluation: the rubric, its metrics, label files, synthetic cases and stored runs. */
export * from "./adjacency.ts";
export * from "./calibration.ts";
export * from "./correlation.ts";
export * from "./labels.ts";
export * from "./metrics.ts";
export * from "./pairwise.ts";
export * from "./rubric.ts";
export * from "./run.ts";
export * from "./store.ts";
export * from "./synthetic.ts";
