/** Which alert the drawer shows lives in the URL (`?alert=<id>`), so an opened alert can be linked and reloaded. */
import { useCallback } from "react";
import { useSearchParams } from "react-router";

export function useOpenAlert(): { alertId: number | null; open: (id: number) => void; close: () => void } {
  const [params, setParams] = useSearchParams();
  const raw = Number.parseInt(params.get("alert") ?? "", 10);
  const alertId = Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  const open = useCallback(
    (id: number) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set("alert", String(id));
        return next;
      }),
    [setParams],
  );
  const close = useCallback(
    () =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.delete("alert");
        return next;
      }),
    [setParams],
  );
  return { alertId, open, close };
}

/** An absolute http(s) URL, else null: anything else (`javascript:`, `data:`) is shown as text, never linked. */
export function httpUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** The Silences page's form, pre-filled to match alerts of this device and type (Alertmanager matcher syntax). */
export function silenceLikeHref(host: string, alertType: string): string {
  const params = new URLSearchParams();
  params.append("match", `host=${host}`);
  params.append("match", `alert_type=${alertType}`);
  return `/silences/new?${params.toString()}`;
}
