/** Display formats: NOC times are shown in UTC so that every shift and every log line agrees. */

const pad = (n: number): string => String(n).padStart(2, "0");

/** `2025-09-24 12:00:01` (UTC). */
export function formatUtc(iso: string, withSeconds = true): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${withSeconds ? `:${pad(d.getUTCSeconds())}` : ""}`;
  return `${date} ${time}`;
}

/** `12:00:01` (UTC), for rows where the date is obvious from context. */
export function formatUtcTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `45s`, `12m`, `1h 05m`, `2d 3h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function durationBetween(startIso: string, endIso: string): string {
  return formatDuration(new Date(endIso).getTime() - new Date(startIso).getTime());
}

/** `3 min ago`, `2 h ago`, `in 5 min` (clock skew or a scheduled start). */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const diff = now - new Date(iso).getTime();
  if (!Number.isFinite(diff)) return "";
  const future = diff < 0;
  const minutes = Math.round(Math.abs(diff) / 60_000);
  let span: string;
  if (minutes < 1) return "just now";
  if (minutes < 60) span = `${minutes} min`;
  else if (minutes < 48 * 60) span = `${Math.round(minutes / 60)} h`;
  else span = `${Math.round(minutes / 1440)} d`;
  return future ? `in ${span}` : `${span} ago`;
}

const integer = new Intl.NumberFormat("en-US");
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export const formatCount = (n: number): string => integer.format(n);
export const formatDecimal = (n: number): string => decimal.format(n);
export const formatPercent = (ratio: number): string => `${decimal.format(ratio * 100)}%`;

/** `network_degradation` → `Network degradation`. */
export function humanize(snake: string): string {
  const words = snake.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
