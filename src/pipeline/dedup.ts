/**
 * The guard in front of the fan-out: each message is let through once per show. A message's identity is
 * decided in one place, supabase/functions/_shared/identity.ts (the platform's id, or a stream position
 * when the page shows none), and its `messageKey` is what this guard and the store's unique key use; the
 * memory is an LRU with a TTL (DEDUP_MAX, DEDUP_TTL_MS), so a show of any length runs in bounded memory.
 * Storage has its own guarantee (a unique key per show, ON CONFLICT DO NOTHING), so a message this
 * memory has forgotten is still stored once.
 */
import { LRUCache } from 'lru-cache';
import { messageKey } from '../../supabase/functions/_shared/identity.ts';
import type { ChatMessage } from '../domain/message.ts';

export interface DedupOptions {
  max: number;
  ttlMs: number;
}

/** One per show. `admit` is true the first time it sees a message, false after. */
export class Deduplicator {
  private readonly cache: LRUCache<string, true>;

  constructor(options: DedupOptions) {
    this.cache = new LRUCache<string, true>({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false });
  }

  admit(message: Pick<ChatMessage, 'id'>): boolean {
    const key = messageKey(message);
    if (this.cache.has(key)) return false;
    this.cache.set(key, true);
    return true;
  }

  /** A message already published (by a previous owner of the show): admitted no more. */
  remember(messageId: string): void {
    this.cache.set(messageId, true);
  }

  get size(): number {
    return this.cache.size;
  }
}
