export * from "./correlator.ts";
export * from "./describe.ts";
export * from "./features.ts";
export * from "./inMemory.ts";
export * from "./learned.ts";
export * from "./scheduler.ts";
export * from "./topologyView.ts";
