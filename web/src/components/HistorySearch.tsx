/** Search over the show's whole stored history (GET /api/sessions/:id/messages?q=), not only the messages on the page. */
import { useState, type FormEvent } from 'react';
import { describe, json } from '../api.ts';
import { formatTime } from '../hooks.ts';

interface StoredMessageWire {
  id: string;
  author: { name: string };
  text: string;
  capturedAt: string;
  intent?: string;
}

interface PageWire {
  messages: StoredMessageWire[];
  nextCursor: string | null;
}

export function HistorySearch({ sessionId }: { sessionId: string }) {
  const [query, setQuery] = useState('');
  const [state, setState] = useState<{ q: string; messages: StoredMessageWire[]; more: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const search = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const q = query.trim();
    if (!q) {
      setState(null);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const page = await json<PageWire>(`/api/sessions/${encodeURIComponent(sessionId)}/messages?limit=100&q=${encodeURIComponent(q)}`);
      setState({ q, messages: page.messages, more: page.nextCursor !== null });
    } catch (e) {
      setError(describe(e));
    }
    setBusy(false);
  };
  return (
    <section className="history-search" aria-label="Search the whole show">
      <form role="search" onSubmit={(e) => void search(e)}>
        <input
          type="search"
          placeholder="Search the whole show (stored history)"
          aria-label="Search the whole show"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          data-testid="history-q"
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
        {state && (
          <button type="button" className="small-button" onClick={() => setState(null)}>
            Close
          </button>
        )}
      </form>
      {error && <p className="inline-error small">{error}</p>}
      {state && (
        <div className="history-results" data-testid="history-results">
          <p className="muted small">
            {state.messages.length === 0 ? `Nothing stored matches “${state.q}”.` : `${state.messages.length}${state.more ? '+' : ''} stored messages match “${state.q}”, newest first.`}
          </p>
          <ul>
            {state.messages.map((m) => (
              <li key={m.id} data-testid="history-hit">
                <time dateTime={m.capturedAt}>{formatTime(m.capturedAt)}</time> <span className="author">{m.author.name}</span>{' '}
                <span className="text">{m.text}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
