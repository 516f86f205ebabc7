export * from "./alert.ts";
export * from "./incident.ts";
export * from "./rca.ts";
export * from "./scenario.ts";
export * from "./severity.ts";
export * from "./topology.ts";
