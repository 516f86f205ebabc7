/**
 * Notification channels on the Integrations page (admins): add one with its route, send a test, delete; and the
 * outbound deliveries with their attempts, failures with the receiver's error. Loaded lazily: most visits never open it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  CHANNEL_TYPES,
  type ChannelType,
  type Matcher,
  parseMatcher,
  SEVERITIES,
  type Severity,
} from "@teleops/schema";
import { type FormEvent, useState } from "react";
import { failureSentence } from "../lib/errors.ts";
import { formatRelative, formatUtc } from "../lib/format.ts";
import { type RouterOutputs, trpc } from "../trpc.ts";
import { EmptyState, ErrorState, LoadingState } from "./StateViews.tsx";

const REFRESH_MS = 5_000;

type Channel = RouterOutputs["notifications"]["channels"]["list"][number];
type Delivery = RouterOutputs["notifications"]["deliveries"][number];

const URL_HINT: Record<ChannelType, string> = {
  webhook: "https://receiver.example.net/teleops",
  slack: "https://hooks.slack.com/services/T…/B…/…",
  pagerduty: "https://events.pagerduty.com/v2/enqueue",
  email: "mailto:noc@example.net",
};

function routeLine(channel: Channel): string {
  const parts = [channel.min_severity ? `${channel.min_severity} and worse` : "every severity"];
  for (const m of channel.matchers) parts.push(`${m.name}${m.op}${m.value}`);
  parts.push(channel.delay_ms > 0 ? `if open after ${Math.round(channel.delay_ms / 60_000)} min` : "at once");
  return parts.join(" · ");
}

function AddChannel() {
  const queryClient = useQueryClient();
  const [type, setType] = useState<ChannelType>("webhook");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [minSeverity, setMinSeverity] = useState<Severity | "">("");
  const [match, setMatch] = useState("");
  const [delay, setDelay] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(
    trpc.notifications.channels.create.mutationOptions({
      onSuccess: () => {
        setUrl("");
        setSecret("");
        setMatch("");
        setProblem(null);
        void queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() });
      },
      onError: (error) => setProblem(failureSentence(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const matchers: Matcher[] = [];
    for (const text of match.split(/\s+/).filter(Boolean)) {
      const parsed = parseMatcher(text);
      if ("error" in parsed) return setProblem(`Matcher ${parsed.error}`);
      matchers.push(parsed.matcher);
    }
    create.mutate({
      type,
      matchers,
      ...(url.trim() ? { url: url.trim() } : {}),
      ...(secret ? { secret } : {}),
      ...(minSeverity ? { min_severity: minSeverity } : {}),
      ...(delay.trim() ? { delay: delay.trim() } : {}),
    });
  };
  return (
    <form className="form channel-form" onSubmit={submit} noValidate data-testid="channel-form">
      <label className="field">
        Type
        <select value={type} onChange={(e) => setType(e.target.value as ChannelType)} data-testid="channel-type">
          {CHANNEL_TYPES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </label>
      <label className="field field--wide">
        URL
        <input
          className="mono"
          value={url}
          placeholder={URL_HINT[type]}
          onChange={(e) => setUrl(e.target.value)}
          data-testid="channel-url"
        />
      </label>
      <label className="field">
        {type === "pagerduty" ? "Routing key" : "Secret (HMAC key)"}
        <input
          type="password"
          autoComplete="off"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          data-testid="channel-secret"
        />
      </label>
      <label className="field">
        Minimum severity
        <select value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as Severity | "")}>
          <option value="">every severity</option>
          {SEVERITIES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Matchers
        <input
          className="mono"
          value={match}
          placeholder="site=fra1 service=~core.*"
          onChange={(e) => setMatch(e.target.value)}
        />
      </label>
      <label className="field">
        Delay
        <input value={delay} placeholder="at once, or e.g. 10m" onChange={(e) => setDelay(e.target.value)} />
      </label>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={create.isPending} data-testid="channel-add">
          {create.isPending ? "Adding…" : "Add channel"}
        </button>
        {problem ? (
          <p className="field__error" role="alert" data-testid="channel-error">
            {problem}
          </p>
        ) : null}
      </div>
    </form>
  );
}

function ChannelRow({ channel }: { channel: Channel }) {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() });
  const test = useMutation(trpc.notifications.channels.test.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.notifications.channels.delete.mutationOptions({ onSuccess: refresh }));
  const outcome = test.data
    ? test.data.status === "delivered"
      ? "Test delivered"
      : `Test failed: ${test.data.last_error ?? "no answer"}`
    : test.error
      ? failureSentence(test.error)
      : null;
  return (
    <tr data-testid="channel-row" data-channel-id={channel.id}>
      <td>{channel.type}</td>
      <td className="mono small">{channel.url}</td>
      <td className="mono small">{channel.secret ?? "—"}</td>
      <td className="small">{routeLine(channel)}</td>
      <td className="nowrap">
        <button
          type="button"
          className="button"
          disabled={test.isPending}
          onClick={() => test.mutate({ id: channel.id })}
          data-testid="channel-test"
        >
          {test.isPending ? "Sending…" : "Send test"}
        </button>{" "}
        <button
          type="button"
          className="button button--danger"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete the ${channel.type} channel ${channel.name}?`))
              remove.mutate({ id: channel.id });
          }}
        >
          Delete
        </button>
        {outcome ? (
          <p className="small" role="status" data-testid="channel-test-outcome">
            {outcome}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

function DeliveryRow({ delivery, now }: { delivery: Delivery; now: number }) {
  const last = delivery.history.at(-1);
  return (
    <tr data-testid="delivery-row" data-status={delivery.status}>
      <td className="nowrap">
        <span className="mono">{formatUtc(delivery.created_at)}</span>
        <span className="muted small"> · {formatRelative(delivery.created_at, now)}</span>
      </td>
      <td>{delivery.channel_name ?? delivery.channel_id}</td>
      <td>
        {delivery.event}
        {delivery.incident_id ? <span className="mono small"> {delivery.incident_id}</span> : null}
      </td>
      <td>
        <span className={`badge delivery--${delivery.status}`}>{delivery.status}</span>
      </td>
      <td className="num">{delivery.attempts}</td>
      <td className="small" data-testid="delivery-detail">
        {delivery.last_error ??
          (last?.response_status ? `answered ${last.response_status}` : delivery.status === "pending" ? "waiting" : "")}
        {delivery.next_attempt_at ? (
          <span className="muted"> · next try {formatUtc(delivery.next_attempt_at)}</span>
        ) : null}
      </td>
    </tr>
  );
}

export default function NotificationChannels() {
  const channels = useQuery(
    trpc.notifications.channels.list.queryOptions(undefined, { refetchInterval: REFRESH_MS * 2 }),
  );
  const deliveries = useQuery(
    trpc.notifications.deliveries.queryOptions({ limit: 50 }, { refetchInterval: REFRESH_MS }),
  );
  const now = Date.now();
  return (
    <section className="card" aria-labelledby="channels-title" data-testid="notification-channels">
      <div className="card__header">
        <h2 id="channels-title">Notification channels</h2>
      </div>
      <p className="muted small">
        Incidents that open, grow, are acknowledged or resolve are sent to every channel whose route takes them: a
        signed webhook (<code>X-TeleOps-Signature</code>), Slack, PagerDuty Events v2 or email. Failed sends are retried
        with backoff.
      </p>
      <AddChannel />
      {channels.isPending ? (
        <LoadingState label="Loading channels…" />
      ) : channels.isError ? (
        <ErrorState
          what="Could not load the channels."
          error={channels.error}
          onRetry={() => void channels.refetch()}
        />
      ) : channels.data.length === 0 ? (
        <EmptyState title="No channel yet: nobody is told about incidents." />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="channels-table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Receiver</th>
                <th scope="col">Secret</th>
                <th scope="col">Route</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {channels.data.map((channel) => (
                <ChannelRow key={channel.id} channel={channel} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Outbound deliveries</h3>
      {deliveries.isPending ? (
        <LoadingState label="Loading deliveries…" />
      ) : deliveries.isError ? (
        <ErrorState
          what="Could not load the deliveries."
          error={deliveries.error}
          onRetry={() => void deliveries.refetch()}
        />
      ) : deliveries.data.length === 0 ? (
        <EmptyState title="Nothing sent yet." />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="deliveries-table">
            <thead>
              <tr>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Channel</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((delivery) => (
                <DeliveryRow key={delivery.id} delivery={delivery} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
