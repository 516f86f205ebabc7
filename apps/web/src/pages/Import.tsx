/**
 * Import a file of alerts from the browser: pick or drop it, see what a dry run finds (the first rejected lines
 * and why), import it, then open the incidents it formed. The server parses the text with the same importers
 * as `teleops import`; the history lists every import, from here or the CLI.
 */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { IMPORT_CONTENT_MAX, IMPORT_FORMATS, type ImportFormat, type LineError } from "@teleops/schema";
import { type DragEvent, type FormEvent, useId, useState } from "react";
import { Link } from "react-router";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { formatCount, formatUtc } from "../lib/format.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { type RouterOutputs, trpc } from "../trpc.ts";
import "../import.css";
import { RoleGate } from "../components/RoleGate.tsx";
import { TopologyCard } from "../components/TopologyCard.tsx";

const FORMAT_LABELS: Record<ImportFormat, string> = {
  jsonl: "JSON Lines (one alert per line)",
  csv: "CSV with a header row",
  syslog: "Syslog (RFC 5424 / RFC 3164)",
  alertmanager: "Alertmanager (API v2 list or webhook)",
};
const ERRORS_SHOWN = 20;

interface LoadedFile {
  name: string;
  size: number;
  lastModified: number;
  content: string;
}

type Loaded = { file: LoadedFile } | { problem: string };

/** Reads the file as UTF-8, refusing what the server could not import faithfully. */
async function loadFile(file: File): Promise<Loaded> {
  const mib = (file.size / 1024 / 1024).toFixed(1);
  if (file.size === 0) return { problem: `${file.name} is empty.` };
  if (file.size > IMPORT_CONTENT_MAX) {
    return {
      problem: `${file.name} is ${mib} MiB; the browser takes up to ${IMPORT_CONTENT_MAX / 1024 / 1024} MiB. Import it with \`teleops import ${file.name}\`, which streams files of any size.`,
    };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.subarray(0, 8_192).includes(0)) {
    return { problem: `${file.name} looks like a binary file (it contains NUL bytes); TeleOps imports UTF-8 text.` };
  }
  try {
    const content = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { file: { name: file.name, size: file.size, lastModified: file.lastModified, content } };
  } catch {
    return {
      problem: `${file.name} is not valid UTF-8 text. \`teleops import ${file.name}\` reads it and names each line that is not.`,
    };
  }
}

function ErrorTable({ errors, rejected }: { errors: LineError[]; rejected: number }) {
  if (errors.length === 0) return null;
  const shown = errors.slice(0, ERRORS_SHOWN);
  return (
    <div className="table-wrap">
      <table className="table import-errors" data-testid="import-errors">
        <caption className="import-errors__caption">
          {rejected > shown.length
            ? `First ${shown.length} of ${formatCount(rejected)} rejected records`
            : `${formatCount(rejected)} rejected ${rejected === 1 ? "record" : "records"}`}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Line
            </th>
            <th scope="col">Why it was rejected</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((error) => (
            <tr key={`${error.line}-${error.message}`}>
              <td className="num mono">{error.line}</td>
              <td className="import-errors__reason">{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Tiles({ items }: { items: Array<[string, number]> }) {
  return (
    <div className="tiles tiles--compact import-tiles">
      {items.map(([label, value]) => (
        <div className="tile" key={label}>
          <span className="tile__value">{formatCount(value)}</span>
          <span className="tile__label">{label}</span>
        </div>
      ))}
    </div>
  );
}

function IncidentLinks({ incidents }: { incidents: Array<{ id: string; alert_count: number }> }) {
  if (incidents.length === 0) {
    return <p className="muted">No incident formed or grew: the alerts were duplicates or stayed below the bar.</p>;
  }
  return (
    <ul className="created-list" data-testid="import-incidents">
      {incidents.map((incident) => (
        <li key={incident.id}>
          <Link to={`/incidents/${encodeURIComponent(incident.id)}`} className="mono" data-testid="import-incident">
            {incident.id}
          </Link>
          <span className="muted"> · {formatCount(incident.alert_count)} alerts</span>
        </li>
      ))}
    </ul>
  );
}

function History() {
  const history = useQuery(trpc.imports.list.queryOptions({ limit: 20 }));
  if (history.isPending) return <LoadingState label="Loading past imports…" />;
  if (history.isError) {
    return (
      <ErrorState what="Past imports could not be loaded." error={history.error} onRetry={() => history.refetch()} />
    );
  }
  if (history.data.length === 0) {
    return (
      <EmptyState title="No imports yet">
        <p className="muted">
          Imports from this page and from <code>teleops import</code> are listed here.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table import-history" data-testid="import-history">
        <thead>
          <tr>
            <th scope="col">Started (UTC)</th>
            <th scope="col">File</th>
            <th scope="col">Format</th>
            <th scope="col">By</th>
            <th scope="col" className="num">
              Read
            </th>
            <th scope="col" className="num">
              Imported
            </th>
            <th scope="col" className="num">
              Duplicates
            </th>
            <th scope="col" className="num">
              Rejected
            </th>
            <th scope="col">Status</th>
            <th scope="col">Incidents</th>
          </tr>
        </thead>
        <tbody>
          {history.data.map((run) => (
            <tr key={run.id}>
              <td className="mono">{formatUtc(run.started_at)}</td>
              <td className="import-history__file" title={run.file}>
                {run.file}
              </td>
              <td>{run.format}</td>
              <td>{run.actor}</td>
              <td className="num">{formatCount(run.read)}</td>
              <td className="num">{formatCount(run.imported)}</td>
              <td className="num">{formatCount(run.duplicates)}</td>
              <td className="num">{formatCount(run.rejected)}</td>
              <td>
                <span className={`import-status import-status--${run.status}`}>{run.status}</span>
              </td>
              <td>
                {run.incidents.slice(0, 3).map((incident, index) => (
                  <span key={incident.id}>
                    {index > 0 ? ", " : null}
                    <Link to={`/incidents/${encodeURIComponent(incident.id)}`} className="mono">
                      {incident.id}
                    </Link>
                  </span>
                ))}
                {run.incidents.length > 3 ? <span className="muted"> +{run.incidents.length - 3}</span> : null}
                {run.incidents.length === 0 ? <span className="muted">—</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportDone({ result }: { result: RouterOutputs["imports"]["upload"] }) {
  return (
    <section className="card" aria-labelledby="import-done-title" data-testid="import-result">
      <h2 id="import-done-title">Imported {result.file}</h2>
      <Tiles
        items={[
          ["alerts imported", result.imported],
          ["duplicates skipped", result.duplicates],
          ["records rejected", result.rejected],
          ["incidents formed or grown", result.incidents.length],
        ]}
      />
      {result.resolved_history ? (
        <p className="notice" role="status" data-testid="import-resolved-history">
          {result.resolved_history} of these incidents {result.resolved_history === 1 ? "was" : "were"} stored resolved:
          history whose last alert is older than the quiet period, kept out of the open queue.
        </p>
      ) : null}
      <IncidentLinks incidents={result.incidents} />
      <ErrorTable errors={result.errors} rejected={result.rejected} />
      <Link to="/" className="button">
        Open the incident queue
      </Link>
    </section>
  );
}

function importLabel(valid: number | undefined, pending: boolean, done: boolean): string {
  if (pending) return "Importing…";
  if (done) return "Imported";
  if (valid === undefined) return "Import";
  return `Import ${formatCount(valid)} ${valid === 1 ? "alert" : "alerts"}`;
}

export function Import() {
  useDocumentTitle("Import");
  const queryClient = useQueryClient();
  const ids = { file: useId(), format: useId(), year: useId() };
  const [loaded, setLoaded] = useState<LoadedFile | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [format, setFormat] = useState<ImportFormat | "">("");
  const [year, setYear] = useState("");
  const [dragging, setDragging] = useState(false);
  const dryRun = useMutation(trpc.imports.dryRun.mutationOptions());
  const upload = useMutation(
    trpc.imports.upload.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.imports.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.metrics.pathKey() });
      },
    }),
  );

  const yearNumber = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : undefined;
  const request = (file: LoadedFile, chosen: ImportFormat | "") => ({
    fileName: file.name,
    content: file.content,
    ...(chosen ? { format: chosen } : {}),
    ...(yearNumber ? { year: yearNumber } : {}),
    lastModified: file.lastModified,
  });

  const check = (file: LoadedFile, chosen: ImportFormat | "") => {
    upload.reset();
    dryRun.mutate(request(file, chosen));
  };

  const take = async (file: File | undefined) => {
    if (!file) return;
    dryRun.reset();
    upload.reset();
    setLoaded(undefined);
    setProblem(undefined);
    const result = await loadFile(file);
    if ("problem" in result) {
      setProblem(result.problem);
      return;
    }
    setLoaded(result.file);
    check(result.file, format);
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    void take(event.dataTransfer.files[0]);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (loaded) upload.mutate(request(loaded, format || (dryRun.data?.format ?? "")));
  };

  const summary = dryRun.data;
  const syslogChosen = format === "syslog" || summary?.format === "syslog";

  return (
    <section className="page" aria-labelledby="import-title">
      <div className="page__header">
        <h1 id="import-title">Import alerts</h1>
      </div>
      <p className="lead">
        Load an export of alerts — JSON Lines, CSV, syslog or an Alertmanager dump — check it first, then import it.
        Alerts already stored are skipped, so importing a file twice is harmless. Files over{" "}
        {IMPORT_CONTENT_MAX / 1024 / 1024} MiB go through <code>teleops import</code>. Field by field:{" "}
        <code>docs/data_dictionary.md</code>.
      </p>

      <RoleGate min="operator" action="Importing files">
        <form className="card form import-form" onSubmit={submit} noValidate data-testid="import-form">
          <label
            htmlFor={ids.file}
            className={dragging ? "dropzone dropzone--active field--wide" : "dropzone field--wide"}
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            data-testid="import-dropzone"
          >
            <span className="dropzone__title">{loaded ? loaded.name : "Drop a file here or choose one"}</span>
            <span className="field__hint">
              {loaded
                ? `${formatCount(loaded.size)} bytes · modified ${formatUtc(new Date(loaded.lastModified).toISOString())} UTC`
                : ".jsonl, .csv, .log or .json — up to 5 MiB"}
            </span>
            <input
              id={ids.file}
              type="file"
              className="dropzone__input"
              accept=".jsonl,.ndjson,.csv,.log,.syslog,.json,.txt,text/*,application/json"
              onChange={(event) => void take(event.target.files?.[0])}
              data-testid="import-file"
            />
          </label>
          <div className="field import-form__format">
            <label htmlFor={ids.format}>Format</label>
            <select
              id={ids.format}
              value={format}
              onChange={(event) => {
                const chosen = event.target.value as ImportFormat | "";
                setFormat(chosen);
                if (loaded) check(loaded, chosen);
              }}
              data-testid="import-format"
            >
              <option value="">Detect from the name and content</option>
              {IMPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
            <span className="field__hint">
              {summary ? `Read as ${FORMAT_LABELS[summary.format]}.` : "Override when detection guesses wrong."}
            </span>
          </div>
          {syslogChosen ? (
            <div className="field">
              <label htmlFor={ids.year}>Year of the first line (syslog)</label>
              <input
                id={ids.year}
                inputMode="numeric"
                placeholder="from the file's date"
                value={year}
                onChange={(event) => setYear(event.target.value)}
                onBlur={() => loaded && check(loaded, format)}
                data-testid="import-year"
              />
              <span className="field__hint">RFC 3164 lines carry no year.</span>
            </div>
          ) : null}
          <div className="form__actions">
            <button
              type="submit"
              className="button button--primary"
              disabled={
                !loaded || !summary || summary.valid === 0 || upload.isPending || upload.isSuccess || dryRun.isPending
              }
              data-testid="import-submit"
            >
              {importLabel(summary?.valid, upload.isPending, upload.isSuccess)}
            </button>
            {loaded ? (
              <button type="button" className="button button--ghost" onClick={() => check(loaded, format)}>
                Check again
              </button>
            ) : null}
          </div>
        </form>
      </RoleGate>

      {problem ? (
        <p className="notice notice--error" role="alert" data-testid="import-problem">
          {problem}
        </p>
      ) : null}
      {dryRun.isPending ? <LoadingState label="Checking the file…" /> : null}
      {dryRun.isError ? <ErrorState what="The file could not be checked." error={dryRun.error} /> : null}
      {summary && !upload.isSuccess ? (
        <section className="card" aria-labelledby="dry-run-title" data-testid="import-dry-run">
          <h2 id="dry-run-title">Dry run: nothing stored yet</h2>
          <Tiles
            items={[
              ["records read", summary.read],
              ["would be imported", summary.valid],
              ["rejected", summary.rejected],
            ]}
          />
          {summary.rejected === 0 ? (
            <p className="muted">Every record is valid.</p>
          ) : (
            <ErrorTable errors={summary.errors} rejected={summary.rejected} />
          )}
        </section>
      ) : null}
      {upload.isError ? (
        <ErrorState what="The import failed; nothing from the failed batch was stored." error={upload.error} />
      ) : null}
      {upload.isSuccess ? <ImportDone result={upload.data} /> : null}

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Past imports</h2>
        <History />
      </section>

      <TopologyCard />
    </section>
  );
}
