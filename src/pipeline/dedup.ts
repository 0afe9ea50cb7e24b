/** Guards the fan-out: a message key is let through once per session within the cache's reach. */
import { LRUCache } from 'lru-cache';

export interface DedupOptions {
  max: number;
  ttlMs: number;
}

/** One per session. `admit` returns true the first time it sees a key, false after. */
export class Deduplicator {
  private readonly cache: LRUCache<string, true>;
  private admitted = 0;
  private rejected = 0;

  constructor(options: DedupOptions) {
    this.cache = new LRUCache<string, true>({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false });
  }

  admit(key: string): boolean {
    if (this.cache.has(key)) {
      this.rejected++;
      return false;
    }
    this.cache.set(key, true);
    this.admitted++;
    return true;
  }

  get stats(): { size: number; admitted: number; rejected: number } {
    return { size: this.cache.size, admitted: this.admitted, rejected: this.rejected };
  }
}
