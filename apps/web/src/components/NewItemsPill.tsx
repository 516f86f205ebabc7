/** "3 new incidents · Show": tells the operator that newer data is waiting, without moving what they read. */
import "../ux.css";

export function NewItemsPill({ count, onShow }: { count: number; onShow: () => void }) {
  const text = count > 0 ? `${count} new incident${count === 1 ? "" : "s"}` : "Queue updated";
  return (
    <div className="live-slot">
      <button type="button" className="live-pill" onClick={onShow} data-testid="new-incidents-pill">
        <span role="status">{text}</span>
        <span aria-hidden="true">·</span>
        <span className="live-pill__action">Show</span>
      </button>
    </div>
  );
}
