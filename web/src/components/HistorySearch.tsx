/**
 * Stored search, the other half of the feed's one search box: what the box filters on screen, Enter
 * looks up in storage, over this show's whole history (GET /api/sessions/:id/messages?q=) or over every
 * show of the seller's (GET /api/messages?q=, the newest 50 shows). Chat text is React text only.
 */
import { useEffect, useState } from 'react';
import { describe, json } from '../api.ts';
import { formatTime } from '../hooks.ts';

export type SearchScope = 'show' | 'all';

interface StoredMessageWire {
  id: string;
  author: { name: string };
  text: string;
  capturedAt: string;
  intent?: string;
  sessionId?: string;
  showTitle?: string | null;
}

interface Found {
  messages: StoredMessageWire[];
  /** This show: more pages; all shows: older shows were not searched. */
  more: boolean;
  shows?: number;
}

async function find(sessionId: string, q: string, scope: SearchScope, signal: AbortSignal): Promise<Found> {
  if (scope === 'all') {
    const answer = await json<{ messages: StoredMessageWire[]; shows: number; moreShows: boolean }>(`/api/messages?limit=100&q=${encodeURIComponent(q)}`, { signal });
    return { messages: answer.messages, more: answer.moreShows, shows: answer.shows };
  }
  const page = await json<{ messages: StoredMessageWire[]; nextCursor: string | null }>(
    `/api/sessions/${encodeURIComponent(sessionId)}/messages?limit=100&q=${encodeURIComponent(q)}`,
    { signal },
  );
  return { messages: page.messages, more: page.nextCursor !== null };
}

function summary(found: Found, q: string, scope: SearchScope): string {
  const where = scope === 'all' ? ` in ${found.shows === 1 ? 'your show' : `your ${found.shows} newest shows`}` : ' in this show';
  if (found.messages.length === 0) return `Nothing stored${where} matches “${q}”.`;
  return `${found.messages.length}${found.messages.length >= 100 ? '+' : ''} stored messages${where} match “${q}”, newest first.`;
}

export function HistorySearch({ sessionId, q, scope, onClose }: { sessionId: string; q: string; scope: SearchScope; onClose: () => void }) {
  const [state, setState] = useState<{ found?: Found; error?: string; loading: boolean }>({ loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState({ loading: true });
    find(sessionId, q, scope, controller.signal).then(
      (found) => setState({ found, loading: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ error: describe(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [sessionId, q, scope]);
  return (
    <section className="history-results" data-testid="history-results" aria-label="Stored messages found" aria-busy={state.loading}>
      <div className="history-head">
        <p className="muted small" role="status">
          {state.loading ? 'Searching storage…' : state.error ? '' : summary(state.found!, q, scope)}
        </p>
        <button type="button" className="small-button" onClick={onClose}>
          Close
        </button>
      </div>
      {state.error && <p className="inline-error small">{state.error}</p>}
      {state.found && (
        <ul>
          {state.found.messages.map((m) => (
            <li key={`${m.sessionId ?? sessionId}:${m.id}`} data-testid="history-hit">
              <time dateTime={m.capturedAt}>{formatTime(m.capturedAt)}</time>{' '}
              {scope === 'all' && m.sessionId !== undefined && (
                <span className="history-show muted small" title={m.sessionId}>
                  {m.showTitle ?? m.sessionId} ·{' '}
                </span>
              )}
              <span className="author">{m.author.name}</span> <span className="text">{m.text}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
