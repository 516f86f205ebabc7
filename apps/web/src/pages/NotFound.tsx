/** Any address the SPA does not know. */
import { Link } from "react-router";
import { EmptyState } from "../components/StateViews.tsx";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";

export function NotFound() {
  useDocumentTitle("Not found");
  return (
    <section className="page">
      <EmptyState title="There is no page at this address.">
        <Link className="button" to="/">
          Go to the incident queue
        </Link>
      </EmptyState>
    </section>
  );
}
