export * from "./availability.ts";
export * from "./changeFeed.ts";
export * from "./client.ts";
export * from "./schema.ts";
