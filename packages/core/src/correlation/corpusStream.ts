/**
 * For tests: labelled streams of the correlation corpus (fixtures/correlation) as deliveries see them, and a key
 * naming each stored alert the way the dedup key does.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CanonicalAlert } from "@teleops/schema";
import { readLabelledStream } from "../evaluation/correlationStreams.ts";
import { epochMicros } from "./persist.ts";

const CORPUS = fileURLToPath(new URL("../../../../fixtures/correlation/", import.meta.url));

/** A corpus stream's alerts in event-time order (ties keep the file's order); throws on a malformed line. */
export function corpusAlerts(file: string): CanonicalAlert[] {
  const stream = readLabelledStream(readFileSync(`${CORPUS}${file}`, "utf8"), { name: file });
  if (stream.errors.length > 0) throw new Error(`${file}: ${JSON.stringify(stream.errors.slice(0, 3))}`);
  return stream.alerts
    .map((alert, index) => ({ alert, index }))
    .sort((a, b) => Date.parse(a.alert.timestamp) - Date.parse(b.alert.timestamp) || a.index - b.index)
    .map(({ alert }) => alert);
}

/** `fingerprint|epoch microseconds`: one stored alert, whichever way its time is given. */
export const storedAlertKey = (alert: { fingerprint: string; timestamp: string | Date }) =>
  `${alert.fingerprint}|${epochMicros(typeof alert.timestamp === "string" ? alert.timestamp : alert.timestamp.toISOString())}`;
