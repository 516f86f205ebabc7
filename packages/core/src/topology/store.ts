/**
 * Each tenant's stored topology: replaced whole by an import (audited in the same transaction), read by
 * correlation, RCA and the incident page. The demo topology is stored only for a tenant that generates demo data.
 */
import { type DbOrTx, topologies } from "@teleops/db";
import { type NetworkTopology, networkTopologySchema, type StoredTopology, type TopologyFormat } from "@teleops/schema";
import { eq } from "drizzle-orm";
import { appendAudit } from "../audit/events.ts";
import type { SkippedItem } from "./builder.ts";

/** Source recorded for the demo topology loaded by `scenarios.generate`. */
export const DEMO_TOPOLOGY_SOURCE = "demo (fixtures/topology.json)";

export interface TopologyRecord {
  topology: NetworkTopology;
  source: string;
  updatedBy: string;
  updatedAt: Date;
}

function toRecord(row: typeof topologies.$inferSelect): TopologyRecord {
  // Stored documents were validated on the way in; parsing again fills defaults and keeps the type honest. One
  // that no longer parses (a later, stricter schema) counts as no topology rather than stopping correlation.
  const parsed = networkTopologySchema.safeParse(row.document);
  const topology = parsed.success ? parsed.data : { sites: [], devices: [], links: [] };
  return { topology, source: row.source, updatedBy: row.updatedBy, updatedAt: row.updatedAt };
}

export async function readTopology(db: DbOrTx, tenantId: string): Promise<TopologyRecord | null> {
  const [row] = await db.select().from(topologies).where(eq(topologies.tenantId, tenantId)).limit(1);
  return row ? toRecord(row) : null;
}

/** When the tenant's topology last changed (null: none stored); a cheap check before reloading a cached copy. */
export async function topologyVersion(db: DbOrTx, tenantId: string): Promise<Date | null> {
  const [row] = await db
    .select({ updatedAt: topologies.updatedAt })
    .from(topologies)
    .where(eq(topologies.tenantId, tenantId))
    .limit(1);
  return row?.updatedAt ?? null;
}

/** The tenant's topology as `topology.get` answers; null when none is stored. */
export async function getTopology(db: DbOrTx, tenantId: string): Promise<StoredTopology | null> {
  const record = await readTopology(db, tenantId);
  if (!record) return null;
  return {
    tenant: tenantId,
    devices: record.topology.devices,
    links: record.topology.links,
    device_count: record.topology.devices.length,
    link_count: record.topology.links.length,
    source: record.source,
    updated_by: record.updatedBy,
    updated_at: record.updatedAt.toISOString(),
  };
}

export interface ReplaceTopologyParams {
  tenantId: string;
  actor: string;
  topology: NetworkTopology;
  format: TopologyFormat;
  source: string;
  skipped?: { listed: SkippedItem[]; count: number };
}

/** Replaces the tenant's topology and records who did it in the audit trail, in one transaction. */
export async function replaceTopology(db: DbOrTx, params: ReplaceTopologyParams): Promise<Date> {
  const updatedAt = new Date();
  const values = {
    tenantId: params.tenantId,
    document: params.topology,
    devices: params.topology.devices.length,
    links: params.topology.links.length,
    source: params.source,
    updatedBy: params.actor,
    updatedAt,
  };
  await db.transaction(async (tx) => {
    const previous = await topologyCounts(tx, params.tenantId);
    await tx
      .insert(topologies)
      .values(values)
      .onConflictDoUpdate({
        target: topologies.tenantId,
        set: {
          document: values.document,
          devices: values.devices,
          links: values.links,
          source: values.source,
          updatedBy: values.updatedBy,
          updatedAt,
        },
      });
    await appendAudit(tx, {
      tenantId: params.tenantId,
      actor: params.actor,
      action: "topology.import",
      entityType: "topology",
      entityId: params.tenantId,
      incidentId: null,
      details: {
        format: params.format,
        source: params.source,
        devices: values.devices,
        links: values.links,
        skipped: params.skipped?.count ?? 0,
        replaced: previous,
      },
    });
  });
  return updatedAt;
}

async function topologyCounts(tx: DbOrTx, tenantId: string): Promise<{ devices: number; links: number } | null> {
  const [row] = await tx
    .select({ devices: topologies.devices, links: topologies.links })
    .from(topologies)
    .where(eq(topologies.tenantId, tenantId))
    .limit(1)
    .for("update");
  return row ?? null;
}

/**
 * Stores the demo topology for a tenant that has none, so generated scenarios correlate over the devices they
 * name; a tenant's own topology is never replaced. Returns whether it stored it.
 */
export async function ensureDemoTopology(
  db: DbOrTx,
  params: { tenantId: string; actor: string; topology: NetworkTopology },
): Promise<boolean> {
  if (await topologyVersion(db, params.tenantId)) return false;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(topologies)
      .values({
        tenantId: params.tenantId,
        document: params.topology,
        devices: params.topology.devices.length,
        links: params.topology.links.length,
        source: DEMO_TOPOLOGY_SOURCE,
        updatedBy: params.actor,
        updatedAt: new Date(),
      })
      .onConflictDoNothing({ target: topologies.tenantId })
      .returning({ tenantId: topologies.tenantId });
    if (inserted.length === 0) return false;
    await appendAudit(tx, {
      tenantId: params.tenantId,
      actor: params.actor,
      action: "topology.import",
      entityType: "topology",
      entityId: params.tenantId,
      incidentId: null,
      details: {
        format: "teleops",
        source: DEMO_TOPOLOGY_SOURCE,
        devices: params.topology.devices.length,
        links: params.topology.links.length,
        skipped: 0,
        replaced: null,
      },
    });
    return true;
  });
}
