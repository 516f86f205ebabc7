/**
 * Runbook retrieval shared by both RCA engines: BM25 over the `##` sections of the runbook corpus, queried with
 * terms taken from the incident (alert types, device roles, message words).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NetworkTopology, RunbookChunkRef } from "@teleops/schema";
import MiniSearch from "minisearch";
import { ValidationError } from "../errors.ts";
import type { RcaInput } from "./baseline/index.ts";
import { normalizeTerm, splitWords, terms } from "./text.ts";

/** `fixtures/runbooks` at the repository root, found from this file so it works from any working directory. */
export const DEFAULT_RUNBOOK_DIR = fileURLToPath(new URL("../../../../fixtures/runbooks", import.meta.url));

/** One `##` section of one runbook file. */
export interface RunbookChunk {
  /** `<file without .md>#<section>`, e.g. `fiber_cut#diagnosis`. */
  id: string;
  file: string;
  heading: string;
  /** The heading as a slug: `symptoms`, `likely-causes`, `diagnosis`, `remediation`, `escalation`. */
  section: string;
  text: string;
  /** The runbook's `#` title. */
  title: string;
}

export interface RunbookIndex {
  chunks: readonly RunbookChunk[];
  /** Best chunks first. A term repeated in the query weighs more, so callers can stress what matters. */
  search(query: string, limit?: number): RunbookChunkRef[];
  byId(id: string): RunbookChunk | undefined;
}

const EXCERPT_CHARS = 240;

/** Reads every `*.md` in `dir` except README.md and indexes its sections; call once at start-up. */
export function loadRunbookIndex(dir: string = DEFAULT_RUNBOOK_DIR): RunbookIndex {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.toLowerCase().endsWith(".md") && name.toLowerCase() !== "readme.md")
      .sort();
  } catch (error) {
    throw new ValidationError(
      `cannot read runbook directory ${dir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const chunks = files.flatMap((file) => parseRunbook(file, readFileSync(join(dir, file), "utf8")));
  return buildIndex(chunks);
}

/** Splits one markdown runbook into its `##` sections. Text before the first `##` is the runbook's preamble. */
export function parseRunbook(file: string, markdown: string): RunbookChunk[] {
  const stem = basename(file).replace(/\.md$/i, "");
  let title = stem.replace(/[_-]+/g, " ");
  const chunks: RunbookChunk[] = [];
  const seen = new Map<string, number>();
  let current: { heading: string; lines: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const base = slug(current.heading) || "section";
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const section = n === 1 ? base : `${base}-${n}`;
    chunks.push({
      id: `${stem}#${section}`,
      file: basename(file),
      heading: current.heading,
      section,
      text: current.lines.join("\n").trim(),
      title,
    });
  };
  for (const line of markdown.split(/\r?\n/)) {
    const h1 = /^#\s+(.+?)\s*$/.exec(line);
    const h2 = /^##\s+(.+?)\s*$/.exec(line);
    if (h2?.[1]) {
      flush();
      current = { heading: h2[1], lines: [] };
    } else if (h1?.[1] && !current) {
      title = h1[1];
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  return chunks.filter((chunk) => chunk.text.length > 0);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= EXCERPT_CHARS) return flat;
  const cut = flat.lastIndexOf(" ", EXCERPT_CHARS);
  return `${flat.slice(0, cut > EXCERPT_CHARS / 2 ? cut : EXCERPT_CHARS)}…`;
}

function buildIndex(chunks: RunbookChunk[]): RunbookIndex {
  const search = new MiniSearch<RunbookChunk>({
    idField: "id",
    fields: ["title", "heading", "text"],
    tokenize: splitWords,
    processTerm: normalizeTerm,
    searchOptions: { boost: { title: 2, heading: 1.5 }, combineWith: "OR" },
  });
  search.addAll(chunks);
  const byId = new Map(chunks.map((chunk) => [chunk.id, chunk]));
  const excerpts = new Map(chunks.map((chunk) => [chunk.id, excerptOf(chunk.text)]));

  return {
    chunks,
    byId: (id) => byId.get(id),
    search(query, limit = 5) {
      // Repeats become a boost: the query "bgp bgp flap" weighs bgp twice, but each term is looked up once.
      const weights = new Map<string, number>();
      for (const term of terms(query)) weights.set(term, (weights.get(term) ?? 0) + 1);
      if (weights.size === 0) return [];
      const results = search.search([...weights.keys()].join(" "), {
        // The terms are already normalized; normalizing them again must not drop or change them.
        processTerm: (term) => term,
        boostTerm: (term) => 1 + Math.log2(weights.get(term) ?? 1),
      });
      return results.slice(0, limit).map((hit) => {
        const chunk = byId.get(String(hit.id));
        return {
          id: String(hit.id),
          file: chunk?.file ?? "",
          heading: chunk?.heading ?? "",
          score: Math.round(hit.score * 1000) / 1000,
          excerpt: excerpts.get(String(hit.id)) ?? "",
        };
      });
    },
  };
}

/** Role words a device contributes to the query, when the topology knows it. */
const ROLE_WORDS: Record<string, string> = {
  core: "core router",
  edge: "edge router",
  aggregation: "aggregation switch",
  peering: "peering router",
  pe: "pe router",
  optical: "optical",
  dns: "dns resolver",
  cdn: "cdn cache",
  firewall: "firewall",
  database: "database",
  app: "application",
  switch: "switch",
  server: "server",
};

const MAX_MESSAGE_TERMS = 30;
/** The earliest alert types are the likeliest causes; they are repeated so retrieval weighs them more. */
const EARLY_TYPES = 3;

/**
 * The retrieval query for an incident: the words of its alert types (the earliest ones stressed), the roles of its
 * devices when the topology knows them, and the most frequent words of its messages. With no alerts, the summary.
 */
export function incidentQuery(input: RcaInput, topology?: NetworkTopology): string {
  const parts: string[] = [];
  if (input.summary) parts.push(input.summary, ...(input.alerts.length === 0 ? [input.summary] : []));

  const firstByType = new Map<string, { time: number; stamp: string; message: string; host: string }>();
  const hosts = new Set<string>();
  for (const alert of input.alerts) {
    hosts.add(alert.host);
    const known = firstByType.get(alert.alert_type);
    // Stored timestamps are ISO-8601 UTC of one length, so they order as strings; parse only when that may not hold.
    if (known && alert.timestamp.length === known.stamp.length && alert.timestamp >= known.stamp) continue;
    const time = Date.parse(alert.timestamp);
    if (!known || time < known.time) {
      firstByType.set(alert.alert_type, { time, stamp: alert.timestamp, message: alert.message, host: alert.host });
    }
  }
  const types = [...firstByType.entries()].sort((a, b) => a[1].time - b[1].time);
  types.forEach(([type], index) => {
    const words = type.replace(/_/g, " ");
    parts.push(index < EARLY_TYPES ? `${words} ${words} ${words}` : words);
  });

  if (topology && input.alerts.length > 0) {
    const roles = new Map(topology.devices.map((device) => [device.name, device.role]));
    const seen = new Set<string>();
    for (const [, first] of types) {
      const role = roles.get(first.host);
      if (role && !seen.has(role)) {
        seen.add(role);
        parts.push(ROLE_WORDS[role] ?? role);
      }
    }
  }

  // Host names, port names and units are not runbook vocabulary; their words would only add noise.
  const hostWords = new Set([...hosts].flatMap((host) => splitWords(host)));
  const counts = new Map<string, number>();
  for (const [, first] of types) {
    for (const term of terms(first.message)) {
      if (term.length > 2 && !/\d/.test(term) && !hostWords.has(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
  }
  const messageTerms = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_MESSAGE_TERMS)
    .map(([term]) => term);
  parts.push(...messageTerms);
  return parts.join(" ").trim();
}
