import type { Alert, RcaArtifact, Severity } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { findRootAlarm } from "./rootAlarm.ts";

function alert(id: number, minute: number, host: string, severity: Severity, alert_type = "link_down"): Alert {
  return {
    id,
    fingerprint: `f${id}`,
    timestamp: new Date(Date.UTC(2026, 10, 25, 10, minute)).toISOString(),
    source_system: "net-snmp",
    host,
    service: "backbone",
    severity,
    alert_type,
    message: "",
    tags: {},
    raw_payload: {},
    tenant_id: "acme",
    status: "firing",
    incident_id: "INC-000001",
  };
}

function artifact(status: RcaArtifact["status"], root: string, alertIds: number[], createdAt: string): RcaArtifact {
  return {
    id: `a-${status}-${createdAt}`,
    incident_id: "INC-000001",
    engine: "baseline",
    model: null,
    status,
    hypotheses: [
      {
        rank: 1,
        category: "fiber_cut",
        root_component: root,
        hypothesis: "cut",
        confidence: 0.8,
        evidence: { alert_ids: alertIds, counts_by_type: {}, first_seen: {}, notes: [] },
        remediation_steps: [],
        runbook_refs: [],
      },
    ],
    retrieval: [],
    duration_ms: 3,
    error: null,
    trace: null,
    created_by: "olga",
    created_at: createdAt,
    reviewer: null,
    review_notes: null,
    reviewed_at: null,
  };
}

const alerts = [
  alert(1, 0, "mon-01", "warning", "cpu_high"),
  alert(2, 1, "core-01", "major", "interface_errors"),
  alert(3, 2, "roadm-01", "critical", "loss_of_signal"),
  alert(4, 3, "core-01", "critical"),
];

describe("root alarm", () => {
  it("is the earliest alert of at least minor severity when no RCA has run", () => {
    expect(findRootAlarm(alerts, [null, undefined])).toMatchObject({ alert: { id: 2 }, source: "first_significant" });
  });

  it("is the earliest cited alert on the component the RCA blames", () => {
    const pending = artifact("pending_review", "roadm-01", [2, 3, 4], "2026-11-25T10:10:00Z");
    expect(findRootAlarm(alerts, [pending])).toMatchObject({ alert: { id: 3 }, source: "rca" });
  });

  it("prefers the accepted artifact over a newer one awaiting review, and ignores rejected ones", () => {
    const accepted = artifact("accepted", "core-01", [2, 4], "2026-11-25T10:05:00Z");
    const newer = artifact("pending_review", "roadm-01", [3], "2026-11-25T10:20:00Z");
    expect(findRootAlarm(alerts, [newer, accepted])).toMatchObject({ alert: { id: 2 }, source: "rca" });
    const rejected = artifact("rejected", "roadm-01", [3], "2026-11-25T10:20:00Z");
    expect(findRootAlarm(alerts, [rejected])).toMatchObject({ alert: { id: 2 }, source: "first_significant" });
  });

  it("finds nothing in an incident of warnings only", () => {
    expect(findRootAlarm([alert(1, 0, "mon-01", "warning")], [])).toBeNull();
  });
});
