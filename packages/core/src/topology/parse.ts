/** Reads a topology import in any supported format, detecting the format from the content when asked to. */
import type { TopologyFormat, TopologyImportInput } from "@teleops/schema";
import { ValidationError } from "../errors.ts";
import type { ParsedTopology } from "./builder.ts";
import { parseJson } from "./errors.ts";
import { netboxParts, parseNetboxJson, parseNetboxJsonText } from "./netbox.ts";
import { parseNetboxCsv } from "./netboxCsv.ts";
import { parseTeleopsTopology } from "./teleops.ts";

export interface TopologyImport extends ParsedTopology {
  format: TopologyFormat;
}

function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text.replace(/^\uFEFF/, ""));
}

/**
 * A JSON document in TeleOps's own format: `links` beside `devices`, or devices whose role and site are plain
 * strings. NetBox serializes role and site as nested objects and never names a list `links`.
 */
export function isTeleopsDocument(document: unknown): boolean {
  if (!document || typeof document !== "object" || Array.isArray(document)) return false;
  if ("results" in document || "cables" in document) return false;
  if ("links" in document) return true;
  const devices = (document as { devices?: unknown }).devices;
  if (!Array.isArray(devices)) return false;
  return devices.every(
    (device) =>
      device !== null &&
      typeof device === "object" &&
      !["role", "device_role", "site"].some((key) => {
        const value = (device as Record<string, unknown>)[key];
        return value !== null && typeof value === "object";
      }),
  );
}

function teleops(document: unknown): TopologyImport {
  return { format: "teleops", topology: parseTeleopsTopology(document), skipped: [], skippedCount: 0 };
}

/** Parses one import: `content` alone, or NetBox's `devices` and `cables` exports side by side. */
export function parseTopologyImport(input: Omit<TopologyImportInput, "name">): TopologyImport {
  const texts = [input.content, input.devices, input.cables].filter((t): t is string => t !== undefined);
  if (texts.length === 0) throw new ValidationError("no topology given: send `content`, or `devices` and `cables`");
  const format = input.format ?? "auto";
  if (format === "netbox-csv") return { format, ...parseNetboxCsv(input) };
  if (format === "netbox") return { format, ...parseNetboxJsonText(input) };
  if (format === "teleops") {
    if (input.content === undefined) throw new ValidationError("the TeleOps format is one document: send `content`");
    return teleops(parseJson(input.content, "TeleOps topology"));
  }
  const json = texts.map(looksLikeJson);
  if (json.every((j) => !j)) return { format: "netbox-csv", ...parseNetboxCsv(input) };
  if (json.some((j) => !j)) {
    throw new ValidationError("mixed JSON and CSV: send NetBox's devices and cables exports in one format");
  }
  if (input.content !== undefined && input.devices === undefined && input.cables === undefined) {
    const document = parseJson(input.content, "topology");
    if (isTeleopsDocument(document)) return teleops(document);
    return { format: "netbox", ...parseNetboxJson(netboxParts(document)) };
  }
  return { format: "netbox", ...parseNetboxJsonText(input) };
}
