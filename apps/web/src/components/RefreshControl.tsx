/** Shows how fresh the data is and lets the operator refresh now instead of waiting for the next poll. */
import { formatUtcTime } from "../lib/format.ts";

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
  return (
    <div className="refresh">
      <span className="refresh__status muted small" aria-live="off">
        {updatedAt > 0 ? `Updated ${formatUtcTime(new Date(updatedAt).toISOString())} UTC` : "Not loaded yet"}
        {` · auto every ${Math.round(intervalMs / 1000)} s`}
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
