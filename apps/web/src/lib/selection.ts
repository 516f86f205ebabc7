/**
 * Selecting incidents in the queue for a bulk action: a click on a row's box or `x` on the focused row toggles
 * it; with Shift, every row between it and the last one toggled takes the same state. The selection keeps only
 * incidents still on the page.
 */
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from "react";

const ROW_SELECTOR = "[data-testid=incident-row]";

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable='true']") !== null;
}

export interface QueueSelection {
  selected: ReadonlySet<string>;
  /** Toggles one incident; `range` extends from the last toggled one. */
  toggle(id: string, range: boolean): void;
  /** Selects every incident on the page, or none when all are selected. */
  toggleAll(): void;
  clear(): void;
}

export function useQueueSelection(pageIds: readonly string[], listRef: RefObject<HTMLElement | null>): QueueSelection {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | null>(null);
  const onPage = useMemo(() => new Set(pageIds), [pageIds]);
  const selected = useMemo(() => new Set([...picked].filter((id) => onPage.has(id))), [picked, onPage]);

  const toggle = useCallback(
    (id: string, range: boolean) => {
      setPicked((current) => {
        const next = new Set([...current].filter((known) => onPage.has(known)));
        const on = !next.has(id);
        const from = range && anchor.current !== null ? pageIds.indexOf(anchor.current) : -1;
        const to = pageIds.indexOf(id);
        const ids = from === -1 || to === -1 ? [id] : pageIds.slice(Math.min(from, to), Math.max(from, to) + 1);
        for (const each of ids) {
          if (on) next.add(each);
          else next.delete(each);
        }
        return next;
      });
      anchor.current = id;
    },
    [pageIds, onPage],
  );
  const toggleAll = useCallback(() => {
    setPicked((current) => (pageIds.every((id) => current.has(id)) ? new Set() : new Set(pageIds)));
  }, [pageIds]);
  const clear = useCallback(() => setPicked(new Set()), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== "x" || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.defaultPrevented || isTyping(event.target)) return;
      const row = document.activeElement instanceof HTMLElement ? document.activeElement.closest("tr") : null;
      if (!row?.matches(ROW_SELECTOR) || !listRef.current?.contains(row)) return;
      const id = row.getAttribute("data-incident-id");
      if (!id) return;
      event.preventDefault();
      toggle(id, event.shiftKey);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [listRef, toggle]);

  return { selected, toggle, toggleAll, clear };
}
