/**
 * Writing webhook deliveries: each delivery's alerts are stored already correlated, together with the
 * delivery's integration event, in one transaction shared by every delivery of the group (see `IngestBatcher`).
 * A 202 answered after this resolves means the alerts and the event are committed.
 */
import type { DbOrTx } from "@teleops/db";
import type { CanonicalAlert, IncidentRef } from "@teleops/schema";
import type { TopologyView } from "../correlation/correlator.ts";
import { type CorrelatePendingOptions, storeAndCorrelate } from "../correlation/persist.ts";
import { type IntegrationEventDraft, recordIntegrationEvents } from "../integrations/events.ts";

export interface DeliveryToStore {
  /** Alerts to store (new ones) and correlate. */
  alerts: readonly CanonicalAlert[];
  /**
   * Other changes the delivery makes, run in the shared transaction under the tenant's lock before any alert
   * is stored (an Alertmanager delivery resolving stored alerts); what it reports comes back as `prior`.
   */
  before?: (tx: DbOrTx) => Promise<PriorChanges>;
  /** The delivery's integration event, written in the same transaction, given what came of its alerts. */
  event?: (stored: StoredDelivery) => IntegrationEventDraft;
}

export interface PriorChanges {
  /** Alerts `before` stored itself (stored for later correlation). */
  inserted: number;
  /** Stored alerts it changed. */
  resolved: number;
  /** Alerts it found already in the state they asked for. */
  duplicates: number;
}

export interface StoredDelivery {
  /** What `before` did, when the delivery had one. */
  prior?: PriorChanges;
  accepted: number;
  duplicates: number;
  /** Incidents the shared correlation pass created or grew (other deliveries' included). */
  incidents: IncidentRef[];
}

export type DeliveryWriter = (tenantId: string, deliveries: DeliveryToStore[]) => Promise<StoredDelivery[]>;

export interface DeliveryCorrelation extends Omit<CorrelatePendingOptions, "tenantId"> {
  /** The tenant's topology (cached by the caller), read before each write; takes the place of `topology`. */
  topologyOf?: (tenantId: string) => Promise<TopologyView>;
}

export function createDeliveryWriter(db: DbOrTx, correlation: DeliveryCorrelation): DeliveryWriter {
  const { topologyOf, topology: fixed, ...options } = correlation;
  return async (tenantId, deliveries) => {
    let stored: StoredDelivery[] = [];
    const prior: Array<PriorChanges | undefined> = [];
    const hooks = deliveries.some((delivery) => delivery.before);
    const topology = topologyOf ? await topologyOf(tenantId) : fixed;
    await storeAndCorrelate(
      db,
      { ...options, ...(topology ? { topology } : {}), tenantId },
      deliveries.map((delivery) => delivery.alerts),
      (tx, outcome) => {
        stored = outcome.batches.map((counts, index) => {
          const changes = prior[index];
          return { ...counts, incidents: outcome.incidents, ...(changes ? { prior: changes } : {}) };
        });
        const events = deliveries.flatMap((delivery, index) =>
          delivery.event ? [delivery.event(stored[index] as StoredDelivery)] : [],
        );
        return recordIntegrationEvents(tx, events);
      },
      hooks
        ? async (tx) => {
            prior.length = 0;
            for (const delivery of deliveries) prior.push(delivery.before ? await delivery.before(tx) : undefined);
          }
        : undefined,
    );
    return stored;
  };
}
