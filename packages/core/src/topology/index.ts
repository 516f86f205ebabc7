export * from "./builder.ts";
export * from "./netbox.ts";
export * from "./netboxCsv.ts";
export * from "./parse.ts";
export * from "./store.ts";
export * from "./teleops.ts";
export * from "./tenantTopologies.ts";
