/**
 * Live updates: one `events.changes` subscription for the whole SPA. A message marks the affected queries stale
 * so the pages on screen refetch; while the subscription is down, pages fall back to polling.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { trpc, trpcClient } from "../trpc.ts";

export type LiveStatus = "connecting" | "live" | "down";

let status: LiveStatus = "connecting";
const listeners = new Set<() => void>();

function setStatus(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const listener of listeners) listener();
}

function subscribeStatus(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    subscribeStatus,
    () => status,
    () => status,
  );
}

/** The polling interval a page should use: none while live updates flow, `ms` while they are down. */
export function usePollingFallback(ms: number): number | false {
  return useLiveStatus() === "live" ? false : ms;
}

type ChangeKind = "alerts" | "incidents";

/** Which cached procedures a change can make stale. */
function invalidate(queryClient: QueryClient, kinds: readonly ChangeKind[]): void {
  const keys = [trpc.incidents.pathKey(), trpc.metrics.pathKey(), trpc.topology.pathKey()];
  if (kinds.includes("alerts")) keys.push(trpc.alerts.pathKey(), trpc.integrations.pathKey(), trpc.imports.pathKey());
  if (kinds.includes("incidents")) keys.push(trpc.rca.pathKey(), trpc.audit.pathKey(), trpc.integrations.pathKey());
  for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
}

/** Opens the subscription while the app is mounted; call it once, in the shell. */
export function useLiveUpdates(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const connected = () => {
      // Whatever changed while the stream was down was missed: refetch what is on screen once.
      if (status === "down") invalidate(queryClient, ["alerts", "incidents"]);
      setStatus("live");
    };
    const subscription = trpcClient.events.changes.subscribe(undefined, {
      onStarted: connected,
      onData: (change) => invalidate(queryClient, change.kinds),
      onConnectionStateChange: (state) => {
        if (state.state === "pending") connected();
        else if (state.state === "connecting") setStatus(status === "connecting" ? "connecting" : "down");
        else setStatus("down");
      },
      onError: () => setStatus("down"),
      onComplete: () => setStatus("down"),
    });
    return () => {
      subscription.unsubscribe();
      setStatus("connecting");
    };
  }, [queryClient]);
}
