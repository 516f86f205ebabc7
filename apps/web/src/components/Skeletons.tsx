/** Placeholders with the size of what they stand for, so nothing below them jumps when the data arrives. */
import "../ux.css";

export function TableSkeleton({ rows, label, rowHeight = 41 }: { rows: number; label: string; rowHeight?: number }) {
  return (
    <div className="skeleton skeleton--table" role="status" aria-live="polite" data-testid="loading-state">
      <span className="visually-hidden">{label}</span>
      <div className="skeleton__head" />
      {Array.from({ length: rows }, (_, index) => (
        // The rows are identical placeholders; their position is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders never reorder
        <div key={index} className="skeleton__row" style={{ height: rowHeight }}>
          <span className="skeleton__bar" />
        </div>
      ))}
    </div>
  );
}

/** A chart-sized block; `height` matches the chart it stands for. */
export function ChartSkeleton({ height, label }: { height: number; label: string }) {
  return (
    <div className="skeleton skeleton--chart" style={{ height }} role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
    </div>
  );
}
