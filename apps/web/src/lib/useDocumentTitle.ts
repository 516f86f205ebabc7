/** Names the browser tab after the page, so an operator with many tabs open finds the right one. */
import { useEffect } from "react";

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · TeleOps` : "TeleOps";
  }, [title]);
}
