/**
 * The mock ServiceNow Table API and Jira search, browsed with the same paging and filters the real APIs take:
 * records as the fixtures ship them, plus the tickets created from incidents.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { SERVICENOW_PRIORITIES, SERVICENOW_STATES } from "@teleops/schema";
import { useState } from "react";
import { trpc } from "../trpc.ts";
import { Pagination } from "./Pagination.tsx";
import { EmptyState, ErrorState, LoadingState } from "./StateViews.tsx";
import { TicketStatus } from "./TicketTable.tsx";

const PAGE_SIZE = 8;
type JsonRecord = Record<string, unknown>;

/** A Table API value as text: strings as they are, the `value` of reference objects. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && "value" in value) return text(value.value);
  return "";
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fieldsOf(issue: JsonRecord): JsonRecord {
  return isRecord(issue.fields) ? issue.fields : {};
}

function nameOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "name" in value) return text(value.name);
  return "";
}

export function MockServicenow() {
  const [state, setState] = useState("");
  const [page, setPage] = useState(1);
  const query = [state ? `state=${state}` : "", "ORDERBYDESCsys_updated_on"].filter(Boolean).join("^");
  const list = useQuery({
    ...trpc.integrations.servicenow.incidents.queryOptions({
      query,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  return (
    <section className="card" aria-labelledby="servicenow-title" data-testid="mock-servicenow">
      <div className="card__header">
        <h2 id="servicenow-title">ServiceNow incidents (mock Table API)</h2>
      </div>
      <div className="integrations__filters">
        <label>
          State
          <select
            value={state}
            onChange={(event) => {
              setState(event.target.value);
              setPage(1);
            }}
            data-testid="servicenow-state"
          >
            <option value="">All states</option>
            {Object.entries(SERVICENOW_STATES).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small mono">sysparm_query={query}</span>
      </div>
      {list.isPending ? (
        <LoadingState label="Loading ServiceNow incidents…" />
      ) : list.isError ? (
        <ErrorState
          what="Could not load the mock ServiceNow incidents."
          error={list.error}
          onRetry={() => void list.refetch()}
        />
      ) : list.data.result.length === 0 ? (
        <EmptyState title="No incident in this state.">
          <p className="muted small">
            Pick another state, or open one from an incident page (“Create mock ServiceNow incident”).
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col" className="col-title">
                    Short description
                  </th>
                  <th scope="col">State</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Updated (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {list.data.result.map((record: JsonRecord) => (
                  <tr key={text(record.sys_id)}>
                    <td className="mono nowrap">{text(record.number)}</td>
                    <td className="col-title" title={text(record.short_description)}>
                      {text(record.short_description)}
                      {text(record.correlation_id) ? (
                        <span className="muted small"> · {text(record.correlation_id)}</span>
                      ) : null}
                    </td>
                    <td>
                      <TicketStatus status={SERVICENOW_STATES[text(record.state)] ?? text(record.state)} />
                    </td>
                    <td className="nowrap">{SERVICENOW_PRIORITIES[text(record.priority)] ?? text(record.priority)}</td>
                    <td className="mono nowrap">{text(record.sys_updated_on)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={setPage} />
        </>
      )}
    </section>
  );
}

const JIRA_STATUSES = ["Open", "In Progress", "Waiting for vendor", "Resolved", "Closed"];

export function MockJira() {
  const [status, setStatus] = useState("");
  const [page, setPage] = useState(1);
  const search = useQuery({
    ...trpc.integrations.jira.issues.queryOptions({
      status: status || undefined,
      startAt: (page - 1) * PAGE_SIZE,
      maxResults: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  return (
    <section className="card" aria-labelledby="jira-title" data-testid="mock-jira">
      <div className="card__header">
        <h2 id="jira-title">Jira issues (mock search)</h2>
      </div>
      <div className="integrations__filters">
        <label>
          Status
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value);
              setPage(1);
            }}
            data-testid="jira-status"
          >
            <option value="">All statuses</option>
            {JIRA_STATUSES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {search.isPending ? (
        <LoadingState label="Loading Jira issues…" />
      ) : search.isError ? (
        <ErrorState
          what="Could not load the mock Jira issues."
          error={search.error}
          onRetry={() => void search.refetch()}
        />
      ) : search.data.issues.length === 0 ? (
        <EmptyState title="No issue in this status.">
          <p className="muted small">
            Pick another status, or open one from an incident page (“Create mock Jira issue”).
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col" className="col-title">
                    Summary
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Labels</th>
                </tr>
              </thead>
              <tbody>
                {search.data.issues.map((issue: JsonRecord) => {
                  const fields = fieldsOf(issue);
                  const labels = Array.isArray(fields.labels) ? fields.labels.map(text) : [];
                  return (
                    <tr key={text(issue.id)}>
                      <td className="mono nowrap">{text(issue.key)}</td>
                      <td className="col-title" title={text(fields.summary)}>
                        {text(fields.summary)}
                      </td>
                      <td>
                        <TicketStatus status={nameOf(fields.status)} />
                      </td>
                      <td className="nowrap">{nameOf(fields.priority)}</td>
                      <td className="small">{labels.join(", ")}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={PAGE_SIZE} total={search.data.total} onPage={setPage} />
        </>
      )}
    </section>
  );
}
