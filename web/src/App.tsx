/**
 * The dashboard shell: header, the live screen (start form and sessions | health and feed | buyers and
 * questions) and the knowledge-base screen. On narrow screens the three columns become tabs.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, describe, json, readToken } from './api.ts';
import { BuyersPanel } from './components/BuyersPanel.tsx';
import { Feed } from './components/Feed.tsx';
import { OverlayPanel, setFeatured } from './components/OverlayPanel.tsx';
import { KeyIcon } from './components/Icons.tsx';
import { MuteToggle } from './components/MuteToggle.tsx';
import { KnowledgeBase } from './components/KnowledgeBase.tsx';
import { Webhooks } from './components/Webhooks.tsx';
import { QuestionsPanel } from './components/QuestionsPanel.tsx';
import { SessionHealth } from './components/SessionHealth.tsx';
import { isRunning, SessionList, titleOf } from './components/SessionList.tsx';
import { ShowTitle } from './components/ShowTitle.tsx';
import { StartForm } from './components/StartForm.tsx';
import { TokenSettings } from './components/TokenSettings.tsx';
import { HostNotice } from './components/HostNotice.tsx';
import { LotsPanel } from './components/LotsPanel.tsx';
import { NotifyToggle } from './components/NotifyToggle.tsx';
import { PastShows } from './components/PastShows.tsx';
import { notifyBuyer, titleFor } from './notify.ts';
import { chooseSelection } from './selection.ts';
import type { Beeper } from './cue.ts';
import type { LiveClient } from './feed/client.ts';
import type { ConnectionState } from './feed/connection.ts';
import { useHashRoute, useMediaQuery, usePolling, useStoreVersion } from './hooks.ts';
import type { HealthWire, SessionInfo } from './wire.ts';

/** At most this many sessions are followed live at once (the newest ones). */
const MAX_FOLLOWED = 20;
/** How long a new buyer stays highlighted and its toast stays up. */
const CUE_MS = 6_000;

type Pane = 'sessions' | 'feed' | 'lots' | 'buyers' | 'questions';

interface Toast {
  id: number;
  text: string;
}

/** The signed-in seller, when the service has accounts. */
export interface SignedInAccount {
  email: string;
  signOut: () => void;
}

export function App({
  client,
  beeper,
  account,
  tokenRequired = false,
}: {
  client: LiveClient;
  beeper: Beeper;
  account?: SignedInAccount;
  /** The service asks for an API token (GET /api/config): only then is there a Token button. */
  tokenRequired?: boolean;
}) {
  const { store } = client;
  const [route, go] = useHashRoute();
  // Re-render on every store flush; the panels read the mutable feeds directly.
  useStoreVersion(store);
  const [connection, setConnection] = useState<ConnectionState>(client.connection.state);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [pane, setPane] = useState<Pane>('feed');
  // Desktop: the Lots view gives the ledger the centre column (waitlists and totals in view); on narrow
  // screens the Lots tab already gives it the whole screen, so the choice applies only where columns are.
  const [lotsView, setLotsView] = useState(false);
  const columns = useMediaQuery('(min-width: 1100px)');
  const lotsWide = lotsView && columns;
  const [muted, setMuted] = useState(beeper.muted);
  const [tokenOpen, setTokenOpen] = useState(false);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [unseenBuyers, setUnseenBuyers] = useState(0);
  // Buyers that arrived while the tab was in the background: the tab title counts them.
  const [awayBuyers, setAwayBuyers] = useState(0);

  const sessionsPoll = usePolling((signal) => json<SessionInfo[]>('/api/sessions', { signal }), 4_000);
  const healthPoll = usePolling((signal) => json<HealthWire>('/health', { signal }), 5_000);
  const sessions = useMemo(
    () => [...(sessionsPoll.value ?? [])].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '')),
    [sessionsPoll.value],
  );

  useEffect(() => {
    const off = client.onState(setConnection);
    // The socket may have changed state between the first render and this subscription.
    setConnection(client.connection.state);
    return off;
  }, [client]);

  // Follow the newest sessions live, so a buyer on any of them is heard even when another is on screen.
  useEffect(() => {
    for (const s of sessions.slice(0, MAX_FOLLOWED)) client.follow(s.sessionId);
  }, [client, sessions]);

  // A show started here, until a sessions list holds it (see selection.ts).
  const pendingRef = useRef<string | null>(null);
  // Default selection: the newest running session, else the newest; a just-started show stays on screen.
  useEffect(() => {
    const next = chooseSelection({
      sessions: sessions.map((s) => ({ sessionId: s.sessionId, running: isRunning(s.status) })),
      listed: sessionsPoll.value !== undefined,
      selectedId,
      pendingId: pendingRef.current,
    });
    pendingRef.current = next.pendingId;
    if (next.selectedId !== selectedId) setSelectedId(next.selectedId);
  }, [sessions, selectedId, sessionsPoll.value]);

  useEffect(() => (selectedId ? client.followRows(selectedId) : undefined), [client, selectedId]);

  const addToast = useCallback((text: string) => {
    const id = Date.now() + Math.random();
    setToasts((list) => [...list.slice(-2), { id, text }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), CUE_MS);
  }, []);

  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;

  // The buyer cue: a beep, a toast and a highlighted row, for buyers that arrive live (not replays) in
  // the session on screen; other sessions count theirs in the sessions list.
  useEffect(
    () =>
      store.onBuyer((sessionId, buyer) => {
        if (sessionId !== selectedRef.current) return;
        // Only a lot's winner is a buyer; a waitlisted or unplaced claim is no sale to cue.
        if (buyer.status !== undefined && buyer.status !== 'winner') return;
        beeper.beep();
        const what = [buyer.item, buyer.quantity ? `×${buyer.quantity}` : '', buyer.size ? `size ${buyer.size}` : '']
          .filter(Boolean)
          .join(' ');
        const text = `New buyer: ${buyer.username}${buyer.lot ? ` · ${buyer.lot}` : ''}${what ? ` · ${what}` : ''}${buyer.price !== undefined ? ` · $${buyer.price}` : ''}`;
        addToast(text);
        notifyBuyer(text);
        if (document.visibilityState !== 'visible') setAwayBuyers((n) => n + 1);
        setFresh((set) => new Set(set).add(buyer.messageId));
        setUnseenBuyers((n) => n + 1);
        setTimeout(
          () =>
            setFresh((set) => {
              const next = new Set(set);
              next.delete(buyer.messageId);
              return next;
            }),
          CUE_MS,
        );
      }),
    [store, beeper, addToast],
  );

  useEffect(() => store.onError((error) => addToast(`Live feed: ${error.message}`)), [store, addToast]);

  useEffect(() => {
    if (pane === 'buyers' || pane === 'lots') setUnseenBuyers(0);
  }, [pane, unseenBuyers]);

  useEffect(() => {
    document.title = titleFor(awayBuyers);
  }, [awayBuyers]);
  useEffect(() => {
    const back = (): void => {
      if (document.visibilityState === 'visible') setAwayBuyers(0);
    };
    document.addEventListener('visibilitychange', back);
    return () => document.removeEventListener('visibilitychange', back);
  }, []);

  const startDemo = async (): Promise<void> => {
    try {
      onStarted(await json<SessionInfo>('/api/start-monitoring', { method: 'POST', body: { url: `${location.origin}/demo/live` } }));
    } catch (e) {
      addToast(`Demo: ${describe(e)}`);
    }
  };

  const onStarted = (info: SessionInfo): void => {
    client.follow(info.sessionId);
    pendingRef.current = info.sessionId;
    setSelectedId(info.sessionId);
    setPane('feed');
    sessionsPoll.refresh();
  };

  const changeMuted = (value: boolean): void => {
    beeper.setMuted(value);
    setMuted(value);
  };

  const onTokenChange = (): void => {
    client.connection.restart();
    sessionsPoll.refresh();
    healthPoll.refresh();
  };

  // Featuring a message on the overlay from the feed; a refusal says why in a toast.
  const feature = useCallback(
    (messageId: string | null) => {
      const feed = selectedId ? store.feed(selectedId) : null;
      if (feed) void setFeatured(client, feed, messageId).catch((e: unknown) => addToast(`Overlay: ${describe(e)}`));
    },
    [client, store, selectedId, addToast],
  );

  const unauthorized = sessionsPoll.error instanceof ApiError && sessionsPoll.error.code === 'unauthorized';
  const selected = selectedId ? store.feed(selectedId) : null;
  const selectedInfo = sessions.find((s) => s.sessionId === selectedId);
  const feedVersion = selected?.version ?? 0;
  // Live: the feed's status once the socket spoke, else the sessions list's.
  const selectedLive = isRunning(selected && selected.status !== 'unknown' ? selected.status : (selectedInfo?.status ?? 'unknown'));

  return (
    <div className="app" onPointerDown={() => beeper.unlock()} onKeyDown={() => beeper.unlock()}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="#/" onClick={() => go('live')}>
          <span className="brand-mark" aria-hidden="true">
            ◉
          </span>{' '}
          <span className="brand-name">Earshot</span>
        </a>
        <nav aria-label="Screens">
          <a href="#/" aria-current={route === 'live' ? 'page' : undefined}>
            Live
          </a>
          {/* On a phone the short word shows and the full one is still the link's name (visually hidden). */}
          <a href="#/kb" aria-current={route === 'kb' ? 'page' : undefined}>
            <span className="long-name">Knowledge base</span>
            <span className="short" aria-hidden="true">
              KB
            </span>
          </a>
          <a href="#/webhooks" aria-current={route === 'webhooks' ? 'page' : undefined}>
            <span className="long-name">Webhooks</span>
            <span className="short" aria-hidden="true">
              Hooks
            </span>
          </a>
        </nav>
        <div className="topbar-actions">
          <MuteToggle muted={muted} onChange={changeMuted} label labelClassName="long-name" />
          <NotifyToggle />
          {account ? (
            <>
              <span className="account long muted small" data-testid="account-email">
                {account.email}
              </span>
              <button type="button" className="icon-button" onClick={account.signOut} data-testid="sign-out">
                Sign out
              </button>
            </>
          ) : tokenRequired || unauthorized || readToken() !== '' ? (
            // An open local service needs no token: the button is there only where one is asked for.
            <button
              type="button"
              className="icon-button"
              aria-expanded={tokenOpen}
              aria-label="API token"
              onClick={() => setTokenOpen((v) => !v)}
            >
              <KeyIcon /> <span className="long">API token</span>
            </button>
          ) : null}
        </div>
      </header>
      {tokenOpen && (
        <div className="token-panel">
          <TokenSettings onChange={onTokenChange} onClose={() => setTokenOpen(false)} />
        </div>
      )}
      {unauthorized && !tokenOpen && !account && (
        <div className="banner tone-bad" role="alert">
          This service requires an API token.{' '}
          <button type="button" className="small-button" onClick={() => setTokenOpen(true)}>
            Set token
          </button>
        </div>
      )}
      {sessionsPoll.error !== undefined && !unauthorized && (
        <div className="banner tone-bad" role="alert">
          Cannot load sessions: {describe(sessionsPoll.error)}
        </div>
      )}

      {route === 'kb' ? (
        <KnowledgeBase />
      ) : route === 'webhooks' ? (
        <Webhooks />
      ) : (
        <>
          <nav className="pane-tabs" aria-label="Panels">
            {(
              [
                ['sessions', 'Sessions'],
                ['feed', 'Chat'],
                ['buyers', 'Buyers'],
                ['questions', 'Q&A'],
                ['lots', 'Lots'],
              ] as const
            ).map(([key, label]) => (
              <button key={key} type="button" aria-pressed={pane === key} onClick={() => setPane(key)}>
                {label}
                {key === 'buyers' && unseenBuyers > 0 && pane !== 'buyers' && <span className="tab-badge">{unseenBuyers}</span>}
              </button>
            ))}
          </nav>
          <main className="layout" id="main" data-pane={pane}>
            {/* The page's heading for every tab and column; the welcome has its own when nothing is selected. */}
            {selected && <h1 className="visually-hidden">Live show: {selectedInfo ? titleOf(selectedInfo) : selected.sessionId}</h1>}
            <div className="col col-sessions">
              <StartForm onStarted={onStarted} onGesture={() => beeper.unlock()} />
              <h2 className="col-title">Sessions</h2>
              {sessionsPoll.loading && !sessionsPoll.value ? (
                <p className="muted small">Loading sessions…</p>
              ) : (
                <SessionList
                  sessions={sessions}
                  selectedId={selectedId}
                  onSelect={(id) => {
                    setSelectedId(id);
                    setPane('feed');
                  }}
                  onStopped={sessionsPoll.refresh}
                  feedOf={(id) => store.peek(id)}
                />
              )}
              <PastShows
                sessions={sessions}
                selectedId={selectedId}
                onSelect={(id) => {
                  setSelectedId(id);
                  setPane('lots');
                }}
              />
            </div>
            {selected ? (
              <>
                <div className="col col-feed">
                  {selectedInfo && <ShowTitle key={`title-${selected.sessionId}`} info={selectedInfo} onSaved={sessionsPoll.refresh} />}
                  <div className="view-switch" role="group" aria-label="Centre column">
                    <button type="button" aria-pressed={!lotsWide} onClick={() => setLotsView(false)} data-testid="view-chat">
                      Chat
                    </button>
                    <button type="button" aria-pressed={lotsWide} onClick={() => setLotsView(true)} data-testid="view-lots">
                      Lots
                    </button>
                  </div>
                  <SessionHealth
                    feed={selected}
                    version={feedVersion}
                    info={selectedInfo}
                    health={healthPoll.value}
                    connection={connection}
                  />
                  <HostNotice key={`host-${selected.sessionId}`} feed={selected} info={selectedInfo} live={selectedLive} onSaved={sessionsPoll.refresh} />
                  {lotsWide ? (
                    <LotsPanel key={`lots-${selected.sessionId}`} client={client} feed={selected} version={feedVersion} live={selectedLive} />
                  ) : (
                    <Feed
                      key={selected.sessionId}
                      feed={selected}
                      version={feedVersion}
                      emptyHint={emptyHintFor(selected.status !== 'unknown' ? selected.status : selectedInfo?.status)}
                      featuredId={selected.featured?.messageId}
                      onFeature={feature}
                    />
                  )}
                </div>
                <div className="col col-side">
                  {!lotsWide && <LotsPanel key={`lots-${selected.sessionId}`} client={client} feed={selected} version={feedVersion} live={selectedLive} />}
                  <OverlayPanel key={`overlay-${selected.sessionId}`} client={client} feed={selected} version={feedVersion} />
                  <BuyersPanel
                    feed={selected}
                    version={feedVersion}
                    live={selectedLive}
                    fresh={fresh}
                    muted={muted}
                    onMutedChange={changeMuted}
                  />
                  <QuestionsPanel feed={selected} version={feedVersion} />
                </div>
              </>
            ) : (
              <div className="col col-feed col-empty">
                <div className="welcome">
                  <h1>Hear every buyer.</h1>
                  <p>
                    Paste the URL of a live show (Whatnot, YouTube, Twitch, Kick, TikTok) under Sessions to capture its chat, or
                    watch a simulated live-shopping show:
                  </p>
                  <button type="button" className="primary" onClick={() => void startDemo()} data-testid="welcome-demo">
                    ▶ Try the demo
                  </button>
                </div>
              </div>
            )}
          </main>
        </>
      )}
      {/* A reserved strip at the bottom, in the flow of the page: a notice never covers content. */}
      <div className="toasts" role="status" aria-live="polite" data-empty={toasts.length === 0 ? 'true' : undefined}>
        {toasts.slice(-1).map((t) => (
          <div key={t.id} className="toast" data-testid="toast">
            {t.text}
          </div>
        ))}
      </div>
    </div>
  );
}

function emptyHintFor(status: string | undefined): string {
  switch (status) {
    case 'no_chat_found':
      return 'No chat found on this page yet. Check the screenshot above.';
    case 'ended':
    case 'stopped':
      return 'No messages were captured in this session.';
    case 'error':
      return 'The session failed to start; see the status above.';
    default:
      return 'Waiting for the first chat message…';
  }
}
