/**
 * "Viewers are claiming, but no host message yet": after a few minutes of claims with neither a host
 * message (badge or seller name) nor a lot, the ledger cannot open lots, so the dashboard says so and
 * offers the fix: name the host. Saving sets the show's sellers (PUT /api/sessions/:id/sellers); from
 * the next message on, theirs announce lots.
 */
import { useState, type FormEvent } from 'react';
import { describe, json } from '../api.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { useNow } from '../hooks.ts';
import { needsHostNotice, sellerNames } from '../ledger.ts';
import type { SessionInfo } from '../wire.ts';

export function HostNotice({ feed, info, live, onSaved }: { feed: SessionFeed; info: SessionInfo | undefined; live: boolean; onSaved: () => void }) {
  const now = useNow(5_000);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string[] | null>(null);
  const sellers = saved ?? info?.sellers;
  const show = needsHostNotice({
    running: live,
    claims: feed.claims,
    hostMessages: feed.hostMessages(sellers),
    lots: feed.lots.length,
    startedAtMs: Date.parse(info?.startedAt ?? '') || now,
    nowMs: now,
  });
  if (!show) return null;

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const seller = sellerNames(name);
    if (seller.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await json<{ sellers: string[] }>(`/api/sessions/${encodeURIComponent(feed.sessionId)}/sellers`, {
        method: 'PUT',
        body: { seller },
      });
      setSaved(answer.sellers);
      onSaved();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="banner tone-warn host-notice" role="status" data-testid="host-notice">
      <p>
        <strong>
          {feed.claims === 1 ? '1 claim' : `${feed.claims} claims`}, but no message from the host yet.
        </strong>{' '}
        {sellers && sellers.length > 0
          ? `${sellers.join(', ')} has not written since: is that the host's username on this platform?`
          : 'Without the host, no lot opens, so nobody is a buyer yet.'}{' '}
        Name the host and their next announcements open lots.
      </p>
      <form className="host-notice-form" onSubmit={(e) => void save(e)}>
        <label htmlFor="host-notice-name" className="visually-hidden">
          Host's username
        </label>
        <input
          id="host-notice-name"
          type="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="@host_name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="host-notice-name"
        />
        <button type="submit" disabled={busy || sellerNames(name).length === 0} data-testid="host-notice-save">
          {busy ? 'Saving…' : 'Set host'}
        </button>
      </form>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
