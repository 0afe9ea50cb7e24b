/**
 * A backend's webhook outbox over the database it reaches (supabase/functions/_shared/webhooks/store.ts).
 * Where auth.users is the prelude's stand-in (embedded PGlite, DATABASE_URL), a seller's row is added
 * before their first endpoint, which references it; on a Supabase project it is already there.
 */
import type { Sql } from '../../supabase/functions/_shared/db.ts';
import { createWebhookStore, type WebhookStore } from '../../supabase/functions/_shared/webhooks/store.ts';
import { addStandInUser } from './knowledge.ts';

export function sqlWebhooks(sql: Sql, options: { ownerStandIn: boolean }): WebhookStore {
  const store = createWebhookStore(sql);
  if (!options.ownerStandIn) return store;
  return {
    ...store,
    async createEndpoint(ownerId, input, secret) {
      if (ownerId) await addStandInUser(sql, ownerId);
      return store.createEndpoint(ownerId, input, secret);
    },
  };
}
