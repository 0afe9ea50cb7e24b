/**
 * The on-stream overlay page (/overlay/:sessionId?token=...): reads its show's state with the link's
 * token, then follows the show over /ws as an overlay connection (read-only, that show only). Every
 * (re)connect reads the state again and resumes from its seq, so nothing is missed and nothing is stale.
 * A refused link shows a notice and stops; anything else retries with backoff, keeping the last picture.
 */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Overlay, type Phase } from './Overlay.tsx';
import { applyFrame, viewOf, type OverlayState, type OverlayView, type WsOverlayEvent } from './state.ts';
import './overlay.css';

const sessionId = decodeURIComponent(location.pathname.replace(/^\/overlay\//, '').replace(/\/+$/, ''));
const token = new URLSearchParams(location.search).get('token') ?? '';

class LinkRefused extends Error {}

/** The hub's answers to the page's own frames (subscribed, gap, error, pong). */
type HubNotice = { type: 'subscribed' | 'gap' | 'error' | 'pong'; seq?: number };

function isNotice(frame: WsOverlayEvent | HubNotice): frame is HubNotice {
  return frame.type === 'subscribed' || frame.type === 'gap' || frame.type === 'error' || frame.type === 'pong';
}

async function readState(): Promise<OverlayState> {
  const response = await fetch(`/overlay/${encodeURIComponent(sessionId)}/state`, {
    headers: { 'x-overlay-token': token },
    cache: 'no-store',
  });
  if (response.status === 401) throw new LinkRefused();
  if (!response.ok) throw new Error(`state answered ${response.status}`);
  return (await response.json()) as OverlayState;
}

function follow(onView: (update: (view: OverlayView | null) => OverlayView | null) => void, onPhase: (phase: Phase) => void): () => void {
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 1_000;
  let stopped = false;

  const retry = (): void => {
    if (stopped) return;
    onPhase('offline');
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 15_000);
  };

  async function connect(): Promise<void> {
    let state: OverlayState;
    try {
      state = await readState();
    } catch (error) {
      if (error instanceof LinkRefused) {
        onPhase('invalid');
        return;
      }
      retry();
      return;
    }
    if (stopped) return;
    let seq = state.seq;
    onView(() => viewOf(state));
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws?overlay_token=${encodeURIComponent(token)}`);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', sessionId, since: seq }));
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as WsOverlayEvent | HubNotice;
      if (isNotice(frame)) {
        if (frame.type === 'subscribed') {
          delay = 1_000;
          onPhase('live');
          // A service that restarted numbers from the start: read the state again.
          if ((frame.seq ?? 0) < seq) ws.close(4000, 'restarted');
        } else if (frame.type === 'gap' || frame.type === 'error') {
          // The hub no longer holds what was missed (or refused): the state has it.
          ws.close(4000, 'resync');
        }
        return;
      }
      seq = Math.max(seq, frame.seq);
      onView((view) => (view ? applyFrame(view, frame) : view));
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      retry();
    };
  }

  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
  };
}

function Root() {
  const [view, setView] = useState<OverlayView | null>(null);
  const [phase, setPhase] = useState<Phase>('connecting');
  useEffect(() => follow(setView, setPhase), []);
  useEffect(() => {
    // For tests and for whoever inspects the browser source: where the page is.
    document.documentElement.dataset.phase = phase;
  }, [phase]);
  return <Overlay view={view} phase={phase} />;
}

createRoot(document.getElementById('overlay')!).render(<Root />);
