/**
 * Writing webhook deliveries: each delivery's alerts are stored already correlated, together with the
 * delivery's integration event, in one transaction shared by every delivery of the group (see `IngestBatcher`).
 * Alerts a silence holds are stored in the same transaction with the silence's id and no incident, and the
 * correlator never sees them. A 202 answered after this resolves means the alerts and the event are committed.
 */
import type { DbOrTx } from "@teleops/db";
import type { CanonicalAlert, IncidentRef } from "@teleops/schema";
import type { TopologyView } from "../correlation/correlator.ts";
import { sitePattern } from "../correlation/features.ts";
import { type CorrelatePendingOptions, storeAndCorrelate } from "../correlation/persist.ts";
import { type IntegrationEventDraft, recordIntegrationEvents } from "../integrations/events.ts";
import { type SilenceSet, silenceSet } from "../silences/match.ts";
import { activeSilenceRules } from "../silences/store.ts";
import { insertAlertRows } from "./ingest.ts";

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
  /** Of the accepted alerts, those a silence held: stored with `silenced_by`, in no incident. */
  silenced: number;
  /** Incidents the shared correlation pass created or grew (other deliveries' included). */
  incidents: IncidentRef[];
}

export type DeliveryWriter = (tenantId: string, deliveries: DeliveryToStore[]) => Promise<StoredDelivery[]>;

export interface DeliveryCorrelation extends Omit<CorrelatePendingOptions, "tenantId"> {
  /** The tenant's topology (cached by the caller), read before each write; takes the place of `topology`. */
  topologyOf?: (tenantId: string) => Promise<TopologyView>;
}

/** One delivery's alerts split by the silences in force: those that go on to correlation and those held. */
interface SplitDelivery {
  passing: CanonicalAlert[];
  held: CanonicalAlert[];
  heldBy: string[];
}

function splitBySilences(alerts: readonly CanonicalAlert[], set: SilenceSet): SplitDelivery {
  const split: SplitDelivery = { passing: [], held: [], heldBy: [] };
  for (const alert of alerts) {
    const silence = set.silencing(alert);
    if (silence === null) split.passing.push(alert);
    else {
      split.held.push(alert);
      split.heldBy.push(silence);
    }
  }
  return split;
}

export function createDeliveryWriter(db: DbOrTx, correlation: DeliveryCorrelation): DeliveryWriter {
  const { topologyOf, topology: fixed, ...options } = correlation;
  const siteOfHost = options.siteOfHost ?? sitePattern(options.config?.sitePattern);
  return async (tenantId, deliveries) => {
    let stored: StoredDelivery[] = [];
    const prior: Array<PriorChanges | undefined> = [];
    const held: number[] = [];
    const now = new Date();
    // The tenant's silences are read once per group commit (one indexed statement, beside the topology, which is
    // cached): always current, whichever process or replica created or expired one.
    const [topology, rules] = await Promise.all([
      topologyOf ? topologyOf(tenantId) : fixed,
      activeSilenceRules(db, tenantId, now),
    ]);
    const silencing = rules.length > 0 ? silenceSet(rules, now, siteOfHost) : null;
    const split = deliveries.map((delivery) =>
      silencing && silencing.size > 0
        ? splitBySilences(delivery.alerts, silencing)
        : { passing: [...delivery.alerts], held: [], heldBy: [] },
    );
    const anyHeld = split.some((part) => part.held.length > 0);
    const hooks = anyHeld || deliveries.some((delivery) => delivery.before);
    await storeAndCorrelate(
      db,
      { ...options, ...(topology ? { topology } : {}), tenantId },
      split.map((part) => part.passing),
      (tx, outcome) => {
        stored = outcome.batches.map((counts, index) => {
          const changes = prior[index];
          const silenced = held[index] ?? 0;
          const total = deliveries[index]?.alerts.length ?? 0;
          const accepted = counts.accepted + silenced;
          return {
            accepted,
            duplicates: total - accepted,
            silenced,
            incidents: outcome.incidents,
            ...(changes ? { prior: changes } : {}),
          };
        });
        const events = deliveries.flatMap((delivery, index) =>
          delivery.event ? [delivery.event(stored[index] as StoredDelivery)] : [],
        );
        return recordIntegrationEvents(tx, events);
      },
      hooks
        ? async (tx) => {
            prior.length = 0;
            held.length = 0;
            for (const [index, delivery] of deliveries.entries()) {
              prior.push(delivery.before ? await delivery.before(tx) : undefined);
              const part = split[index] as SplitDelivery;
              // Held alerts are written already "correlated" (the correlator's queue never holds them) with no
              // incident and no pending group, so no pass ever reads them as material for an incident.
              held.push(
                part.held.length === 0
                  ? 0
                  : await insertAlertRows(tx, tenantId, part.held, {
                      at: now,
                      incidentIds: part.held.map(() => null),
                      silencedBy: part.heldBy,
                    }),
              );
            }
          }
        : undefined,
    );
    return stored;
  };
}
