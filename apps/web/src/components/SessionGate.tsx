/**
 * Signing in: asks the server who the stored token belongs to (`session.whoami`) and shows the app only then.
 * Without a valid token it shows the sign-in screen; when the server stops accepting the token mid-session
 * (revoked, or the user removed) every query's 401 brings the sign-in screen back with a reason.
 */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type FormEvent, type ReactNode, useContext, useEffect, useState } from "react";
import { describeFailure } from "../lib/errors.ts";
import { isUnauthorized, SessionContext, useSession, useWhoami } from "../lib/session.ts";
import { clearToken, readToken, saveToken } from "../lib/token.ts";
import { trpc } from "../trpc.ts";
import "../session.css";

const EXPIRED = "Your session ended: the server no longer accepts your token (revoked or replaced). Sign in again.";

export function SessionGate({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  // A new epoch remounts the gate: the session is asked again from an empty cache, so no data of the last
  // user survives a sign-out or an expired token.
  const [epoch, setEpoch] = useState(0);
  const [reason, setReason] = useState<string | null>(null);

  // A 401 on any query or mutation means the token no longer works: drop it and ask again.
  useEffect(() => {
    const expire = (error: unknown) => {
      if (!isUnauthorized(error) || !readToken()) return;
      clearToken();
      queryClient.clear();
      setReason(EXPIRED);
      setEpoch((n) => n + 1);
    };
    const whoamiKey = JSON.stringify(trpc.session.whoami.queryKey());
    const queries = queryClient.getQueryCache().subscribe((event) => {
      // The session query itself belongs to the gate and the sign-in form, which explain its failures.
      if (JSON.stringify(event.query.queryKey) === whoamiKey) return;
      if (event.type === "updated" && event.action.type === "error") expire(event.action.error);
    });
    const mutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") expire(event.action.error);
    });
    return () => {
      queries();
      mutations();
    };
  }, [queryClient]);

  const restart = (why: string | null) => {
    setReason(why);
    setEpoch((n) => n + 1);
  };
  return (
    <SessionRestart.Provider value={restart}>
      <Gate key={epoch} reason={reason} onSignedIn={() => restart(null)}>
        {children}
      </Gate>
    </SessionRestart.Provider>
  );
}

/** Starts the session over (after signing out), with an optional reason shown on the sign-in screen. */
const SessionRestart = createContext<(reason: string | null) => void>(() => {});

function Gate({
  reason,
  onSignedIn,
  children,
}: {
  reason: string | null;
  onSignedIn: () => void;
  children: ReactNode;
}) {
  const whoami = useWhoami();
  // A token this tab brought along (a reload, a new page) that the server now refuses has been revoked.
  const [hadToken] = useState(() => readToken() !== null);
  const revoked = hadToken && whoami.isError && isUnauthorized(whoami.error);
  useEffect(() => {
    if (revoked) clearToken();
  }, [revoked]);
  if (whoami.isPending) {
    return (
      <div className="signin" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Checking your session…
      </div>
    );
  }
  if (whoami.isError && isUnauthorized(whoami.error)) {
    return <SignIn reason={reason ?? (revoked ? EXPIRED : null)} onSignedIn={onSignedIn} />;
  }
  // Anything else (server unreachable) is shown by the pages themselves, which know how to retry.
  return <SessionContext.Provider value={whoami.data ?? null}>{children}</SessionContext.Provider>;
}

function SignIn({ reason, onSignedIn }: { reason: string | null; onSignedIn: () => void }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === "") {
      setProblem("Paste the token that `teleops users add` printed for you.");
      return;
    }
    setChecking(true);
    setProblem(null);
    queryClient.clear();
    saveToken(token);
    try {
      await queryClient.fetchQuery(trpc.session.whoami.queryOptions(undefined, { staleTime: 0, retry: false }));
      onSignedIn();
    } catch (error) {
      clearToken();
      setProblem(
        isUnauthorized(error)
          ? "The server does not accept this token. Check it, or ask an admin for a new one."
          : `Could not sign in: ${describeFailure(error).message}`,
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card signin__card" onSubmit={submit} aria-labelledby="signin-title" data-testid="signin">
        <h1 id="signin-title" className="signin__title">
          <span className="brand__mark" aria-hidden="true" /> Sign in to TeleOps
        </h1>
        {reason ? (
          <p className="notice" role="alert" data-testid="signin-reason">
            {reason}
          </p>
        ) : null}
        <label htmlFor="signin-token">API token</label>
        <input
          id="signin-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          placeholder="the token from `teleops users add`"
          data-testid="signin-token"
        />
        <p className="muted small">
          Kept in this browser tab only (session storage) and sent as a bearer token; closing the tab signs you out.
        </p>
        {problem ? (
          <p className="notice notice--error" role="alert" data-testid="signin-problem">
            {problem}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={checking} data-testid="signin-submit">
          {checking ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

/** Who is signed in, with their role and tenant, and the way out; in development, says there are no users. */
export function SessionBadge() {
  const session = useSession();
  const queryClient = useQueryClient();
  const restart = useContext(SessionRestart);
  if (!session) return null;
  if (session.auth_mode === "local-admin") {
    return (
      <p className="session session--dev" data-testid="session-badge" title="Set TELEOPS_USERS_FILE to require sign-in">
        development mode: no users configured
      </p>
    );
  }
  const signOut = () => {
    clearToken();
    queryClient.clear();
    restart("You signed out.");
  };
  return (
    <div className="session" data-testid="session-badge">
      <span className="session__who">
        <strong>{session.name}</strong>{" "}
        <span className={`session__role session__role--${session.role}`}>{session.role}</span>{" "}
        <span className="muted">· {session.tenant}</span>
      </span>
      <button type="button" className="link-button" onClick={signOut} data-testid="sign-out">
        Sign out
      </button>
    </div>
  );
}
