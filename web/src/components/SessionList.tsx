/** The sessions the service knows, newest first: pick one to watch, stop a running one. */
import { useState } from 'react';
import { describe, json } from '../api.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { buyerCountOf } from '../ledger.ts';
import type { SessionInfo } from '../wire.ts';

const RUNNING = new Set(['starting', 'live', 'recovering', 'no_chat_found', 'quota_exhausted']);

export function isRunning(status: string): boolean {
  return RUNNING.has(status);
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    if (u.origin === location.origin && u.pathname === '/demo/live') return 'Earshot demo show';
    return `${u.host.replace(/^www\./, '')}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}

export function SessionList(props: {
  sessions: SessionInfo[];
  selectedId: string | null;
  onSelect: (sessionId: string) => void;
  onStopped: () => void;
  /** This dashboard's live copy of a session (fresher than the last list refresh). */
  feedOf: (sessionId: string) => SessionFeed | undefined;
}) {
  const { sessions, selectedId, onSelect, onStopped, feedOf } = props;
  const [stopping, setStopping] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stop = async (sessionId: string): Promise<void> => {
    setStopping(sessionId);
    setError(null);
    try {
      await json('/api/stop-monitoring', { body: { sessionId } });
      onStopped();
    } catch (e) {
      setError(describe(e));
    } finally {
      setStopping(null);
    }
  };
  if (sessions.length === 0) {
    return <p className="empty small">No sessions yet. Paste a live URL above, or try the demo.</p>;
  }
  return (
    <>
      <ul className="sessions" aria-label="Sessions">
        {sessions.map((s) => {
          const feed = feedOf(s.sessionId);
          const status = feed && feed.status !== 'unknown' ? feed.status : s.status;
          const selected = s.sessionId === selectedId;
          return (
            <li key={s.sessionId} className={selected ? 'selected' : undefined}>
              <button
                type="button"
                className="session-pick"
                aria-current={selected ? 'true' : undefined}
                onClick={() => onSelect(s.sessionId)}
                data-testid="session"
                data-session-id={s.sessionId}
              >
                <span className={`dot status-${status}`} aria-hidden="true" />
                <span className="session-main">
                  <span className="session-title">
                    <span className={`platform platform-${s.platform}`}>{s.platform}</span> {hostOf(s.url)}
                  </span>
                  <span className="session-sub">
                    {status.replace(/_/g, ' ')} · {Math.max(s.messageCount, feed?.messages.length ?? 0).toLocaleString()} msgs ·{' '}
                    {buyerCountOf(feed, isRunning(status), s.buyerCount)} buyers
                  </span>
                </span>
              </button>
              {isRunning(status) && (
                <button
                  type="button"
                  className="small-button stop"
                  onClick={() => void stop(s.sessionId)}
                  disabled={stopping === s.sessionId}
                  aria-label={`Stop monitoring ${hostOf(s.url)}`}
                >
                  {stopping === s.sessionId ? 'Stopping…' : 'Stop'}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
