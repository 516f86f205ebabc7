/** Mounts the alert drawer when the URL names an alert; its code loads only then (it is not in the initial bundle). */
import { lazy, Suspense } from "react";
import { useOpenAlert } from "../lib/alertDrawer.ts";

const AlertDrawer = lazy(() => import("./AlertDrawer.tsx"));

export function AlertDrawerHost() {
  const { alertId, close } = useOpenAlert();
  if (alertId === null) return null;
  return (
    <Suspense fallback={null}>
      <AlertDrawer alertId={alertId} onClose={close} />
    </Suspense>
  );
}
