/**
 * All session feeds of the dashboard, fed by the WebSocket connection (and Supabase realtime when
 * configured). Listeners are told at most once per frame, however many events arrive in it, so a chat
 * burst costs one render, not one per message.
 */
import type { ServerFrame } from '../wire.ts';
import { SessionFeed } from './session-feed.ts';
import type { Buyer } from './types.ts';

export type BuyerListener = (sessionId: string, buyer: Buyer) => void;
export type ErrorListener = (error: { code: string; message: string }) => void;

export interface FeedStoreOptions {
  /** Runs `flush` soon (default: the next animation frame, or a timer when the tab is hidden). */
  schedule?: (flush: () => void) => void;
  maxMessages?: number;
  now?: () => number;
}

/** What the connection must do after a frame. */
export interface FrameOutcome {
  /** The server restarted its numbering: subscribe to this session again from 0. */
  resubscribe?: string;
  /** The server could not replay a range: fetch it from stored history if the service has it. */
  backfill?: { sessionId: string; from: number; to: number };
}

export class FeedStore {
  private readonly feeds = new Map<string, SessionFeed>();
  private readonly listeners = new Set<() => void>();
  private readonly buyerListeners = new Set<BuyerListener>();
  private readonly errorListeners = new Set<ErrorListener>();
  private readonly schedule: (flush: () => void) => void;
  private readonly now: () => number;
  private readonly maxMessages?: number;
  private pending = false;
  /** Bumped at every flush; what React's useSyncExternalStore reads. */
  version = 0;

  constructor(options: FeedStoreOptions = {}) {
    this.schedule = options.schedule ?? scheduleFrame;
    this.now = options.now ?? Date.now;
    this.maxMessages = options.maxMessages;
  }

  /** The feed of a session, created empty on first use. */
  feed(sessionId: string): SessionFeed {
    let feed = this.feeds.get(sessionId);
    if (!feed) {
      feed = new SessionFeed(sessionId, { maxMessages: this.maxMessages });
      this.feeds.set(sessionId, feed);
    }
    return feed;
  }

  peek(sessionId: string): SessionFeed | undefined {
    return this.feeds.get(sessionId);
  }

  /** Applies one frame from /ws. */
  handleFrame(frame: ServerFrame): FrameOutcome {
    switch (frame.type) {
      case 'subscribed': {
        if (frame.sessionId === '*') return {};
        const reset = this.feed(frame.sessionId).markSubscribed(frame.seq);
        return reset ? { resubscribe: frame.sessionId } : {};
      }
      case 'gap':
        this.feed(frame.sessionId).markGap(frame.from, frame.to);
        this.changed();
        return { backfill: { sessionId: frame.sessionId, from: frame.from, to: frame.to } };
      case 'error':
        for (const listener of this.errorListeners) listener(frame.error);
        return {};
      case 'pong':
        return {};
      default: {
        const change = this.feed(frame.sessionId).applyEvent(frame, this.now());
        if (change.changed) this.changed();
        if (change.newBuyer && change.live) this.emitBuyer(frame.sessionId, change.newBuyer);
        return {};
      }
    }
  }

  /** Tells buyer listeners (the cue) about a buyer that arrived live from elsewhere (realtime). */
  emitBuyer(sessionId: string, buyer: Buyer): void {
    for (const listener of this.buyerListeners) listener(sessionId, buyer);
  }

  /** Marks that some feed changed; listeners run on the next scheduled flush. */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => {
      this.pending = false;
      this.version++;
      for (const listener of this.listeners) listener();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onBuyer(listener: BuyerListener): () => void {
    this.buyerListeners.add(listener);
    return () => this.buyerListeners.delete(listener);
  }

  onError(listener: ErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** The highest seq applied for a session (what `since` asks for on resubscribe). */
  sinceFor(sessionId: string): number {
    return this.feeds.get(sessionId)?.lastSeq ?? 0;
  }
}

/** The next animation frame, or a short timer when the tab is hidden (frames do not run then). */
function scheduleFrame(flush: () => void): void {
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    flush();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
  setTimeout(run, 100);
}
