export * from "./baseline/index.ts";
export * from "./calibration.ts";
export * from "./llm/index.ts";
export * from "./retrieval.ts";
export * from "./store.ts";
