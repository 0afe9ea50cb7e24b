/**
 * The running shows, newest first: pick one to watch, stop one (after saying what Stop does to its open
 * lots). Stopped shows are listed once, under Past shows.
 */
import { useEffect, useRef, useState } from 'react';
import { describe, json } from '../api.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { buyerCountOf, stopWarning } from '../ledger.ts';
import type { Lot, LotsAnswer, SessionInfo } from '../wire.ts';

const RUNNING = new Set(['starting', 'live', 'recovering', 'no_chat_found', 'quota_exhausted']);

export function isRunning(status: string): boolean {
  return RUNNING.has(status);
}

/** A show's name in lists: its page's host and path, or the demo's name. */
export function showTitle(url: string): string {
  try {
    const u = new URL(url);
    if (u.origin === location.origin && u.pathname === '/demo/live') return 'Earshot demo show';
    return `${u.host.replace(/^www\./, '')}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}

/** What a list calls a show: its title (the page's or the seller's), else its page. */
export function titleOf(s: Pick<SessionInfo, 'title' | 'url'>): string {
  return s.title ?? showTitle(s.url);
}

export function SessionList(props: {
  sessions: SessionInfo[];
  selectedId: string | null;
  onSelect: (sessionId: string) => void;
  onStopped: () => void;
  /** This dashboard's live copy of a session (fresher than the last list refresh). */
  feedOf: (sessionId: string) => SessionFeed | undefined;
}) {
  const { selectedId, onSelect, onStopped, feedOf } = props;
  // By the listed status, as PastShows splits them: a show is in exactly one of the two lists.
  const sessions = props.sessions.filter((s) => isRunning(s.status));
  const [stopping, setStopping] = useState<string | null>(null);
  // The show whose Stop was pressed and awaits the seller's yes.
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The show's lots as the service holds them when Stop is pressed: what settlement will act on, even
  // for a show whose Lots this dashboard never opened.
  const [confirmLots, setConfirmLots] = useState<{ sessionId: string; lots: readonly Lot[] } | null>(null);
  const confirmRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    if (!confirming) return;
    confirmRef.current?.focus();
    const controller = new AbortController();
    json<LotsAnswer>(`/api/sessions/${encodeURIComponent(confirming)}/lots`, { signal: controller.signal }).then(
      (answer) => setConfirmLots({ sessionId: confirming, lots: answer.lots }),
      () => undefined, // the warning falls back to this dashboard's copy, or to what settlement does
    );
    return () => controller.abort();
  }, [confirming]);
  const lotsFor = (sessionId: string): readonly Lot[] | undefined => {
    if (confirmLots?.sessionId === sessionId) return confirmLots.lots;
    const feed = feedOf(sessionId);
    return feed?.lotsLoaded ? feed.lots : undefined;
  };
  const stop = async (sessionId: string): Promise<void> => {
    setConfirming(null);
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
    return (
      <p className="empty small">
        {props.sessions.length === 0 ? 'No shows yet.' : 'No show is running.'} Paste a live URL above, or try the demo.
      </p>
    );
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
                    <span className={`platform platform-${s.platform}`}>{s.platform}</span> {titleOf(s)}
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
                  onClick={() => setConfirming(confirming === s.sessionId ? null : s.sessionId)}
                  disabled={stopping === s.sessionId}
                  aria-expanded={confirming === s.sessionId}
                  aria-label={`Stop monitoring ${titleOf(s)}`}
                >
                  {stopping === s.sessionId ? 'Stopping…' : 'Stop'}
                </button>
              )}
              {confirming === s.sessionId && (
                <div className="stop-confirm" role="group" aria-label={`Stop ${titleOf(s)}?`} data-testid="stop-confirm">
                  <p className="small">{stopWarning(lotsFor(s.sessionId))}</p>
                  <div className="stop-confirm-actions">
                    <button type="button" className="danger" ref={confirmRef} onClick={() => void stop(s.sessionId)} data-testid="stop-yes">
                      Stop show
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep watching
                    </button>
                  </div>
                </div>
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
