export * from "./alertmanager.ts";
export * from "./events.ts";
export * from "./jira.ts";
export * from "./mockApis.ts";
export * from "./outbound.ts";
export * from "./servicenow.ts";
export * from "./tickets.ts";
