/** Esc leaves a detail page for the list it came from, unless the operator is typing or a dialog is open. */
import { useEffect } from "react";
import { useNavigate } from "react-router";

export function useEscapeBack(to: string): void {
  const navigate = useNavigate();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      if (
        target instanceof HTMLElement &&
        target.closest("input, textarea, select, dialog, [contenteditable='true']")
      ) {
        return;
      }
      navigate(to);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [navigate, to]);
}
