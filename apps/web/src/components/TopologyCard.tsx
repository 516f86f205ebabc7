/**
 * The tenant's network topology on the Import page: how many devices and links correlation knows, where they came
 * from, and (for operators) an upload that replaces it with a TeleOps document or NetBox's exports.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TOPOLOGY_CONTENT_MAX, type TopologyFormat } from "@teleops/schema";
import { type FormEvent, useId, useState } from "react";
import { formatCount, formatUtc } from "../lib/format.ts";
import { trpc } from "../trpc.ts";
import { RoleGate } from "./RoleGate.tsx";
import { ErrorState, LoadingState } from "./StateViews.tsx";

const FORMAT_LABELS: Record<TopologyFormat, string> = {
  teleops: "TeleOps topology (JSON)",
  netbox: "NetBox JSON (API devices/cables)",
  "netbox-csv": "NetBox CSV (devices and cables exports)",
};
const SKIPPED_SHOWN = 10;

interface PickedFile {
  name: string;
  content: string;
}

async function readFiles(list: FileList | null): Promise<{ files: PickedFile[] } | { problem: string }> {
  const files = [...(list ?? [])];
  if (files.length === 0) return { files: [] };
  if (files.length > 2) return { problem: "Choose one topology file, or NetBox's devices and cables exports." };
  const tooBig = files.find((file) => file.size > TOPOLOGY_CONTENT_MAX);
  if (tooBig) return { problem: `${tooBig.name} is over ${TOPOLOGY_CONTENT_MAX / 1024 / 1024} MiB.` };
  return { files: await Promise.all(files.map(async (file) => ({ name: file.name, content: await file.text() }))) };
}

function TopologyUpload() {
  const queryClient = useQueryClient();
  const ids = { file: useId(), format: useId() };
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [problem, setProblem] = useState<string | undefined>();
  const [format, setFormat] = useState<TopologyFormat | "">("");
  const upload = useMutation(
    trpc.topology.import.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.topology.pathKey() }),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [first, second] = files;
    if (!first) return;
    const name = files.map((file) => file.name).join(" + ");
    const chosen = format || "auto";
    upload.mutate(
      second
        ? { format: chosen, devices: first.content, cables: second.content, name }
        : { format: chosen, content: first.content, name },
    );
  };

  return (
    <form className="form topology-form" onSubmit={submit} noValidate data-testid="topology-form">
      <div className="field">
        <label htmlFor={ids.file}>Topology file(s)</label>
        <input
          id={ids.file}
          type="file"
          multiple
          accept=".json,.csv,application/json,text/csv"
          onChange={(event) => {
            upload.reset();
            void readFiles(event.target.files).then((read) => {
              setProblem("problem" in read ? read.problem : undefined);
              setFiles("files" in read ? read.files : []);
            });
          }}
          data-testid="topology-file"
        />
        <span className="field__hint">One JSON file, or NetBox's devices and cables CSVs together.</span>
      </div>
      <div className="field">
        <label htmlFor={ids.format}>Format</label>
        <select
          id={ids.format}
          value={format}
          onChange={(event) => setFormat(event.target.value as TopologyFormat | "")}
          data-testid="topology-format"
        >
          <option value="">Detect from the content</option>
          {(Object.keys(FORMAT_LABELS) as TopologyFormat[]).map((f) => (
            <option key={f} value={f}>
              {FORMAT_LABELS[f]}
            </option>
          ))}
        </select>
      </div>
      <div className="form__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={files.length === 0 || upload.isPending}
          data-testid="topology-submit"
        >
          {upload.isPending ? "Replacing…" : "Replace the topology"}
        </button>
      </div>
      {problem ? (
        <p className="notice notice--error field--wide" role="alert">
          {problem}
        </p>
      ) : null}
      {upload.isError ? (
        <div className="field--wide">
          <ErrorState what="The topology was not replaced." error={upload.error} />
        </div>
      ) : null}
      {upload.isSuccess ? (
        <div className="field--wide" data-testid="topology-result">
          <p>
            Stored {formatCount(upload.data.devices)} devices and {formatCount(upload.data.links)} links from{" "}
            {upload.data.source}; correlation uses them from the next alert on.
          </p>
          {upload.data.skipped_count > 0 ? (
            <>
              <p className="muted small">{formatCount(upload.data.skipped_count)} items not used:</p>
              <ul className="muted small">
                {upload.data.skipped.slice(0, SKIPPED_SHOWN).map((item) => (
                  <li key={`${item.where}-${item.reason}`}>
                    <span className="mono">{item.where}</span>: {item.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

export function TopologyCard() {
  const stored = useQuery(trpc.topology.get.queryOptions());
  return (
    <section className="card" aria-labelledby="topology-title" data-testid="topology-card">
      <h2 id="topology-title">Topology</h2>
      {stored.isPending ? (
        <LoadingState label="Loading the topology…" />
      ) : stored.isError ? (
        <ErrorState what="The topology could not be loaded." error={stored.error} onRetry={() => stored.refetch()} />
      ) : stored.data ? (
        <p data-testid="topology-summary">
          <strong>{formatCount(stored.data.device_count)}</strong> devices and{" "}
          <strong>{formatCount(stored.data.link_count)}</strong> links, from {stored.data.source}{" "}
          <span className="muted">
            (by {stored.data.updated_by}, {formatUtc(stored.data.updated_at)} UTC)
          </span>
        </p>
      ) : (
        <p className="muted" data-testid="topology-summary">
          No topology loaded for this tenant. Correlation works from tags, host names and time alone; linked devices
          join one incident once a topology is imported (or <code>teleops topology import</code>).
        </p>
      )}
      <RoleGate min="operator" action="Replacing the topology">
        <TopologyUpload />
      </RoleGate>
    </section>
  );
}
