/**
 * A backend's overlay rows over the database it reaches (supabase/functions/_shared/overlay/store.ts).
 * Where auth.users is the prelude's stand-in (embedded PGlite, DATABASE_URL), a seller's row is added
 * before their first overlay row, which references it; on a Supabase project it is already there.
 */
import type { Sql } from '../../supabase/functions/_shared/db.ts';
import { createOverlayStore, type OverlayStore } from '../../supabase/functions/_shared/overlay/store.ts';
import { addStandInUser } from './knowledge.ts';

export function sqlOverlays(sql: Sql, options: { ownerStandIn: boolean }): OverlayStore {
  const store = createOverlayStore(sql);
  if (!options.ownerStandIn) return store;
  return {
    ...store,
    async setLink(sessionId, ownerId, tokenHash) {
      if (ownerId) await addStandInUser(sql, ownerId);
      return store.setLink(sessionId, ownerId, tokenHash);
    },
    async setFeatured(sessionId, ownerId, featured) {
      if (ownerId) await addStandInUser(sql, ownerId);
      return store.setFeatured(sessionId, ownerId, featured);
    },
  };
}
