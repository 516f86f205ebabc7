/**
 * The hosts an incident touches, grouped by site and then by network layer (optical up to application), with
 * each device's role and how many of the incident's alerts it raised; hosts the topology does not know are
 * listed apart, so an operator sees at a glance what kind of failure this is and where.
 */
import { useQuery } from "@tanstack/react-query";
import {
  type Alert,
  type Incident,
  LAYERS,
  type Layer,
  type Severity,
  severityRank,
  type TopologyDevice,
} from "@teleops/schema";
import { useMemo } from "react";
import { humanize } from "../lib/format.ts";
import { trpc } from "../trpc.ts";
import { SeverityBadge } from "./Badges.tsx";
import { ErrorState } from "./StateViews.tsx";
import "../ux.css";

interface HostStats {
  alerts: number;
  worst: Severity;
}

function statsByHost(alerts: readonly Alert[] | undefined): Map<string, HostStats> {
  const stats = new Map<string, HostStats>();
  for (const alert of alerts ?? []) {
    const entry = stats.get(alert.host);
    if (!entry) stats.set(alert.host, { alerts: 1, worst: alert.severity });
    else {
      entry.alerts += 1;
      if (severityRank(alert.severity) < severityRank(entry.worst)) entry.worst = alert.severity;
    }
  }
  return stats;
}

interface SiteGroup {
  /** Null: devices the topology lists without a site. */
  site: string | null;
  /** Layer null: devices the topology lists without one (NetBox exports carry none). */
  layers: Array<{ layer: Layer | null; devices: TopologyDevice[] }>;
}

function groupBySite(devices: readonly TopologyDevice[]): SiteGroup[] {
  const sites = new Map<string | null, TopologyDevice[]>();
  for (const device of devices) sites.set(device.site, [...(sites.get(device.site) ?? []), device]);
  return [...sites.entries()]
    .sort((a, b) => b[1].length - a[1].length || (a[0] ?? "").localeCompare(b[0] ?? ""))
    .map(([site, members]) => ({
      site,
      // Bottom of the stack first: an optical fault explains the routing alarms above it, not the other way round.
      layers: [...LAYERS, null]
        .map((layer) => ({
          layer,
          devices: members.filter((d) => d.layer === layer).sort((a, b) => a.host.localeCompare(b.host)),
        }))
        .filter((group) => group.devices.length > 0),
    }));
}

function HostLine({ host, role, stats, root }: { host: string; role?: string; stats?: HostStats; root: boolean }) {
  return (
    <li className="devices__item" data-testid="affected-device">
      <span>
        <span className={`mono${root ? " devices__host--root" : ""}`}>{host}</span>
        {root ? <span className="visually-hidden"> (root alarm)</span> : null}
        {role ? <span className="muted small"> · {role}</span> : null}
      </span>
      {stats ? (
        <span className="nowrap small">
          {stats.alerts} <SeverityBadge severity={stats.worst} />
        </span>
      ) : null}
    </li>
  );
}

export function AffectedDevices({
  incident,
  alerts,
  rootHost,
}: {
  incident: Incident;
  alerts: readonly Alert[] | undefined;
  rootHost: string | undefined;
}) {
  const query = useQuery(trpc.topology.devices.queryOptions({ hosts: incident.hosts }, { staleTime: 60_000 }));
  const stats = useMemo(() => statsByHost(alerts), [alerts]);
  const sites = useMemo(() => groupBySite(query.data?.devices ?? []), [query.data]);

  return (
    <section className="card" aria-labelledby="devices-title" data-testid="affected-devices">
      <div className="card__header">
        <h2 id="devices-title">Affected devices ({incident.hosts.length})</h2>
      </div>
      {query.isPending ? (
        <ul className="devices__list" aria-busy="true">
          {incident.hosts.slice(0, 12).map((host) => (
            <HostLine key={host} host={host} stats={stats.get(host)} root={host === rootHost} />
          ))}
        </ul>
      ) : query.isError ? (
        <ErrorState
          what="Could not look the hosts up in the topology."
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : (
        <div className="devices">
          {sites.map((site) => (
            <div key={site.site ?? ""} data-testid="device-site">
              <h3 className="devices__site">
                {site.site === null ? (
                  "Site not recorded"
                ) : (
                  <>
                    Site <span className="mono">{site.site}</span>
                  </>
                )}
              </h3>
              {site.layers.map((group) => (
                <div key={group.layer ?? ""}>
                  <h4 className="devices__layer">
                    {group.layer === null ? "Layer not recorded" : `${humanize(group.layer)} layer`}
                  </h4>
                  <ul className="devices__list">
                    {group.devices.map((device) => (
                      <HostLine
                        key={device.host}
                        host={device.host}
                        role={device.role ?? undefined}
                        stats={stats.get(device.host)}
                        root={device.host === rootHost}
                      />
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          ))}
          {query.data.unknown.length > 0 ? (
            <div data-testid="device-unknown">
              <h3 className="devices__site">Not in topology ({query.data.unknown.length})</h3>
              <p className="muted small">
                Import the tenant's topology (the Import page, or <code>teleops topology import</code>) to see their
                site and role.
              </p>
              <ul className="devices__list">
                {query.data.unknown.map((host) => (
                  <HostLine key={host} host={host} stats={stats.get(host)} root={host === rootHost} />
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      )}
    </section>
  );
}
