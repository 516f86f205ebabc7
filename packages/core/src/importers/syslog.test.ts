import { createReadStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseSyslog, parseSyslogLine, SYSLOG_SEVERITY_MAP, type SyslogOptions, YearResolver } from "./syslog.ts";
import type { ImportRecord } from "./validate.ts";

const NOW = Date.parse("2026-03-01T00:00:00Z");
const SAMPLE = fileURLToPath(new URL("../../../../fixtures/data_samples/network_syslog.log", import.meta.url));

async function parse(lines: string[], options: SyslogOptions = {}): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const item of parseSyslog([lines.join("\n")], { year: 2025, now: NOW, ...options })) out.push(item);
  return out;
}
async function one(line: string, options: SyslogOptions = {}) {
  const [record] = await parse([line], options);
  if (!record || "error" in record) throw new Error(`rejected: ${record && "error" in record ? record.error : "none"}`);
  return record.alert;
}
const errors = (records: ImportRecord[]) =>
  records.flatMap((r) => ("error" in r ? [{ line: r.line, error: r.error }] : []));

describe("syslog importer", () => {
  it("reads RFC 5424 with structured data, escapes and a Junos mnemonic as MSGID", async () => {
    const alert = await one(
      '<28>1 2025-12-31T22:41:15.412Z mad-edge-mx-3 rpd 4412 RPD_BGP_NEIGHBOR_STATE_CHANGED [junos@2636.1.1.1.2.18 peer-name="198.51.100.21" note="a \\"quoted\\" \\] value"] BGP peer 198.51.100.21 (Internal AS 64530) changed state from Established to Idle (event Stop)',
    );
    expect(alert).toMatchObject({
      timestamp: "2025-12-31T22:41:15.412Z",
      source_system: "syslog",
      host: "mad-edge-mx-3",
      service: "",
      severity: "minor",
      alert_type: "bgp_session_down",
      status: "firing",
      tags: { program: "rpd", neighbor: "198.51.100.21" },
      message: "BGP peer 198.51.100.21 (Internal AS 64530) changed state from Established to Idle (event Stop)",
    });
    expect(alert.raw_payload).toMatchObject({
      framing: "rfc5424",
      pri: 28,
      facility: "daemon",
      syslog_severity: "warning",
      msgid: "RPD_BGP_NEIGHBOR_STATE_CHANGED",
      structured_data: { "junos@2636.1.1.1.2.18": { "peer-name": "198.51.100.21", note: 'a "quoted" ] value' } },
    });
  });

  it("reads RFC 3164 with Cisco IOS, IOS-XR, Junos and EOS message styles", async () => {
    const ios = await one(
      "<187>Mar  1 12:00:00 par-edge-rtr-02 2345: Mar  1 12:00:00.123 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/0/1, changed state to down",
    );
    expect(ios).toMatchObject({
      timestamp: "2025-03-01T12:00:00.000Z",
      host: "par-edge-rtr-02",
      severity: "major",
      alert_type: "link_down",
      tags: { interface: "GigabitEthernet0/0/1" },
      message: "%LINK-3-UPDOWN: Interface GigabitEthernet0/0/1, changed state to down",
    });
    const xr = await one(
      "<189>Mar  1 12:00:02 lis-core-rtr-1 RP/0/RSP0/CPU0:Mar  1 12:00:02.100 UTC: bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor 2001:db8:530::22 Down - Interface flap (VRF: default) (AS: 64530)",
    );
    expect(xr).toMatchObject({
      severity: "warning",
      alert_type: "bgp_session_down",
      tags: { program: "bgp", neighbor: "2001:db8:530::22" },
    });
    const junos = await one(
      "<28>Mar  1 12:00:03 mad-edge-mx-3 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 539, ifAdminStatus up(1), ifOperStatus down(2), ifName xe-0/0/1",
    );
    expect(junos).toMatchObject({ alert_type: "link_down", tags: { program: "mib2d", interface: "xe-0/0/1" } });
    const eos = await one(
      "<186>Mar  1 12:00:04 agg-switch-7 PowerManager: %PLATFORM-2-PS_FAIL: Power supply 2 has failed",
    );
    expect(eos).toMatchObject({
      severity: "critical",
      alert_type: "power_supply_failure",
      tags: { program: "PowerManager" },
    });
  });

  it("maps the eight syslog severities onto TeleOps severities without inverting any two", async () => {
    const seen = [];
    for (let code = 0; code < 8; code++) {
      seen.push((await one(`<${16 * 8 + code}>Mar  1 12:00:00 h1 app: message`)).severity);
    }
    expect(seen).toEqual(["critical", "critical", "critical", "major", "minor", "warning", "info", "info"]);
    expect(seen).toEqual([...SYSLOG_SEVERITY_MAP]);
  });

  it("turns vendor mnemonics into alert types, keeps unknown ones in snake_case, and reads recoveries as up alerts", async () => {
    const cases: Array<[string, string, string]> = [
      ["%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to down", "line_protocol_down", "firing"],
      ["%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to up", "line_protocol_up", "resolved"],
      ["%BGP-5-ADJCHANGE: neighbor 203.0.113.9 Up", "bgp_session_up", "resolved"],
      [
        "%OSPF-5-ADJCHG: Process 1, Nbr 192.0.2.2 on Gi0/0 from FULL to DOWN, Neighbor Down",
        "ospf_neighbor_down",
        "firing",
      ],
      [
        "%OSPF-4-ERRRCV: Received invalid packet: mismatched area ID from 192.0.2.9, Ethernet3",
        "ospf_packet_error",
        "firing",
      ],
      ["%PKT_INFRA-LINK-3-UPDOWN : Interface HundredGigE0/0/0/0, changed state to Up", "link_up", "resolved"],
      ["%SYS-5-RESTART: System restarted --", "system_restart", "firing"],
      [
        "%SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 192.0.2.9 port 514 started - CLI initiated",
        "sys_logginghost_startstop",
        "firing",
      ],
      [
        "rpd[12]: RPD_OSPF_NBRUP: OSPF neighbor 192.0.2.21 state changed from Loading to Full",
        "ospf_neighbor_up",
        "resolved",
      ],
      ["chassisd[77]: CHASSISD_SNMP_TRAP7: SNMP trap generated: Optics LOS alarm", "optical_loss_of_signal", "firing"],
      ["sshd[9]: Accepted publickey for noc from 192.0.2.50 port 51234 ssh2", "syslog_message", "firing"],
    ];
    for (const [message, type, status] of cases) {
      const alert = await one(`<189>Mar  1 12:00:00 rtr-1 ${message}`);
      expect([message, alert.alert_type, alert.status]).toEqual([message, type, status]);
    }
  });

  it("rejects lines without a PRI, with garbage after it, or with an out-of-range PRI, naming the line", async () => {
    const records = await parse([
      "<189>Mar  1 12:00:00 rtr-1 app: fine",
      "just some text",
      "<34>garbage after the PRI",
      "<999>Mar  1 12:00:00 rtr-1 app: too high",
      "<34>1 - rtr-1 app - - - no timestamp",
      "<34>2 2025-03-01T12:00:00Z rtr-1 app - - - version 2",
      "<34>1 2025-03-01T12:00:00Z rtr-1 app - - [bad sd",
      "<34>Feb 30 12:00:00 rtr-1 app: no such day",
      "<34>1 2025-03-01T12:00:00 rtr-1 app - - - no zone",
      "<189>Mar  1 12:00:01 rtr-1 app: also fine",
    ]);
    expect(errors(records)).toEqual([
      { line: 2, error: "no <PRI> at the start of the line: not a syslog line" },
      { line: 3, error: expect.stringMatching(/^expected an RFC 5424 version or an RFC 3164 timestamp/) },
      { line: 4, error: "PRI <999> is out of range (0–191)" },
      { line: 5, error: "the RFC 5424 timestamp is missing (NILVALUE)" },
      { line: 6, error: "RFC 5424 version 2 is not supported (only 1)" },
      { line: 7, error: "malformed RFC 5424 SD-PARAM" },
      { line: 8, error: '"Feb 30 12:00:00" is not a valid date and time' },
      { line: 9, error: expect.stringMatching(/^timestamp: not an ISO-8601 timestamp with a zone/) },
    ]);
    expect(records.filter((r) => "alert" in r).map((r) => r.line)).toEqual([1, 10]);
  });

  it("accepts a line without PRI when a Cisco mnemonic carries the severity", async () => {
    const alert = await one("Mar  1 12:00:00 sw-1 %LINK-3-UPDOWN: Interface Gi0/2, changed state to down");
    expect(alert).toMatchObject({ severity: "major", alert_type: "link_down", host: "sw-1" });
  });

  it("rolls the year over from December to January when --year is given", async () => {
    const records = await parse(["<189>Dec 31 23:59:58 rtr-1 app: before", "<189>Jan  1 00:00:03 rtr-1 app: after"], {
      year: 2025,
    });
    expect(records.map((r) => ("alert" in r ? r.alert.timestamp : r.error))).toEqual([
      "2025-12-31T23:59:58.000Z",
      "2026-01-01T00:00:03.000Z",
    ]);
  });

  it("without --year puts each timestamp in the latest year not after the file's modification time", async () => {
    const records = await parse(["<189>Dec 31 23:59:58 rtr-1 app: before", "<189>Jan  1 00:00:03 rtr-1 app: after"], {
      year: undefined,
      referenceTime: Date.parse("2026-01-02T08:00:00Z"),
    });
    expect(records.map((r) => ("alert" in r ? r.alert.timestamp : r.error))).toEqual([
      "2025-12-31T23:59:58.000Z",
      "2026-01-01T00:00:03.000Z",
    ]);
  });

  it("reads the shipped sample: over 200 lines in both framings from routers, switches and optical gear", async () => {
    const text = readFileSync(SAMPLE, "utf8");
    expect(text.split("\n").filter((l) => /^<\d+>1 /.test(l)).length).toBeGreaterThan(20);
    expect(text.split("\n").filter((l) => /^<\d+>[A-Z][a-z]{2} /.test(l)).length).toBeGreaterThan(100);
    const records: ImportRecord[] = [];
    for await (const r of parseSyslog(createReadStream(SAMPLE, { highWaterMark: 1_000 }), { year: 2025, now: NOW })) {
      records.push(r);
    }
    expect(records.length).toBeGreaterThanOrEqual(200);
    expect(errors(records)).toEqual([]);
    const types = new Set(records.flatMap((r) => ("alert" in r ? [r.alert.alert_type] : [])));
    for (const type of [
      "link_down",
      "line_protocol_down",
      "bgp_session_down",
      "power_supply_failure",
      "ospf_neighbor_down",
      "ospf_packet_error",
      "optical_loss_of_signal",
    ]) {
      expect(types).toContain(type);
    }
  });
});

describe("vendor formats beyond Cisco mnemonics", () => {
  const years = new YearResolver(2026, Date.parse("2026-12-01T00:00:00Z"));
  const parse = (line: string) => {
    const draft = parseSyslogLine(line, years);
    if (typeof draft === "string") throw new Error(draft);
    return draft;
  };

  it("reads Cisco ASA numbered messages", () => {
    const deny = parse(
      '<164>Sep  3 07:07:01 lon-fw1a %ASA-4-106023: Deny tcp src outside:203.0.113.17/54466 dst dmz:198.51.100.26/5900 by access-group "outside_access_in"',
    );
    expect(deny.alert_type).toBe("acl_deny");
    expect(deny.raw_payload.mnemonic).toBe("%ASA-4-106023");
    const up = parse(
      "<165>Sep  3 07:31:25 lon-fw1a %ASA-4-411001: Line protocol on Interface outside-a, changed state to up",
    );
    expect(up).toMatchObject({ alert_type: "line_protocol_up", status: "resolved" });
    expect(parse("<165>Sep  3 07:31:25 lon-fw1a %ASA-1-999999: something new").alert_type).toBe("asa_999999");
    const removed = parse(
      "<166>Sep  3 08:00:00 lon-fw1a %ASA-6-622001: Removing tracked route 0.0.0.0 0.0.0.0 192.0.2.1, distance 1, table default, on interface outside",
    );
    const added = parse(
      "<166>Sep  3 08:20:00 lon-fw1a %ASA-6-622001: Adding tracked route 0.0.0.0 0.0.0.0 192.0.2.1, distance 1, table default, on interface outside",
    );
    expect(removed).toMatchObject({ alert_type: "tracked_route_down", status: "firing" });
    expect(added).toMatchObject({ alert_type: "tracked_route_up", status: "resolved" });
    expect(
      parse(
        "<165>Sep  3 08:00:09 lon-fw1a %ASA-5-713259: Group = 192.0.2.77, IP = 192.0.2.77, Session is being torn down. Reason: Lost Service",
      ).alert_type,
    ).toBe("ike_session_down");
  });

  it("reads Junos chassis alarms and their ends: a power entry module back, a card online, alarmd's cleared alarm", () => {
    const bad = parse(
      "<26>Mar  4 01:02:03 mx480-b.par chassisd[2011]: CHASSISD_PEM_INPUT_BAD: status failed for power supply 1 (status bits: 0x04)",
    );
    const good = parse(
      "<29>Mar  4 02:10:00 mx480-b.par chassisd[2011]: CHASSISD_PEM_INPUT_GOOD: status OK for power supply 1",
    );
    expect(bad).toMatchObject({ alert_type: "power_supply_failure", status: "firing" });
    expect(good).toMatchObject({ alert_type: "power_supply_failure_cleared", status: "resolved" });
    expect(parse("<29>Mar  4 02:12:00 mx480-b.par chassisd[2011]: CHASSISD_FRU_ONLINE: PIC 1/0 online")).toMatchObject({
      alert_type: "fru_offline_cleared",
      status: "resolved",
    });
    const set = parse(
      "<27>Mar  4 01:02:04 mx480-b.par alarmd[2020]: Alarm set: FAN color=YELLOW, class=CHASSIS, reason=Fan Tray 0 Failure",
    );
    const cleared = parse(
      "<29>Mar  4 02:00:00 mx480-b.par alarmd[2020]: Alarm cleared: FAN color=YELLOW, class=CHASSIS, reason=Fan Tray 0 Failure",
    );
    expect(set).toMatchObject({ alert_type: "chassis_alarm", status: "firing" });
    expect(cleared).toMatchObject({ alert_type: "chassis_alarm_cleared", status: "resolved" });
    // Other alarmd lines keep the generic type.
    expect(parse("<29>Mar  4 02:00:01 mx480-b.par alarmd[2020]: alarm daemon restarted").alert_type).toBe(
      "syslog_message",
    );
  });

  it("reads Nokia SR OS TMNX events, their clears included", () => {
    const down = parse(
      "<188>Jul 22 08:47:19 mil-pe1 TMNX: 42182 Base SNMP-WARNING-linkDown-2004 [Port 1/1/3]:  Interface 1/1/3 is not operational",
    );
    expect(down).toMatchObject({ host: "mil-pe1", alert_type: "link_down", status: "firing" });
    const up = parse(
      "<188>Jul 22 09:47:19 mil-pe1 TMNX: 42190 Base SNMP-WARNING-linkup-2005 [Port 1/1/3]:  Interface 1/1/3 is operational",
    );
    expect(up).toMatchObject({ alert_type: "link_up", status: "resolved" });
    const card = parse(
      "<186>Jul 22 08:47:19 mil-pe1 TMNX: 42199 Base CHASSIS-CRITICAL-tmnxEqCardFailure-2004 [Card 2]:  Class IO Module failed",
    );
    expect(card.alert_type).toBe("card_failure");
  });
});
