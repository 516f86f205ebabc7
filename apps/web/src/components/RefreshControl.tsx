/** Shows how fresh the data is, whether live updates are on, and lets the operator refresh now. */
import { formatUtcTime } from "../lib/format.ts";
import { useLiveStatus } from "../lib/live.ts";

export function RefreshControl({
  isFetching,
  updatedAt,
  onRefresh,
  intervalMs,
}: {
  isFetching: boolean;
  updatedAt: number;
  onRefresh: () => void;
  intervalMs: number;
}) {
  const live = useLiveStatus() === "live";
  return (
    <div className="refresh">
      <span className="refresh__status muted small" aria-live="off" data-testid="refresh-status">
        {live ? (
          <span className="live-dot" title="Changes arrive as they happen (server-sent events)">
            Live
          </span>
        ) : null}
        {updatedAt > 0 ? `Updated ${formatUtcTime(new Date(updatedAt).toISOString())} UTC` : "Not loaded yet"}
        {live ? "" : ` · auto every ${Math.round(intervalMs / 1000)} s`}
      </span>
      <button type="button" className="button" onClick={onRefresh} aria-busy={isFetching} data-testid="refresh-button">
        <span className={`refresh__icon${isFetching ? " refresh__icon--spinning" : ""}`} aria-hidden="true">
          ↻
        </span>
        {isFetching ? "Refreshing…" : "Refresh"}
      </button>
    </div>
  );
}
