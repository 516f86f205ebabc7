/** Stable alert identity used for deduplication when the source does not give one. */
import { createHash } from "node:crypto";
import type { AlertDraft, CanonicalAlert } from "@teleops/schema";

export function deriveFingerprint(
  alert: Pick<AlertDraft, "source_system" | "host" | "service" | "alert_type" | "tags">,
): string {
  const labels = Object.keys(alert.tags)
    .sort()
    .map((key) => `${key}=${alert.tags[key]}`)
    .join(",");
  const identity = [alert.source_system, alert.host, alert.service, alert.alert_type, labels].join("\u001f");
  return createHash("sha256").update(identity).digest("hex").slice(0, 32);
}

export function withFingerprint(alert: AlertDraft): CanonicalAlert {
  return { ...alert, fingerprint: alert.fingerprint ?? deriveFingerprint(alert) };
}
