/**
 * Server-side paging controls: the server counts, the page only asks for one slice. When the count is a lower bound
 * (a search that matched more than the server counts), the pages stop at what was counted.
 */

export function Pagination({
  page,
  pageSize,
  total,
  exact = true,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  /** False when `total` is a lower bound: shown as "1,000+". */
  exact?: boolean;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const more = exact ? "" : "+";
  return (
    <nav className="pagination" aria-label="Pages" data-testid="pagination">
      <span className="pagination__range">
        {first}–{last} of {total.toLocaleString("en-US")}
        {more}
      </span>
      <button type="button" className="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span className="pagination__page" aria-current="page">
        Page {Math.min(page, pages)} of {pages}
        {more}
      </span>
      <button type="button" className="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}
