export * from "./availability.ts";
export * from "./changeFeed.ts";
export * from "./client.ts";
export * from "./dataDirLock.ts";
export * from "./partitions.ts";
export * from "./prepared.ts";
export * from "./replica.ts";
export * from "./schema.ts";
