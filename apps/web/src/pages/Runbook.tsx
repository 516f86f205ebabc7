/**
 * One runbook section, where an RCA citation (`fiber_cut#diagnosis`) leads: rendered from the runbook's
 * Markdown by react-markdown, which builds React elements and ignores raw HTML, so a runbook cannot inject
 * markup or scripts; links are kept only for http(s) and mailto.
 */
import { useQuery } from "@tanstack/react-query";
import Markdown, { defaultUrlTransform } from "react-markdown";
import { Link, useParams } from "react-router";
import { ErrorState, LoadingState } from "../components/StateViews.tsx";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";
import "../drawer.css";

/** Only http(s) and mailto links survive; anything else becomes an empty href. */
function safeUrl(url: string): string {
  const transformed = defaultUrlTransform(url);
  return /^(https?:|mailto:|#|\/)/i.test(transformed) ? transformed : "";
}

export default function Runbook() {
  const { runbook = "", section = "" } = useParams();
  const query = useQuery(trpc.rca.runbook.queryOptions({ runbook, section }));
  useDocumentTitle(query.data ? `${query.data.title} › ${query.data.heading}` : "Runbook");
  if (query.isPending) return <LoadingState label="Loading the runbook…" />;
  if (query.isError) {
    return <ErrorState what={`Could not load runbook section ${runbook}#${section}.`} error={query.error} />;
  }
  const data = query.data;
  return (
    <section className="page runbook" aria-labelledby="runbook-title" data-testid="runbook">
      <p className="muted small mono">{data.id}</p>
      <h1 id="runbook-title">
        {data.title} › <span data-testid="runbook-heading">{data.heading}</span>
      </h1>
      <nav aria-label="Sections of this runbook">
        <ul className="runbook__sections">
          {data.sections.map((s) => (
            <li key={s.section}>
              {s.section === data.section ? (
                <strong aria-current="page">{s.heading}</strong>
              ) : (
                <Link to={`/runbooks/${data.runbook}/${s.section}`}>{s.heading}</Link>
              )}
            </li>
          ))}
        </ul>
      </nav>
      <div data-testid="runbook-body">
        <Markdown urlTransform={safeUrl} skipHtml>
          {data.markdown}
        </Markdown>
      </div>
    </section>
  );
}
