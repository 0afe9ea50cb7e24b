/**
 * The seller's webhooks: add an https endpoint for chosen events, see its signing secret once, send a
 * test, rotate the secret, turn it off or on, delete it, and read its deliveries with Replay on those
 * that were delivered or died. Everything here is text: a receiver's answer is shown, never rendered.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, describe, json } from '../api.ts';
import { ErrorLine } from './ErrorLine.tsx';
import type { WebhookDeliveryWire, WebhookEndpointWire, WebhookEndpointWithSecretWire } from '../wire.ts';

/** The events a seller can subscribe to, with what each means in words. */
const EVENTS = [
  ['lot.sold', 'A lot sold'],
  ['lot.corrected', 'You corrected a lot'],
  ['buyer.detected', 'A buyer won a lot'],
  ['show.started', 'A show went live'],
  ['show.ended', 'A show ended'],
  ['source.silent', 'Chat went silent'],
  ['answer.suggested', 'An answer is ready to send'],
] as const;
type EventName = (typeof EVENTS)[number][0];

type ListState = { phase: 'loading' } | { phase: 'unavailable' } | { phase: 'error'; message: string } | { phase: 'ready'; endpoints: WebhookEndpointWire[] };

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '';
}

/** The secret, shown once after create or rotate, with a copy button. */
function SecretNotice({ secret, onDone }: { secret: WebhookEndpointWithSecretWire; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice tone-ok webhook-secret" role="status" data-testid="webhook-secret">
      <p>
        Signing secret for <span className="webhook-url">{secret.url}</span>. It is shown this once: store it with your receiver.
      </p>
      <code className="secret-value">{secret.secret}</code>
      <div className="start-row">
        <button
          type="button"
          className="small-button"
          onClick={() => {
            void navigator.clipboard?.writeText(secret.secret).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="small-button" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const [deliveries, setDeliveries] = useState<WebhookDeliveryWire[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const body = await json<{ deliveries: WebhookDeliveryWire[] }>(`/api/webhooks/${encodeURIComponent(endpointId)}/deliveries?limit=50`);
      setDeliveries(body.deliveries);
      setError(null);
    } catch (e) {
      setError(describe(e));
    }
  }, [endpointId]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 3_000);
    return () => clearInterval(timer);
  }, [load]);
  const replay = async (id: string): Promise<void> => {
    try {
      await json(`/api/webhooks/deliveries/${encodeURIComponent(id)}/replay`, { method: 'POST' });
      await load();
    } catch (e) {
      setError(describe(e));
    }
  };
  if (error) return <ErrorLine error={error} />;
  if (!deliveries) return <p className="muted small">Loading deliveries…</p>;
  if (deliveries.length === 0) return <p className="muted small">No deliveries yet.</p>;
  return (
    <div className="table-scroll">
    <table className="webhook-deliveries" data-testid="webhook-deliveries">
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last answer</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id} data-status={d.status}>
            <td>{d.type}</td>
            <td>
              <span className={`pill tone-${d.status === 'delivered' ? 'ok' : d.status === 'dead' ? 'bad' : 'muted'}`}>{d.status}</span>
            </td>
            <td className="nowrap">{d.attempts === 1 ? "1 attempt" : `${d.attempts} attempts`}</td>
            <td className="webhook-error">{d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '')}</td>
            <td className="nowrap">{when(d.createdAt)}</td>
            <td>
              {d.status !== 'pending' && (
                <button type="button" className="small-button" onClick={() => void replay(d.id)}>
                  Replay
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

function EndpointRow({ endpoint, onChanged, onSecret }: { endpoint: WebhookEndpointWire; onChanged: () => void; onSecret: (s: WebhookEndpointWithSecretWire) => void }) {
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const base = `/api/webhooks/${encodeURIComponent(endpoint.id)}`;
  const act = async (what: () => Promise<void>): Promise<void> => {
    try {
      await what();
      onChanged();
    } catch (e) {
      setNotice(describe(e));
    }
  };
  return (
    <li className="webhook" data-testid="webhook">
      <div className="webhook-head">
        <span className="webhook-url">{endpoint.url}</span>
        <span className={`pill tone-${endpoint.enabled ? 'ok' : 'bad'}`}>
          {endpoint.enabled ? 'On' : endpoint.disabledReason === 'gone' ? 'Off: the receiver answered 410 Gone' : 'Off'}
        </span>
      </div>
      <p className="muted small">
        {endpoint.description ? `${endpoint.description} · ` : ''}
        {endpoint.events.join(', ')}
      </p>
      <div className="start-row">
        <button type="button" className="small-button" onClick={() => void act(async () => void (await json(`${base}/test`, { method: 'POST' })))}>
          Send test
        </button>
        <button type="button" className="small-button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
          Deliveries
        </button>
        <button
          type="button"
          className="small-button"
          onClick={() => void act(async () => onSecret(await json<WebhookEndpointWithSecretWire>(`${base}/rotate`, { method: 'POST' })))}
        >
          New secret
        </button>
        <button
          type="button"
          className="small-button"
          onClick={() => void act(async () => void (await json(base, { method: 'PATCH', body: { enabled: !endpoint.enabled } })))}
        >
          {endpoint.enabled ? 'Turn off' : 'Turn on'}
        </button>
        <button
          type="button"
          className="small-button danger"
          aria-label={`Delete the webhook to ${endpoint.url}`}
          onClick={() => {
            if (window.confirm(`Delete the webhook to ${endpoint.url}? Its waiting deliveries are dropped.`)) void act(async () => void (await json(base, { method: 'DELETE' })));
          }}
        >
          Delete
        </button>
      </div>
      <ErrorLine error={notice} />
      {open && <Deliveries endpointId={endpoint.id} />}
    </li>
  );
}

export function Webhooks() {
  const [list, setList] = useState<ListState>({ phase: 'loading' });
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<EventName>>(() => new Set(EVENTS.map(([name]) => name)));
  const [secret, setSecret] = useState<WebhookEndpointWithSecretWire | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const body = await json<{ endpoints: WebhookEndpointWire[] }>('/api/webhooks');
      setList({ phase: 'ready', endpoints: body.endpoints });
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'webhooks_unavailable' || e.status === 404)) setList({ phase: 'unavailable' });
      else setList({ phase: 'error', message: describe(e) });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const raw = url.trim();
    try {
      const created = await json<WebhookEndpointWithSecretWire>('/api/webhooks', {
        method: 'POST',
        // A URL typed without a scheme is meant as https: webhooks are https only.
        body: { url: /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`, events: [...events], ...(description.trim() ? { description: description.trim() } : {}) },
      });
      setSecret(created);
      setUrl('');
      setDescription('');
      await load();
    } catch (e) {
      setError(describe(e));
    }
  };

  return (
    <main className="kb-page" id="main">
      <div className="kb">
        <h1>Webhooks</h1>
        <p className="muted">
          Earshot posts signed events to your https URLs (Standard Webhooks: check the webhook-signature header with the secret), retries for a day, and keeps
          each show&apos;s events in order.
        </p>
        {list.phase === 'unavailable' && (
          <div className="notice tone-muted" data-testid="webhooks-unavailable">
            Webhooks need a database this service reaches.
          </div>
        )}
        {secret && <SecretNotice secret={secret} onDone={() => setSecret(null)} />}
        {list.phase !== 'unavailable' && (
          <form className="kb-upload" onSubmit={(e) => void add(e)}>
            <label htmlFor="webhook-url" className="label">
              Receiver URL (https)
            </label>
            <input
              id="webhook-url"
              type="text"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://hooks.example.com/earshot"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              required
            />
            <label htmlFor="webhook-description" className="label">
              Note (optional)
            </label>
            <input id="webhook-description" type="text" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
            <fieldset className="webhook-events">
              <legend className="label">Events</legend>
              {EVENTS.map(([name, label]) => (
                <label key={name} className="check">
                  <input
                    type="checkbox"
                    checked={events.has(name)}
                    onChange={(e) => {
                      const next = new Set(events);
                      if (e.target.checked) next.add(name);
                      else next.delete(name);
                      setEvents(next);
                    }}
                  />
                  {label} <span className="muted small">{name}</span>
                </label>
              ))}
            </fieldset>
            <div className="start-row">
              <button type="submit" disabled={events.size === 0 || url.trim() === ''}>
                Add webhook
              </button>
            </div>
            <ErrorLine error={error} />
          </form>
        )}
        {list.phase === 'loading' && <p className="muted">Loading webhooks…</p>}
        <ErrorLine error={list.phase === 'error' ? list.message : null} />
        {list.phase === 'ready' &&
          (list.endpoints.length === 0 ? (
            <p className="empty">No webhooks yet.</p>
          ) : (
            <ul className="kb-list webhook-list">
              {list.endpoints.map((endpoint) => (
                <EndpointRow key={endpoint.id} endpoint={endpoint} onChanged={() => void load()} onSecret={setSecret} />
              ))}
            </ul>
          ))}
      </div>
    </main>
  );
}
