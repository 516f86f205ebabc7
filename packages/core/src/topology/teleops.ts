/** Today's TeleOps topology document (`fixtures/topology.json`): sites, devices and links as the schema names them. */
import { type NetworkTopology, networkTopologySchema } from "@teleops/schema";
import { parseJson, schemaFailure } from "./errors.ts";

export function parseTeleopsTopology(document: unknown): NetworkTopology {
  const parsed = networkTopologySchema.safeParse(document);
  if (!parsed.success) throw schemaFailure("TeleOps topology", parsed.error);
  return parsed.data;
}

export function parseTeleopsTopologyText(text: string): NetworkTopology {
  return parseTeleopsTopology(parseJson(text, "TeleOps topology"));
}
