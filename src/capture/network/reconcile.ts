/**
 * Network first, DOM as fallback, never both: the algorithm the session's merger (capture/merger.ts)
 * runs between the two capture paths of one session.
 *
 * The network path delivers chat with platform ids; the DOM path delivers the same chat a moment later,
 * often without ids (Whatnot, Twitch and Kick rows carry none, so the agent names them by stream position).
 * A DOM row with a platform id matches the network message by id. A row without one matches by
 * (author, text) (identity.ts `contentKey`) against a short-lived multiset of network-delivered messages, consumed in order, so the
 * same text typed twice by one viewer is still two messages. What the network never delivered (the
 * socket went quiet, a frame format changed) comes through from the DOM. The same holds the other way:
 * a network message that arrives after the DOM already delivered its row is suppressed.
 *
 * While the network is delivering, an unmatched DOM row waits briefly for its network twin (which carries
 * the richer data: ids, author ids, send times) before it is let through.
 */
import { LRUCache } from 'lru-cache';
import { contentKey, isPositional } from '../../../supabase/functions/_shared/identity.ts';
import type { ChatMessage } from '../../domain/message.ts';

/** Time and timers, injected so tests drive them by hand. */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ReconcilerOptions {
  scheduler?: Scheduler;
  /** How long one path's message waits to meet its twin from the other path. */
  matchTtlMs?: number;
  /** The network counts as delivering while its last chat message is at most this old. */
  activeWindowMs?: number;
  /** How long an unmatched DOM row waits for its network twin while the network is delivering. */
  holdMs?: number;
}

interface Entry {
  /** The id the message was emitted under. */
  id: string;
  key: string;
  expiresAt: number;
  consumed: boolean;
}

interface Held {
  message: ChatMessage;
  key: string;
  positional: boolean;
  dueAt: number;
  deliver: (messages: ChatMessage[]) => void;
  dropped: boolean;
}

const ID_MEMORY = 5_000;
const ENTRY_MEMORY = 5_000;

/** FIFO of entries per key; consumed or expired entries are skipped and dropped lazily. */
class Multiset {
  private readonly byKey = new Map<string, Entry[]>();
  private readonly order: Entry[] = [];

  add(entry: Entry): void {
    let queue = this.byKey.get(entry.key);
    if (!queue) this.byKey.set(entry.key, (queue = []));
    queue.push(entry);
    this.order.push(entry);
    if (this.order.length > ENTRY_MEMORY) this.prune(Number.NEGATIVE_INFINITY, this.order.length - ENTRY_MEMORY);
  }

  /** Takes the oldest live entry for a key. */
  take(key: string, now: number): Entry | undefined {
    const queue = this.byKey.get(key);
    if (!queue) return undefined;
    let found: Entry | undefined;
    while (queue.length > 0) {
      const head = queue.shift()!;
      if (!head.consumed && head.expiresAt > now) {
        found = head;
        break;
      }
    }
    if (queue.length === 0) this.byKey.delete(key);
    if (found) found.consumed = true;
    return found;
  }

  /** Drops expired and consumed entries from the front, and `force` more regardless (memory bound). */
  prune(now: number, force = 0): void {
    let drop = 0;
    while (drop < this.order.length) {
      const e = this.order[drop]!;
      if (drop >= force && !e.consumed && e.expiresAt > now) break;
      e.consumed = true;
      drop++;
    }
    if (drop === 0) return;
    for (const e of this.order.splice(0, drop)) {
      const queue = this.byKey.get(e.key);
      if (queue && queue[0] === e) queue.shift();
      if (queue && queue.length === 0) this.byKey.delete(e.key);
    }
  }
}

/** The reconciliation of one session (it outlives page reloads). */
export class DomReconciler {
  private readonly scheduler: Scheduler;
  private readonly matchTtlMs: number;
  private readonly activeWindowMs: number;
  private readonly holdMs: number;
  /** Network-delivered messages waiting for their DOM rows. */
  private readonly fromNetwork = new Multiset();
  /** DOM rows without platform ids that were delivered, waiting for a late network twin. */
  private readonly fromDom = new Multiset();
  /** Network ids delivered; the entry is shared with `fromNetwork`, so a DOM row with the same id consumes it. */
  private readonly networkIds = new LRUCache<string, Entry>({ max: ID_MEMORY });
  /** An id that was not emitted -> the id its twin was emitted under (deletions name either). */
  private readonly aliases = new LRUCache<string, string>({ max: ID_MEMORY });
  private readonly deletedIds = new LRUCache<string, true>({ max: ID_MEMORY });
  private held: Held[] = [];
  private timer: unknown = null;
  private timerDueAt = 0;
  private lastNetworkAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly stats = { network: 0, networkSuppressed: 0, domDelivered: 0, domDropped: 0 };

  constructor(options: ReconcilerOptions = {}) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.matchTtlMs = options.matchTtlMs ?? 30_000;
    this.activeWindowMs = options.activeWindowMs ?? 10_000;
    this.holdMs = options.holdMs ?? 1_500;
  }

  /**
   * Records a message the network path captured. Returns false when its DOM twin was already delivered
   * (the caller must not emit it then).
   */
  network(message: ChatMessage): boolean {
    const now = this.scheduler.now();
    this.lastNetworkAt = now;
    // The same id again (history re-sent after a reconnect): the pipeline's dedup drops it; it must not
    // add a second entry that would swallow a later DOM row.
    if (this.networkIds.has(message.id)) return true;
    const key = contentKey(message.author.name, message.text);
    this.stats.network++;
    // A DOM row waiting for exactly this message: the row is dropped, the network version goes out.
    const waiting = this.held.find((h) => !h.dropped && (h.message.id === message.id || (h.positional && h.key === key)));
    if (waiting) {
      waiting.dropped = true;
      if (waiting.message.id !== message.id) this.aliases.set(waiting.message.id, message.id);
      this.stats.domDropped++;
      this.remember(message.id, key, now, true);
      return true;
    }
    const delivered = this.fromDom.take(key, now);
    if (delivered) {
      this.aliases.set(message.id, delivered.id);
      this.stats.network--;
      this.stats.networkSuppressed++;
      return false;
    }
    this.remember(message.id, key, now, false);
    return true;
  }

  private remember(id: string, key: string, now: number, consumed: boolean): void {
    const entry: Entry = { id, key, expiresAt: now + this.matchTtlMs, consumed };
    this.networkIds.set(id, entry);
    this.fromNetwork.prune(now);
    if (!consumed) this.fromNetwork.add(entry);
  }

  /**
   * DOM rows in stream order; `deliver` gets those the network never delivered, possibly later. Rows
   * without a platform id carry stream-position ids of `idPrefix` (the source's: a resumed session keeps
   * its old one).
   */
  rows(messages: ChatMessage[], idPrefix: string, deliver: (messages: ChatMessage[]) => void): void {
    if (this.closed) return;
    const now = this.scheduler.now();
    this.fromDom.prune(now);
    // While the network delivers, an unmatched row waits for its twin; otherwise it goes at once (but
    // never ahead of rows still waiting, so the stream keeps its order).
    const dueAt = now - this.lastNetworkAt <= this.activeWindowMs ? now + this.holdMs : now;
    for (const message of messages) {
      const positional = isPositional(message.id, idPrefix);
      const key = contentKey(message.author.name, message.text);
      const twin = positional ? this.fromNetwork.take(key, now) : this.takeById(message.id);
      if (twin) {
        if (twin.id !== message.id) this.aliases.set(message.id, twin.id);
        this.stats.domDropped++;
        continue;
      }
      this.held.push({ message, key, positional, dueAt, deliver, dropped: false });
    }
    this.release();
  }

  private takeById(id: string): Entry | undefined {
    const entry = this.networkIds.get(id);
    if (entry) entry.consumed = true;
    return entry;
  }

  /** Lets through, in order, the rows whose wait is over and whose twin never came; schedules the rest. */
  private release(): void {
    if (this.closed) return;
    const now = this.scheduler.now();
    let batch: ChatMessage[] = [];
    let target: Held['deliver'] | null = null;
    while (this.held.length > 0 && (this.held[0]!.dropped || this.held[0]!.dueAt <= now)) {
      const h = this.held.shift()!;
      if (h.dropped) continue;
      // Consecutive rows for the same receiver go out as one batch.
      if (target && target !== h.deliver && batch.length > 0) {
        target(batch);
        batch = [];
      }
      target = h.deliver;
      this.stats.domDelivered++;
      if (h.positional) this.fromDom.add({ id: h.message.id, key: h.key, expiresAt: now + this.matchTtlMs, consumed: false });
      batch.push(h.message);
    }
    if (target && batch.length > 0) target(batch);
    this.schedule();
  }

  private schedule(): void {
    const next = this.held[0];
    if (!next || this.closed) return;
    if (this.timer !== null && this.timerDueAt <= next.dueAt) return;
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timerDueAt = next.dueAt;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null;
      this.release();
    }, Math.max(0, next.dueAt - this.scheduler.now()));
  }

  /** Deletions from either path: each reported once, under the id the message was emitted with. */
  deleted(ids: string[], deliver: (ids: string[]) => void): void {
    if (this.closed) return;
    const out: string[] = [];
    for (const raw of ids) {
      const id = this.aliases.get(raw) ?? raw;
      if (this.deletedIds.has(id)) continue;
      this.deletedIds.set(id, true);
      out.push(id);
    }
    if (out.length > 0) deliver(out);
  }

  describe(): Record<string, unknown> {
    return { ...this.stats, heldDomRows: this.held.filter((h) => !h.dropped).length };
  }

  /** Cancels the pending timer and forgets waiting rows (the session stopped). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
    this.held = [];
  }
}
