/**
 * Fills a hole the hub could not replay (its resume ring had moved on) from stored history,
 * GET /api/sessions/:id/messages, and the session's captured buyers (GET /api/sessions/:id/buyers),
 * when the service has a backend that keeps them.
 */
import { ApiError, json } from '../api.ts';
import { listOf, toFeedMessage } from './rows.ts';
import type { FeedStore } from './store.ts';

export type HistoryOutcome = { loaded: number } | { unavailable: string };

/** Loads up to `limit` recent stored messages of a session into its feed. */
export async function loadHistory(store: FeedStore, sessionId: string, limit = 500): Promise<HistoryOutcome> {
  const feed = store.feed(sessionId);
  let body: unknown;
  try {
    body = await json<unknown>(`/api/sessions/${encodeURIComponent(sessionId)}/messages?limit=${limit}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    feed.history = { unavailable: error.message };
    store.changed();
    return feed.history;
  }
  const now = Date.now();
  const messages = listOf(body, 'messages', 'items', 'data')
    .map((raw) => toFeedMessage(raw, 'history', now))
    .filter((m) => m !== undefined);
  // Newest first on the wire; the feed wants capture order.
  messages.sort((a, b) => a.capturedAtMs - b.capturedAtMs);
  const loaded = feed.mergeHistory(messages);
  feed.history = { loaded };
  await loadBuyers(store, sessionId).catch(() => undefined);
  store.changed();
  return feed.history;
}

interface StoredBuyer {
  messageId: string;
  capturedAt: string;
  buyer: { username: string; message: string; confidence: number; item?: string; price?: number; quantity?: number; size?: string; lot?: string };
}

/** Merges the stored pick list: buyers announced before this dashboard connected are not lost. */
async function loadBuyers(store: FeedStore, sessionId: string): Promise<void> {
  const body = await json<{ buyers?: StoredBuyer[] }>(`/api/sessions/${encodeURIComponent(sessionId)}/buyers`);
  const feed = store.feed(sessionId);
  for (const stored of body.buyers ?? []) {
    feed.mergeBuyer({
      messageId: stored.messageId,
      username: stored.buyer.username,
      message: stored.buyer.message,
      confidence: stored.buyer.confidence,
      item: stored.buyer.item,
      price: stored.buyer.price,
      quantity: stored.buyer.quantity,
      size: stored.buyer.size,
      ...(stored.buyer.lot ? { lot: stored.buyer.lot } : {}),
      detectedAt: Date.parse(stored.capturedAt) || Date.now(),
      origin: 'history',
    });
  }
}
