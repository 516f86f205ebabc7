export * from "./channels.ts";
export * from "./deliveries.ts";
export * from "./messages.ts";
export * from "./outbox.ts";
export * from "./routing.ts";
export * from "./transports.ts";
