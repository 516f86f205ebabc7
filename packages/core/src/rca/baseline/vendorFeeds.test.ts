/**
 * The baseline on real feed wording: syslog files of vendor BGP down/up cycles imported with the production
 * parser, and incidents delivered as Alertmanager webhook bodies, mapped by the production receiver.
 */
import { createReadStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Alert, alertmanagerWebhookSchema, type CanonicalAlert } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { parseSyslog } from "../../importers/syslog.ts";
import { alertmanagerToCanonical } from "../../integrations/alertmanager.ts";
import { loadRunbookIndex } from "../retrieval.ts";
import { rankRootCauses } from "./index.ts";

const VENDOR = fileURLToPath(new URL("../../../../../fixtures/vendor/", import.meta.url));
const runbooks = loadRunbookIndex();

function stored(alerts: ReadonlyArray<Omit<CanonicalAlert, "fingerprint"> & { fingerprint?: string }>): Alert[] {
  return alerts.map((alert, index) => ({
    ...alert,
    fingerprint: alert.fingerprint ?? `fp-${index}`,
    id: index + 1,
    tenant_id: null,
    incident_id: "INC-VENDOR",
  }));
}

async function importSyslog(file: string): Promise<Alert[]> {
  const drafts = [];
  for await (const record of parseSyslog(createReadStream(`${VENDOR}syslog/${file}`), {
    year: 2026,
    now: Date.parse("2026-12-01T00:00:00Z"),
  })) {
    if ("error" in record) throw new Error(`line ${record.line}: ${record.error}`);
    drafts.push({ ...record.alert, fingerprint: record.alert.fingerprint ?? undefined });
  }
  return stored(drafts);
}

function deliverAlertmanager(file: string): Alert[] {
  const body: unknown = JSON.parse(readFileSync(`${VENDOR}alertmanager/incidents/${file}`, "utf8"));
  const envelope = alertmanagerWebhookSchema.parse(body);
  return stored(envelope.alerts.map((alert) => alertmanagerToCanonical(alert, envelope)));
}

const rank = (alerts: Alert[]) =>
  rankRootCauses({ incidentId: "INC-VENDOR", summary: null, alerts }, { runbooks }).hypotheses;

describe("baseline on vendor syslog", () => {
  it("reads eight IOS BGP down/up cycles as a flap of the router that logged them, not as 16 downs", async () => {
    const alerts = await importSyslog("bgp-flap-ios.log");
    expect(alerts.filter((a) => a.alert_type === "bgp_session_up")).toHaveLength(8);
    const [top] = rank(alerts);
    expect(top).toMatchObject({ category: "bgp_flap", root_component: "ams1-edge-02" });
    expect(top?.hypothesis).toContain("198.51.100.21");
    expect(top?.hypothesis).toMatch(/flapping \d+ times/);
    expect(top?.hypothesis).toContain("hold time expired");
    expect(top?.evidence.notes.join(" ")).toMatch(/session-down and 8 session-up events on ams1-edge-02/);
  });

  it("reads eight Junos Established/Idle cycles as a flap of the peering router, not of the core router beside it", async () => {
    const alerts = await importSyslog("bgp-flap-junos.log");
    const [top] = rank(alerts);
    expect(top).toMatchObject({ category: "bgp_flap", root_component: "lis-peer-mx-1" });
    expect(top?.hypothesis).toContain("AS64601 (185.1.2.33)");
    expect(top?.hypothesis).toMatch(/flapping 8 times/);
  });

  it("still reads the same cycles as a flap when the up events arrive as resolved down alerts (older imports)", async () => {
    const alerts = (await importSyslog("bgp-flap-ios.log")).map((alert) =>
      alert.alert_type === "bgp_session_up" ? { ...alert, alert_type: "bgp_session_down" } : alert,
    );
    expect(rank(alerts)[0]).toMatchObject({ category: "bgp_flap", root_component: "ams1-edge-02" });
  });
});

describe("baseline on Alertmanager deliveries", () => {
  it("sees resolved and firing episodes of one peer as a flap and names the peer from the labels", () => {
    const alerts = deliverAlertmanager("bgp-peer-flapping.json");
    expect(alerts.map((a) => a.message).join(" ")).not.toContain("198.51.100.21");
    const [top] = rank(alerts);
    expect(top).toMatchObject({ category: "bgp_flap", root_component: "ams1-peer-01" });
    expect(top?.hypothesis).toContain("198.51.100.21");
    expect(top?.hypothesis).toMatch(/flapping \d+ times/);
    expect(top?.evidence.notes.join(" ")).toContain("bgpPeerRemoteAddr=198.51.100.21");
  });

  it("quotes the congested port and its circuit from the SNMP labels", () => {
    const alerts = deliverAlertmanager("pni-congestion.json");
    const [top] = rank(alerts);
    expect(top).toMatchObject({ category: "isp_peering_congestion", root_component: "fra1-peer-01" });
    expect(top?.hypothesis).toContain("Hu0/0/0/7");
    expect(top?.hypothesis).toContain("FRA-PNI-0007");
    expect(top?.hypothesis).toContain("96.4% utilisation");
    expect(top?.evidence.notes.join(" ")).toContain("ifName=Hu0/0/0/7");
  });
});
