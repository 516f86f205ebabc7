/** Keyboard shortcuts of the incident queue: j/k move between rows, Enter opens, / searches, Esc clears. */
import { type RefObject, useEffect } from "react";

const ROW_SELECTOR = "[data-testid=incident-row]";

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable='true']") !== null;
}

export function useQueueKeys({
  listRef,
  searchId,
  onEscape,
}: {
  /** The element holding the rows. */
  listRef: RefObject<HTMLElement | null>;
  searchId: string;
  /** Esc with no row focused: e.g. clear the filters. */
  onEscape: () => void;
}): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isTyping(event.target)) return;
      const rows = [...(listRef.current?.querySelectorAll<HTMLElement>(ROW_SELECTOR) ?? [])];
      const active = document.activeElement instanceof HTMLElement ? document.activeElement.closest("tr") : null;
      const current = active ? rows.indexOf(active) : -1;
      if (event.key === "j" || event.key === "k") {
        if (rows.length === 0) return;
        event.preventDefault();
        const step = event.key === "j" ? 1 : -1;
        const next = current === -1 ? (step > 0 ? 0 : rows.length - 1) : current + step;
        const row = rows[Math.min(rows.length - 1, Math.max(0, next))];
        row?.focus();
        row?.scrollIntoView({ block: "nearest" });
      } else if (event.key === "/") {
        event.preventDefault();
        document.getElementById(searchId)?.focus();
      } else if (event.key === "Escape") {
        if (current !== -1 && active) active.blur();
        else onEscape();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [listRef, searchId, onEscape]);
}
