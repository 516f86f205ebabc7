/**
 * The audit hash chain: each event's hash is SHA-256 over the RFC 8785 canonical JSON of its content and the
 * previous event's hash, so editing, removing or reordering a stored event breaks every link after it.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** The fields an event's hash covers, in the names the chain is documented with. */
export interface ChainedContent {
  tenant: string;
  /** ISO-8601 UTC with milliseconds, exactly as stored. */
  at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  incident_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
}

export function auditEventHash(content: ChainedContent): string {
  const canonical = canonicalize(content);
  if (canonical === undefined) throw new Error("audit event content has no JSON form");
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}
