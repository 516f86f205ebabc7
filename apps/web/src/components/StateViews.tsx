/** Loading, empty and error states shared by every page, so each says what is happening in the same voice. */
import { type FormEvent, type ReactNode, useState } from "react";
import { Link } from "react-router";
import { describeFailure } from "../lib/errors.ts";
import { roleAllows, useSession } from "../lib/session.ts";
import { readToken, saveToken } from "../lib/token.ts";

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state--loading" role="status" aria-live="polite" data-testid="loading-state">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="state state--empty" data-testid="empty-state">
      <p className="state__title">{title}</p>
      {children}
    </div>
  );
}

/**
 * The queue, the overview and the detail page all start here on a fresh install. Admins of a server that runs the
 * Lab are offered demo data; everyone is told where real alerts come in.
 */
export function NoIncidentsYet() {
  const session = useSession();
  const lab = session === null || (session.lab && roleAllows(session.role, "admin"));
  return (
    <EmptyState
      title={
        lab ? (
          <>
            No incidents yet — <Link to="/lab">generate a scenario</Link> in the Lab or point Alertmanager at{" "}
            <code>/webhooks/alertmanager</code>
          </>
        ) : (
          <>
            No incidents yet — point Alertmanager at <code>/webhooks/alertmanager</code> or{" "}
            <Link to="/import">import alerts</Link>
          </>
        )
      }
    >
      {lab ? (
        <Link className="button button--primary" to="/lab">
          Generate a scenario
        </Link>
      ) : null}
    </EmptyState>
  );
}

function TokenForm({ onSaved }: { onSaved: () => void }) {
  const [token, setToken] = useState(() => readToken() ?? "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    saveToken(token);
    onSaved();
  };
  return (
    <form className="token-form" onSubmit={submit}>
      <label htmlFor="api-token">API token</label>
      <input
        id="api-token"
        type="password"
        autoComplete="off"
        value={token}
        onChange={(event) => setToken(event.target.value)}
        placeholder="token from `teleops users add`"
      />
      <button type="submit" className="button button--primary">
        Save and retry
      </button>
    </form>
  );
}

export function ErrorState({ what, error, onRetry }: { what: string; error: unknown; onRetry?: () => void }) {
  const failure = describeFailure(error);
  let advice: ReactNode;
  switch (failure.kind) {
    case "unreachable":
      advice = (
        <p>
          Cannot reach the TeleOps server — is <code>pnpm start</code> running? Start it, then retry.
        </p>
      );
      break;
    case "unauthorized":
      advice = <p>This server requires an API token. Paste yours below; it is kept in this browser only.</p>;
      break;
    case "forbidden":
      advice = <p>Your token does not allow this: {failure.message}. Ask an admin for a role that does.</p>;
      break;
    case "not_found":
      advice = <p>{failure.message}. It may have been deleted by a reset, or belongs to another tenant.</p>;
      break;
    case "invalid":
      advice = <p>The server refused the request: {failure.message}</p>;
      break;
    case "server":
      advice = (
        <p>The server failed while answering: {failure.message}. The server log has the details; retry in a moment.</p>
      );
      break;
  }
  return (
    <div className="state state--error" role="alert" data-testid="error-state">
      <p className="state__title">{what}</p>
      {advice}
      {failure.kind === "unauthorized" && onRetry ? <TokenForm onSaved={onRetry} /> : null}
      {onRetry && failure.kind !== "unauthorized" && failure.kind !== "not_found" ? (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
      {failure.kind === "not_found" ? (
        <Link className="button" to="/">
          Go to the incident queue
        </Link>
      ) : null}
    </div>
  );
}
