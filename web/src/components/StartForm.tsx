/**
 * Start monitoring: paste a live URL (the platform Earshot will assume is shown as you type; the server
 * decides), optionally name the host (whose messages announce lots; platform badges and the channel in a
 * Twitch, Kick or TikTok URL name them without it), give CSS selectors for a page it has no adapter for,
 * or try the built-in demo.
 */
import { useState, type FormEvent } from 'react';
import { describe, json } from '../api.ts';
import { sellerNames } from '../ledger.ts';
import { channelPages, detectPlatform, normalizeUrl } from '../platform.ts';
import type { SelectorSet, StartAnswer } from '../wire.ts';
import { ErrorLine } from './ErrorLine.tsx';

const EMPTY_SELECTORS: SelectorSet = { container: '', row: '', author: '', text: '' };

export function StartForm({ onStarted, onGesture }: { onStarted: (info: StartAnswer) => void; onGesture: () => void }) {
  const [url, setUrl] = useState('');
  const [host, setHost] = useState('');
  const [busy, setBusy] = useState<'url' | 'demo' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showSelectors, setShowSelectors] = useState(false);
  const [selectors, setSelectors] = useState<SelectorSet>(EMPTY_SELECTORS);
  const detection = detectPlatform(url, location.origin);

  const start = async (body: Record<string, unknown>, which: 'url' | 'demo'): Promise<void> => {
    onGesture();
    setBusy(which);
    setError(null);
    try {
      const info = await json<StartAnswer>('/api/start-monitoring', { body });
      onStarted(info);
      if (which === 'url') {
        setUrl('');
        setHost('');
      }
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(null);
    }
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!url.trim() || detection.problem) return;
    const body: Record<string, unknown> = { url: normalizeUrl(url) };
    const seller = sellerNames(host);
    if (seller.length > 0) body.seller = seller;
    if (showSelectors && selectors.container && selectors.row && selectors.author && selectors.text) {
      body.selectors = { ...selectors, id: selectors.id || undefined };
    }
    void start(body, 'url');
  };

  const set = (key: keyof SelectorSet) => (e: { target: { value: string } }) => setSelectors((s) => ({ ...s, [key]: e.target.value }));

  return (
    <section className="start" aria-labelledby="start-title">
      <h2 id="start-title" className="visually-hidden">
        Start monitoring
      </h2>
      <form onSubmit={submit} className="start-form">
        <label htmlFor="start-url" className="label">
          Live page URL
        </label>
        <div className="start-row">
          <input
            id="start-url"
            // Text, not type=url: the browser's URL check refuses "whatnot.com/live/…" without a scheme,
            // which normalizeUrl turns into https:// (the platform line already shows what was detected).
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="whatnot.com/live/… or any live page"
            value={url}
            maxLength={2048}
            onChange={(e) => setUrl(e.target.value)}
            aria-describedby="start-platform"
          />
          <button type="submit" disabled={!url.trim() || Boolean(detection.problem) || busy !== null}>
            {busy === 'url' ? 'Starting…' : 'Start'}
          </button>
        </div>
        <p id="start-platform" className="platform-line" aria-live="polite">
          {detection.platform ? (
            <>
              <span className={`platform platform-${detection.platform}`} data-testid="detected-platform">
                {detection.label}
              </span>
              {detection.platform === 'generic' && (
                <button type="button" className="link-button" onClick={() => setShowSelectors((v) => !v)} aria-expanded={showSelectors}>
                  {showSelectors ? 'Hide selectors' : 'Add selectors'}
                </button>
              )}
            </>
          ) : detection.channel ? (
            <span className="channel-pick" role="group" aria-label={`Where ${detection.channel} is live`}>
              <span className="muted">{detection.channel} on:</span>
              {channelPages(detection.channel).map((p) => (
                <button key={p.platform} type="button" className="small-button" onClick={() => setUrl(p.url)} data-testid={`channel-${p.platform}`}>
                  {p.label}
                </button>
              ))}
              <span className="muted small">Whatnot: paste the show's link.</span>
            </span>
          ) : (
            <span className="muted">{detection.problem ?? 'Whatnot, YouTube, Twitch, Kick, TikTok, or any page with selectors.'}</span>
          )}
        </p>
        <label htmlFor="start-host" className="label">
          Host's username <span className="muted small">(optional)</span>
        </label>
        <input
          id="start-host"
          type="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="@host_name"
          value={host}
          maxLength={200}
          onChange={(e) => setHost(e.target.value)}
          aria-describedby="start-host-hint"
          data-testid="start-host"
        />
        <p id="start-host-hint" className="muted small">
          Their messages open and close lots. Host badges and the channel in a Twitch, Kick or TikTok URL are read without it.
        </p>
        {showSelectors && detection.platform === 'generic' && (
          <fieldset className="selectors">
            <legend>CSS selectors for this page</legend>
            {(['container', 'row', 'author', 'text', 'id'] as const).map((key) => (
              <label key={key}>
                <span>{key === 'id' ? 'id (optional)' : key}</span>
                <input type="text" value={selectors[key] ?? ''} onChange={set(key)} maxLength={500} spellCheck={false} />
              </label>
            ))}
          </fieldset>
        )}
      </form>
      <div className="demo-row">
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() => void start({ url: `${location.origin}/demo/live` }, 'demo')}
          data-testid="try-demo"
        >
          {busy === 'demo' ? 'Starting the demo…' : '▶ Try the demo'}
        </button>
        <span className="muted small">A simulated live-shopping show, no account needed.</span>
      </div>
      <ErrorLine error={error} />
    </section>
  );
}
