/**
 * One knowledge base per signed-in seller: documents, commands and their search are bound to the user's
 * id (owner_id), so one seller's documents never answer another seller's viewers.
 */
import { LRUCache } from 'lru-cache';
import type { Sql } from '../../supabase/functions/_shared/db.ts';
import {
  createKnowledgeBase,
  type KnowledgeBase,
  type KnowledgeBaseOptions,
} from '../../supabase/functions/_shared/kb/index.ts';

export interface OwnerKnowledgeBaseOptions extends Omit<KnowledgeBaseOptions, 'ownerId'> {
  /**
   * The embedded database: its auth.users is our stand-in for Supabase's, and owner_id columns reference
   * it, so a seller's row is added the first time they are seen. (On Supabase the user is already there.)
   */
  embedded: boolean;
}

/** Returns `kbFor(userId)`; bases are cached (they are closures over `sql`, cheap to rebuild). */
export function ownerKnowledgeBases(sql: Sql, options: OwnerKnowledgeBaseOptions): (ownerId: string) => Promise<KnowledgeBase> {
  const { embedded, ...kbOptions } = options;
  const cache = new LRUCache<string, Promise<KnowledgeBase>>({ max: 1_000 });
  return (ownerId) => {
    let base = cache.get(ownerId);
    if (!base) {
      base = (async () => {
        if (embedded) await sql.query('insert into auth.users (id) values ($1) on conflict (id) do nothing', [ownerId]);
        return createKnowledgeBase(sql, { ...kbOptions, ownerId });
      })();
      // A failed first query must not stick: the next call tries again.
      base.catch(() => cache.delete(ownerId));
      cache.set(ownerId, base);
    }
    return base;
  };
}
