/**
 * Keeps a list still while the operator is reading it. Fresh data keeps arriving (live updates, polling), but
 * while the operator is scrolled down, on a later page, pointing at or focused in the list, the list shows
 * what it showed before and reports that something newer is waiting; idle at the top, it updates in place.
 */
import { type FocusEvent, useCallback, useEffect, useState } from "react";

/** A little scrolling (a trackpad nudge) still counts as "at the top". */
const SCROLL_SLACK_PX = 24;

export interface Engagement {
  engaged: boolean;
  /** Spread on the element that holds the list. */
  handlers: {
    onPointerEnter: () => void;
    onPointerLeave: () => void;
    onFocus: () => void;
    onBlur: (event: FocusEvent<HTMLElement>) => void;
  };
}

export function useEngagement(page: number): Engagement {
  const [pointerInside, setPointerInside] = useState(false);
  const [focusInside, setFocusInside] = useState(false);
  const [scrolled, setScrolled] = useState(() => window.scrollY > SCROLL_SLACK_PX);
  useEffect(() => {
    const onScroll = () => setScrolled(window.scrollY > SCROLL_SLACK_PX);
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  const onBlur = useCallback((event: FocusEvent<HTMLElement>) => {
    // Moving focus from one row to the next stays inside the list.
    if (!(event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget))) {
      setFocusInside(false);
    }
  }, []);
  return {
    engaged: page > 1 || scrolled || pointerInside || focusInside,
    handlers: {
      onPointerEnter: () => setPointerInside(true),
      onPointerLeave: () => setPointerInside(false),
      onFocus: () => setFocusInside(true),
      onBlur,
    },
  };
}

export interface Held<T> {
  /** What to render. */
  shown: T | undefined;
  /** Newer data waiting to be shown, when the shown data is held. */
  waiting: T | undefined;
  /** Shows the waiting data, or `next` when given (the operator asked for it). */
  apply: (next?: T) => void;
}

/**
 * `key` names the view (filters, page): a view the operator chose shows at once; only changes to the same view
 * wait. `settled` is false while `latest` is still the previous view's data (TanStack's placeholder data).
 */
export function useHeldWhileReading<T>(
  key: string,
  latest: T | undefined,
  settled: boolean,
  engaged: boolean,
): Held<T> {
  const [held, setHeld] = useState<{ key: string; data: T } | null>(null);
  useEffect(() => {
    if (!engaged) {
      setHeld(null);
      return;
    }
    if (latest !== undefined && settled) {
      setHeld((current) => (current && current.key === key ? current : { key, data: latest }));
    }
  }, [engaged, key, latest, settled]);
  const holding = held !== null && held.key === key;
  const shown = holding ? held.data : latest;
  const waiting = holding && latest !== undefined && latest !== held.data ? latest : undefined;
  const apply = useCallback(
    (next?: T) => {
      const data = next ?? latest;
      if (data !== undefined) setHeld({ key, data });
    },
    [key, latest],
  );
  return { shown, waiting, apply };
}
