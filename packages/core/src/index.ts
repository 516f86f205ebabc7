export * from "./alerts/fingerprint.ts";
export * from "./alerts/ingest.ts";
export * from "./correlation/index.ts";
export * from "./correlation/persist.ts";
export * from "./errors.ts";
export * from "./generator/index.ts";
export * from "./incidents/queries.ts";
export * from "./scenarios/generateAndStore.ts";
