/**
 * The show's on-stream overlay: the link an OBS browser source opens (made here, shown once: only its
 * hash is kept, so a lost link is replaced, never shown again), and the message featured on it. Featuring
 * is done from the feed (each message's "Feature"); this panel shows what is on screen and clears it.
 */
import { useEffect, useState } from 'react';
import { describe, json } from '../api.ts';
import { ErrorLine } from './ErrorLine.tsx';
import type { LiveClient } from '../feed/client.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { copyText } from '../hooks.ts';
import type { FeaturedMessage, OverlayLinkAnswer, OverlaySettingsAnswer } from '../wire.ts';

/** PUT /api/sessions/:id/featured: features a message of the show (or clears with null). */
export async function setFeatured(client: LiveClient, feed: SessionFeed, messageId: string | null): Promise<void> {
  const answer = await json<{ featured: FeaturedMessage | null }>(`/api/sessions/${encodeURIComponent(feed.sessionId)}/featured`, {
    method: 'PUT',
    body: { messageId },
  });
  // The featured_message event says the same; the answer is shown at once on this dashboard.
  feed.applyFeatured(answer.featured);
  client.store.changed();
}

export function OverlayPanel({ client, feed }: { client: LiveClient; feed: SessionFeed; version: number }) {
  const [settings, setSettings] = useState<OverlaySettingsAnswer | null>(null);
  const [link, setLink] = useState<OverlayLinkAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [open, setOpen] = useState(false);
  const path = `/api/sessions/${encodeURIComponent(feed.sessionId)}`;

  useEffect(() => {
    const abort = new AbortController();
    json<OverlaySettingsAnswer>(`${path}/overlay`, { signal: abort.signal }).then(
      (answer) => {
        setSettings(answer);
        feed.loadFeatured(answer.featured);
        client.store.changed();
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setError(describe(e));
      },
    );
    return () => abort.abort();
  }, [client, feed, path]);

  const makeLink = async (): Promise<void> => {
    if ((link || settings?.hasLink) && !window.confirm('Make a new overlay link? The current one stops working in OBS until you paste the new one.')) return;
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const answer = await json<OverlayLinkAnswer>(`${path}/overlay-link`, { method: 'POST' });
      setLink(answer);
      setSettings((s) => (s ? { ...s, hasLink: true, linkCreatedAt: answer.createdAt } : s));
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  const clear = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await setFeatured(client, feed, null);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  const featured = feed.featured;
  const hasLink = Boolean(link || settings?.hasLink);
  return (
    <section className="panel overlay-panel" aria-labelledby="overlay-title" data-testid="overlay-panel">
      <header className="panel-head">
        <h2 id="overlay-title">Overlay</h2>
        <span className="overlay-featured" data-testid="overlay-featured" title={featured ? `${featured.author}: ${featured.text}` : undefined}>
          {featured ? (
            <>
              <span className="label">On screen:</span> <span className="author">{featured.author}</span>{' '}
              <span className="text">{featured.text}</span>
            </>
          ) : (
            <span className="hint">{hasLink ? 'Nothing featured (☆ on a message)' : 'Not set up'}</span>
          )}
        </span>
        <div className="panel-actions">
          {featured && (
            <button type="button" onClick={() => void clear()} disabled={busy} data-testid="overlay-clear">
              Clear
            </button>
          )}
          <button type="button" aria-expanded={open} aria-controls="overlay-setup" onClick={() => setOpen((v) => !v)} data-testid="overlay-setup-toggle">
            Link
          </button>
        </div>
      </header>
      {open && (
        <div id="overlay-setup" className="overlay-setup">
          {link ? (
            <div className="overlay-link">
              <label>
                <span>Overlay link for an OBS browser source (shown once; keep it private)</span>
                <input type="text" readOnly value={link.url} onFocus={(e) => e.currentTarget.select()} data-testid="overlay-link" />
              </label>
              <button type="button" onClick={() => void copyText(link.url).then(setCopied)}>
                {copied ? 'Copied' : 'Copy link'}
              </button>
            </div>
          ) : (
            <p className="hint">
              {hasLink
                ? 'This show has an overlay link. Lost it? Make a new one (the old one stops working).'
                : 'Put the lot, its winner and a message you pick (☆ in the chat) on your stream: make a link and add it to OBS as a browser source.'}
            </p>
          )}
          <button type="button" onClick={() => void makeLink()} disabled={busy} data-testid="overlay-make-link">
            {hasLink ? 'New link' : 'Make overlay link'}
          </button>
        </div>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
