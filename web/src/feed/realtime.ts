/**
 * Optional second path: with accounts (the signed-in seller's supabase-js client, so Realtime applies
 * that seller's RLS and sends their rows only), or when the dashboard was built with VITE_SUPABASE_URL
 * and VITE_SUPABASE_ANON_KEY, it also listens to postgres_changes on chat_messages and sales_captured for
 * the session and merges by id, so a dashboard pointed at the database keeps filling even if the
 * service's socket is away. supabase-js is loaded on demand, so builds without Supabase do not carry it.
 */
import { accountsClient } from '../auth.ts';
import type { ChatMessageRow, SaleRow } from '../wire.ts';
import { saleToBuyer, toFeedMessage } from './rows.ts';
import type { FeedStore } from './store.ts';


/**
 * Subscribes to a session's inserts and updates; returns a function that unsubscribes.
 * Resolves to a no-op when Supabase is not configured or cannot be loaded.
 */
export async function followSessionRows(store: FeedStore, sessionId: string): Promise<() => void> {
  let client = accountsClient();
  if (!client) {
    // Read inline so a build without the settings folds this branch away.
    const url = import.meta.env.VITE_SUPABASE_URL;
    const anonKey = import.meta.env.VITE_SUPABASE_ANON_KEY;
    if (!url || !anonKey) return () => undefined;
    const { createClient } = await import('@supabase/supabase-js');
    client = createClient(url, anonKey, { auth: { persistSession: false } });
  }
  const active = client;
  const filter = `stream_session_id=eq.${sessionId}`;
  const channel = active
    .channel(`earshot:${sessionId}`)
    .on('postgres_changes', { event: '*', schema: 'public', table: 'chat_messages', filter }, (payload) => {
      const message = toFeedMessage(payload.new as ChatMessageRow, 'realtime');
      if (!message) return;
      const feed = store.feed(sessionId);
      if (message.deleted) feed.markDeleted(message.id);
      else feed.mergeMessage(message);
      store.changed();
    })
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'sales_captured', filter }, (payload) => {
      const buyer = saleToBuyer(payload.new as SaleRow);
      if (!buyer) return;
      const feed = store.feed(sessionId);
      // The socket may already have this buyer under the chat message id; rows may key it differently.
      if (feed.buyers.some((b) => b.username === buyer.username && b.message === buyer.message)) return;
      const added = feed.mergeBuyer(buyer);
      store.changed();
      if (added) store.emitBuyer(sessionId, added);
    })
    .subscribe();
  return () => {
    void active.removeChannel(channel);
  };
}
