/**
 * A session's health at a glance: status (with the page screenshot when no chat was found), messages per
 * minute, buyers, the service's forwarding backlog, and whether this dashboard's socket is live.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, describe, request } from '../api.ts';
import type { ConnectionState } from '../feed/connection.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { useNow } from '../hooks.ts';
import { buyerCountOf } from '../ledger.ts';
import { isRunning } from './SessionList.tsx';
import { averagePerMinute } from '../show-stats.ts';
import type { HealthWire, SessionInfo, SourceHealth } from '../wire.ts';
import { deadLetterNotice } from '../../../src/pipeline/delivery-report.ts';

const STATUS_TEXT: Record<string, { label: string; tone: string; help?: string }> = {
  starting: { label: 'Starting', tone: 'info', help: 'Opening the page in the browser…' },
  live: { label: 'Live', tone: 'ok' },
  recovering: { label: 'Recovering', tone: 'warn', help: 'The page or browser was lost; reopening it. Nothing captured is lost.' },
  no_chat_found: { label: 'No chat found', tone: 'bad', help: 'Earshot cannot find the chat on this page. The screenshot shows what it sees.' },
  quota_exhausted: { label: 'API quota used up', tone: 'bad', help: 'The YouTube API quota for today is spent; it resets at midnight Pacific time.' },
  ended: { label: 'Ended', tone: 'muted', help: 'The stream has ended.' },
  error: { label: 'Error', tone: 'bad' },
  stopped: { label: 'Stopped', tone: 'muted' },
  unknown: { label: 'Waiting for status', tone: 'muted' },
};

/** The line a show's source health gets (source-health.ts), or none while chat flows as usual and nothing is known of it. */
export function sourceHealthLine(health: SourceHealth | undefined): { tone: string; text: string } | undefined {
  if (!health) return undefined;
  const usual = health.baselinePerMin === null ? '' : ` (usually ${health.baselinePerMin}/min)`;
  switch (health.state) {
    case 'live':
      // The current rate is the Msgs / min beside it (this object is as of its last change).
      return { tone: 'muted', text: `Chat source: healthy${usual}.` };
    case 'silent':
      return { tone: 'warn', text: `Connected, but no chat is arriving${health.detail ? `: ${health.detail}` : ''}. A quiet stream, or chat turned off?` };
    case 'recovering':
      return { tone: 'warn', text: `Chat went quiet; reconnecting to check${health.detail ? ` (${health.detail})` : ''}.` };
    case 'stalled':
      return {
        tone: 'bad',
        text: `Chat has stopped arriving${health.detail ? `: ${health.detail}` : ''}. The stream may be paused or the page changed; the screenshot shows what Earshot sees.`,
      };
    case 'wrong_stream':
      return { tone: 'bad', text: `The page moved to another stream${health.detail ? `: ${health.detail}` : ''}.` };
    case 'ended':
      return undefined;
  }
}

/** The backlog number from /health, whatever shape the forwarder reports it in. */
export function backlogOf(health: HealthWire | undefined): number | undefined {
  const backlog = health?.backlog;
  if (typeof backlog === 'number') return backlog;
  if (backlog && typeof backlog === 'object') {
    for (const key of ['pending', 'size', 'count', 'messages', 'total']) {
      const value = (backlog as Record<string, unknown>)[key];
      if (typeof value === 'number') return value;
    }
  }
  return undefined;
}

export function connectionText(state: ConnectionState): { label: string; tone: string } {
  switch (state.phase) {
    case 'open':
      return { label: 'Connected', tone: 'ok' };
    case 'connecting':
      return { label: state.attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${state.attempt + 1})…`, tone: 'warn' };
    case 'waiting':
      return { label: `Disconnected, retrying in ${Math.ceil(state.retryInMs / 1000)} s`, tone: 'bad' };
    case 'stopped':
      return { label: 'Offline', tone: 'muted' };
  }
}

function Stat({ label, title, children }: { label: string; title?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd title={title}>{children}</dd>
    </div>
  );
}

function Pill({ tone, text, testId }: { tone: string; text: string; testId: string }) {
  return (
    <span className={`pill tone-${tone}`} data-testid={testId}>
      {text}
    </span>
  );
}

function historyText(feed: SessionFeed): string {
  const history = feed.history;
  if (!history) return '.';
  if ('loaded' in history) return history.loaded > 0 ? `; loaded ${history.loaded.toLocaleString()} stored messages.` : '; no stored messages to add.';
  return '; stored history is not available.';
}

export function SessionHealth(props: {
  feed: SessionFeed;
  version: number;
  info?: SessionInfo;
  health?: HealthWire;
  connection: ConnectionState;
}) {
  const { feed, info, health, connection } = props;
  const now = useNow(2_000);
  const status = feed.status !== 'unknown' ? feed.status : (info?.status ?? 'unknown');
  const detail = feed.status !== 'unknown' ? feed.detail : info?.detail;
  const meta = STATUS_TEXT[status] ?? { label: status, tone: 'muted' };
  const perMinute = feed.messagesPerMinute(now);
  const backlog = backlogOf(health);
  const conn = connectionText(connection);
  const missing = feed.missingCount;
  const notStored = deadLetterNotice(info);
  const source = isRunning(status) ? sourceHealthLine(feed.sourceHealth ?? info?.health) : undefined;
  return (
    <section className="health" aria-label="Session health">
      <dl className="stats">
        <Stat label="Status">
          <Pill tone={meta.tone} text={meta.label} testId="session-status" />
        </Stat>
        {isRunning(status) || !info ? (
          <Stat label="Msgs / min">{perMinute}</Stat>
        ) : (
          <Stat label="Avg msgs / min" title="Over the time the show had chat">
            {averagePerMinute(Math.max(feed.messages.length, info.messageCount), info.startedAt, info.lastMessageAt)?.toLocaleString() ?? '—'}
          </Stat>
        )}
        <Stat label="Messages">{Math.max(feed.messages.length, info?.messageCount ?? 0).toLocaleString()}</Stat>
        <Stat label="Buyers" title="Winners of sold lots, and of open lots (pending) while live">
          <span data-testid="health-buyers">{buyerCountOf(feed, isRunning(status), info?.buyerCount).toLocaleString()}</span>
        </Stat>
        <Stat label="Waiting to store" title="Messages captured and not yet in storage">
          {backlog === undefined ? '—' : backlog.toLocaleString()}
        </Stat>
        <Stat label="Dashboard">
          <Pill tone={conn.tone} text={conn.label} testId="connection" />
        </Stat>
      </dl>
      {(meta.help || detail) && (
        <p className={`health-note tone-${meta.tone}`}>
          {meta.help}
          {detail && <span className="detail"> {detail}</span>}
        </p>
      )}
      {source && (
        <p className={`health-note tone-${source.tone}${source.tone === 'muted' ? ' small' : ''}`} data-testid="source-health">
          {source.text}
        </p>
      )}
      {notStored && (
        <p className="health-note tone-bad" data-testid="dead-lettered">
          {notStored}
        </p>
      )}
      {missing > 0 && (
        <p className="health-note tone-warn">
          {missing.toLocaleString()} event{missing === 1 ? ' was' : 's were'} missed while this dashboard was disconnected
          {historyText(feed)}
        </p>
      )}
      {missing === 0 && feed.olderEvents > 0 && (
        <p className="health-note muted small">
          Older events are past the live buffer{historyText(feed)}
        </p>
      )}
      {(status === 'no_chat_found' || (isRunning(status) && (feed.sourceHealth ?? info?.health)?.state === 'stalled')) && <Screenshot sessionId={feed.sessionId} />}
    </section>
  );
}

/** The page as the capture browser sees it (GET /api/sessions/:id/screenshot, sent with the token). */
function Screenshot({ sessionId }: { sessionId: string }) {
  const [state, setState] = useState<{ url?: string; error?: string; loading: boolean }>({ loading: true });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let objectUrl: string | undefined;
    let cancelled = false;
    setState({ loading: true });
    request(`/api/sessions/${encodeURIComponent(sessionId)}/screenshot`)
      .then((res) => res.blob())
      .then((blob) => {
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setState({ url: objectUrl, loading: false });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        const notThere = error instanceof ApiError && error.status === 404;
        setState({ loading: false, error: notThere ? 'No screenshot is available for this session.' : describe(error) });
      });
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [sessionId, attempt]);
  return (
    <figure className="screenshot">
      {state.loading && <p className="muted">Loading screenshot…</p>}
      {state.error && <p className="muted">{state.error}</p>}
      {state.url && <img src={state.url} alt="What the capture browser sees on the monitored page" />}
      <figcaption>
        <button type="button" className="small-button" onClick={() => setAttempt((n) => n + 1)}>
          Refresh screenshot
        </button>
      </figcaption>
    </figure>
  );
}
