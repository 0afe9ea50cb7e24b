/**
 * The dashboard's live data plumbing in one object: the store, the WebSocket connection that feeds it,
 * history backfill for what the hub could no longer replay, and Supabase realtime when configured.
 * Built once in main.tsx.
 */
import { socketUrl } from '../api.ts';
import { FeedConnection, type ConnectionState } from './connection.ts';
import { loadHistory } from './history.ts';
import { loadLots } from './lots.ts';
import { followSessionRows } from './realtime.ts';
import { FeedStore } from './store.ts';

/** What tests read through `window.__earshot` (the list is virtualized, so the DOM holds only a window). */
export interface FeedSnapshot {
  lastSeq: number;
  holes: Array<{ from: number; to: number; reason: string }>;
  olderEvents: number;
  messageIds: string[];
  buyers: Array<{ messageId: string; username: string }>;
  /** Each lot's version as this dashboard holds it (a test waits for a correction to arrive). */
  lotVersions: Record<string, number>;
  status: string;
  reconnects: number;
}

export class LiveClient {
  readonly store: FeedStore;
  readonly connection: FeedConnection;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly realtime = new Map<string, Promise<() => void>>();

  constructor(store: FeedStore = new FeedStore(), options: { onUnauthorized?: () => void } = {}) {
    this.store = store;
    this.connection = new FeedConnection({
      onUnauthorized: options.onUnauthorized,
      url: socketUrl,
      onFrame: (frame) => store.handleFrame(frame),
      sinceFor: (sessionId) => store.sinceFor(sessionId),
      onState: (state) => {
        for (const listener of this.stateListeners) listener(state);
      },
      onBackfill: ({ sessionId }) => {
        void loadHistory(store, sessionId).catch(() => undefined);
        // lot_update events were in the range too: the lots are read again whole.
        if (store.peek(sessionId)?.lotsLoaded) void loadLots(store, sessionId).catch(() => undefined);
      },
    });
  }

  start(): void {
    this.connection.start();
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Follows a session on the socket (idempotent). */
  follow(sessionId: string): void {
    this.store.feed(sessionId);
    this.connection.subscribe(sessionId);
  }

  /** Reads a show's lots into its feed (once per screen; lot_update keeps them after). */
  loadLots(sessionId: string, signal?: AbortSignal): Promise<void> {
    return loadLots(this.store, sessionId, signal);
  }

  /** Adds Supabase realtime for a session while it is on screen; returns the stop function. */
  followRows(sessionId: string): () => void {
    let stopped = false;
    const pending = followSessionRows(this.store, sessionId).catch(() => () => undefined);
    this.realtime.set(sessionId, pending);
    return () => {
      if (stopped) return;
      stopped = true;
      this.realtime.delete(sessionId);
      void pending.then((stop) => stop());
    };
  }

  snapshot(sessionId: string): FeedSnapshot | null {
    const feed = this.store.peek(sessionId);
    if (!feed) return null;
    return {
      lastSeq: feed.lastSeq,
      holes: feed.holes.map((h) => ({ ...h })),
      olderEvents: feed.olderEvents,
      messageIds: feed.messages.map((m) => m.id),
      buyers: feed.buyers.map((b) => ({ messageId: b.messageId, username: b.username })),
      lotVersions: Object.fromEntries(feed.lots.map((l) => [l.code, l.version])),
      status: feed.status,
      reconnects: this.connection.reconnects,
    };
  }
}
