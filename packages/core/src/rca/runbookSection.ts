/** One runbook section by the id hypotheses cite (`fiber_cut#diagnosis`), for the SPA's runbook view. */
import type { RunbookSection } from "@teleops/schema";
import { NotFoundError } from "../errors.ts";
import type { RunbookIndex } from "./retrieval.ts";

export function runbookSection(index: RunbookIndex, runbook: string, section: string): RunbookSection {
  const chunk = index.byId(`${runbook}#${section}`);
  if (!chunk) throw new NotFoundError(`runbook section ${runbook}#${section} not found`);
  const siblings = index.chunks.filter((c) => c.id.startsWith(`${runbook}#`));
  return {
    id: chunk.id,
    runbook,
    section: chunk.section,
    title: chunk.title,
    heading: chunk.heading,
    markdown: chunk.text,
    sections: siblings.map((c) => ({ section: c.section, heading: c.heading })),
  };
}
