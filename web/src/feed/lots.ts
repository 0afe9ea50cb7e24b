/**
 * The show's lots into its feed: GET /api/sessions/:id/lots once (and again after a gap the hub could not
 * replay); from then on `lot_update` events over /ws keep them, so no panel polls. The summary's
 * `interested` (viewers whose purchase intent no lot holds) comes from the store and travels with it.
 */
import { json } from '../api.ts';
import type { LotsAnswer } from '../wire.ts';
import type { FeedStore } from './store.ts';

/** Loads a show's lots into its feed; resolves when they are in. */
export async function loadLots(store: FeedStore, sessionId: string, signal?: AbortSignal): Promise<void> {
  const answer = await json<LotsAnswer>(`/api/sessions/${encodeURIComponent(sessionId)}/lots`, { signal });
  const feed = store.feed(sessionId);
  feed.applyLots(answer.lots, 'answer', true);
  if (typeof answer.summary?.interested === 'number') feed.interested = answer.summary.interested;
  store.changed();
}
