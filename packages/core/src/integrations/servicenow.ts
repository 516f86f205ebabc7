/** Reading ServiceNow incident records (Table API field names) into TeleOps tickets. */
import {
  SERVICENOW_PRIORITIES,
  SERVICENOW_STATES,
  type ServicenowIncident,
  type ServicenowValue,
  servicenowTimeMillis,
} from "@teleops/schema";
import { findIncidentRefs, type InboundTicket } from "./tickets.ts";

/** The stored value of a field: the string itself, or `value` of a reference / display-value object. */
export function servicenowValue(field: ServicenowValue | undefined): string | undefined {
  if (field === undefined || field === null) return undefined;
  if (typeof field !== "object") return String(field);
  const inner = field.value ?? field.display_value;
  return inner === undefined || inner === null ? undefined : String(inner);
}

/** The display value when the sender gave one (`sysparm_display_value=all`), else the stored value. */
function servicenowDisplay(field: ServicenowValue | undefined): string | undefined {
  if (field && typeof field === "object" && field.display_value !== undefined && field.display_value !== null) {
    return String(field.display_value);
  }
  return servicenowValue(field);
}

/** `"2"`, `"In Progress"` and `"in progress"` all read as `In Progress`; an unknown state is kept as sent. */
export function servicenowState(field: ServicenowValue | undefined): string | undefined {
  return fromChoices(SERVICENOW_STATES, servicenowValue(field), servicenowDisplay(field));
}

/** `"1"`, `"1 - Critical"` and `"Critical"` all read as `1 - Critical`. */
export function servicenowPriority(field: ServicenowValue | undefined): string | undefined {
  return fromChoices(SERVICENOW_PRIORITIES, servicenowValue(field), servicenowDisplay(field));
}

function fromChoices(
  choices: Readonly<Record<string, string>>,
  value: string | undefined,
  display: string | undefined,
): string | undefined {
  for (const candidate of [value, display]) {
    const text = candidate?.trim();
    if (!text) continue;
    const byCode = choices[text];
    if (byCode) return byCode;
    const lower = text.toLowerCase();
    for (const label of Object.values(choices)) {
      // "Critical" matches "1 - Critical": instances often show the label without its code.
      if (label.toLowerCase() === lower || label.toLowerCase().endsWith(` - ${lower}`)) return label;
    }
  }
  return (display ?? value)?.trim() || undefined;
}

/** ServiceNow writes times as `YYYY-MM-DD HH:MM:SS` in UTC (the Table API's internal format); ISO is read too. */
export function parseServicenowTime(text: string | undefined): Date | null {
  const value = text?.trim();
  if (!value) return null;
  const millis = servicenowTimeMillis(value);
  return Number.isNaN(millis) ? null : new Date(millis);
}

/** The instance's base URL, read from any reference link (`https://acme.service-now.com/api/now/table/…`). */
function instanceOrigin(record: ServicenowIncident): string | undefined {
  for (const field of Object.values(record)) {
    if (field && typeof field === "object" && "link" in field && typeof field.link === "string") {
      try {
        return new URL(field.link).origin;
      } catch {
        // A relative or broken link says nothing about the instance.
      }
    }
  }
  return undefined;
}

/** Deduplication key of a record delivery: the record and the version of it (update time, else update count). */
export function servicenowDedupKey(record: ServicenowIncident): string | undefined {
  const updated = servicenowValue(record.sys_updated_on)?.trim();
  if (updated) return `${record.sys_id}@${updated}`;
  const modCount = servicenowValue(record.sys_mod_count)?.trim();
  if (modCount) return `${record.sys_id}#${modCount}`;
  return undefined;
}

export function servicenowRecordToTicket(record: ServicenowIncident): InboundTicket {
  const title = servicenowValue(record.short_description)?.trim();
  const origin = instanceOrigin(record);
  return {
    system: "servicenow",
    externalId: record.sys_id,
    number: record.number,
    title: title || record.number,
    status: servicenowState(record.state ?? record.incident_state),
    priority: servicenowPriority(record.priority),
    url: origin ? `${origin}/nav_to.do?uri=incident.do?sys_id=${encodeURIComponent(record.sys_id)}` : undefined,
    externalUpdatedAt: parseServicenowTime(servicenowValue(record.sys_updated_on)),
    raw: record,
    incidentRefs: findIncidentRefs([servicenowValue(record.correlation_id), title]),
  };
}
