/**
 * One knowledge base per signed-in seller: documents, commands and their search are bound to the user's
 * id (owner_id), so one seller's documents never answer another seller's viewers.
 */
import { LRUCache } from 'lru-cache';
import type { KnowledgeStore, OpenKnowledgeOptions } from '../backend/types.ts';
import type { KnowledgeBase } from '../../supabase/functions/_shared/kb/index.ts';

/**
 * Returns `kbFor(userId)` over the backend's knowledge base. Bases are cached: opening one may write the
 * seller's row (the embedded database's stand-in for Supabase Auth), which a request need not repeat.
 */
export function ownerKnowledgeBases(
  store: Pick<KnowledgeStore, 'open'>,
  options: Omit<OpenKnowledgeOptions, 'ownerId'> = {},
): (ownerId: string) => Promise<KnowledgeBase> {
  const cache = new LRUCache<string, Promise<KnowledgeBase>>({ max: 1_000 });
  return (ownerId) => {
    let base = cache.get(ownerId);
    if (!base) {
      base = store.open({ ...options, ownerId });
      // A failed first query must not stick: the next call tries again.
      base.catch(() => cache.delete(ownerId));
      cache.set(ownerId, base);
    }
    return base;
  };
}
