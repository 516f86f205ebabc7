/**
 * Which ticket systems this server talks to: the real ServiceNow and Jira it is configured for (their address,
 * never a credential), and the built-in mocks for the others, browsable below with the sample tickets in the lab.
 */
import { useQuery } from "@tanstack/react-query";
import type { TicketSystem } from "@teleops/schema";
import { trpc } from "../trpc.ts";
import { MockJira, MockServicenow } from "./MockTicketSystems.tsx";
import { ErrorState, LoadingState } from "./StateViews.tsx";

const SYSTEMS: Array<{ system: TicketSystem; name: string; variables: string }> = [
  {
    system: "servicenow",
    name: "ServiceNow",
    variables: "SERVICENOW_INSTANCE_URL, SERVICENOW_USER and SERVICENOW_PASSWORD",
  },
  { system: "jira", name: "Jira", variables: "JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN (and JIRA_PROJECT_KEY)" },
];

export function TicketSystems() {
  const systems = useQuery(trpc.integrations.systems.queryOptions());
  if (systems.isPending) return <LoadingState label="Loading ticket systems…" />;
  if (systems.isError) {
    return (
      <ErrorState
        what="Could not load the ticket systems."
        error={systems.error}
        onRetry={() => void systems.refetch()}
      />
    );
  }
  const mocks = SYSTEMS.filter(({ system }) => systems.data[system].mode === "mock");
  return (
    <>
      <section className="card" aria-labelledby="ticket-systems-title" data-testid="ticket-systems">
        <h2 id="ticket-systems-title">Ticket systems</h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">System</th>
                <th scope="col">Tickets from incidents go to</th>
              </tr>
            </thead>
            <tbody>
              {SYSTEMS.map(({ system, name, variables }) => {
                const mode = systems.data[system];
                return (
                  <tr key={system} data-testid={`ticket-system-${system}`} data-mode={mode.mode}>
                    <td>{name}</td>
                    <td>
                      {mode.mode === "real" ? (
                        <>
                          <span className="badge outcome--accepted">real</span>{" "}
                          <span className="mono">{mode.target}</span>
                        </>
                      ) : (
                        <>
                          <span className="badge outcome--duplicate">mock</span> the built-in mock store: nobody outside
                          TeleOps sees these tickets. Set <span className="mono">{variables}</span> for the real one.
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {mocks.length > 0 ? (
          <p className="muted small" data-testid="sample-tickets-note">
            {systems.data.sample_tickets
              ? "The mock lists below include sample tickets shipped with TeleOps for the lab; the incident ids they quote are examples, not incidents of this database."
              : "The lab is off on this server, so the mock lists below hold only the mock tickets made here, no shipped samples."}
          </p>
        ) : null}
      </section>
      {mocks.length > 0 ? (
        <div className={mocks.length > 1 ? "integrations__grid" : undefined}>
          {mocks.map(({ system }) =>
            system === "servicenow" ? <MockServicenow key={system} /> : <MockJira key={system} />,
          )}
        </div>
      ) : null}
    </>
  );
}
