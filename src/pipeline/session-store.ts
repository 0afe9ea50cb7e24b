/**
 * Sessions survive a restart: the list of sessions, their counters and each source's resumable state
 * (stream tail, id prefix) are kept in DATA_DIR/sessions.json, written atomically. On start the service
 * resumes the sessions that were running, and their sources realign with the page instead of repeating it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import writeFileAtomic from 'write-file-atomic';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import type { ShowSummary } from '../domain/events.ts';
import type { StartRequest } from '../domain/session.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ChatSource } from '../capture/source.ts';
import type { Deduplicator } from './dedup.ts';
import type { HealthTracker } from './source-health.ts';

export interface SessionRecord {
  request: StartRequest;
  info: SessionInfo;
  /** Resume this session at the next start (it was running when the service stopped). */
  resume: boolean;
  /** Opaque, source-specific state (e.g. the browser source's stream tail). */
  state?: unknown;
  /** The last WebSocket seq issued for the session, so numbering continues after a restart. */
  seq?: number;
}

export interface SessionStore {
  load(): SessionRecord[];
  save(records: SessionRecord[]): void;
}

/** A JSON file, replaced atomically (write to a temp file, fsync, rename). */
export class FileSessionStore implements SessionStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'sessions.json');
  }

  load(): SessionRecord[] {
    let raw: string;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(raw) as { sessions?: SessionRecord[] };
      return Array.isArray(parsed.sessions) ? parsed.sessions.filter((r) => r && r.request && r.info) : [];
    } catch {
      // A corrupt file must not stop the service; keep it aside for inspection.
      fs.renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
      return [];
    }
  }

  save(records: SessionRecord[]): void {
    // fsync'd before the rename: after a power cut the file is the old one or the new one, never empty.
    writeFileAtomic.sync(this.file, JSON.stringify({ version: 1, sessions: records }), { fsync: true });
  }
}

/** One show as the manager keeps it. */
export interface Show {
  info: SessionInfo;
  request: StartRequest;
  source: ChatSource | null;
  dedup: Deduplicator;
  run: number;
  /** Source state saved by a previous run of the service, consumed by the next source. */
  resumeState?: unknown;
  /** Stopped through the API (not by a shutdown): not resumed at the next start. */
  stoppedByUser: boolean;
  /** Messages already counted as buyers (a retried batch repeats its verdicts); bounded like the dedup memory. */
  buyerMessageIds: LRUCache<string, true>;
  /** The running source's health (a new one per run; not saved). */
  health?: HealthTracker;
}

export interface SessionBookOptions {
  store?: SessionStore;
  /** The records a save writes, built from the shows at the moment of saving. */
  records: (shows: Show[]) => SessionRecord[];
  logger: Logger;
  /** A save waits for this much quiet after the last change... */
  debounceMs?: number;
  /** ...but never longer than this after the first unsaved change (a busy show changes every millisecond). */
  maxWaitMs?: number;
  /** How many buyer message ids each show remembers (the dedup memory's size). */
  buyerMemory: number;
}

/**
 * The shows of one instance and their counters, saved to a SessionStore shortly after they change. Every
 * counter a show reports (messages, buyers, last message) is kept here and nowhere else: /api/sessions,
 * /metrics' buyer gauge and the saved record read these. The save is debounced (250 ms of quiet, at most
 * 2 s after the first change), so a stop or a status change is on disk within a quarter second while a
 * show at 1,000 msg/s is written every 2 s rather than on every message. Stream positions handed out in
 * between are journaled per batch by the source (capture/browser/stream-journal.ts).
 *
 * Why not a debounce package: lodash.debounce (maxWait) is unmaintained CommonJS, p-debounce has no
 * maximum wait; the two timers below are the whole of it.
 */
export class SessionBook {
  private readonly shows = new Map<string, Show>();
  private readonly options: SessionBookOptions;
  private quietTimer: NodeJS.Timeout | null = null;
  private maxTimer: NodeJS.Timeout | null = null;
  private lastChangeAt = 0;
  private closed = false;

  constructor(options: SessionBookOptions) {
    this.options = options;
  }

  get(sessionId: string): Show | undefined {
    return this.shows.get(sessionId);
  }

  set(show: Show): void {
    this.shows.set(show.info.sessionId, show);
    this.changed();
  }

  delete(sessionId: string): void {
    this.shows.delete(sessionId);
  }

  values(): IterableIterator<Show> {
    return this.shows.values();
  }

  newBuyerMemory(): LRUCache<string, true> {
    return new LRUCache<string, true>({ max: this.options.buyerMemory });
  }

  /** Messages admitted for a show: its message count and last message time. */
  countMessages(show: Show, admitted: readonly ChatMessage[]): void {
    if (admitted.length === 0) return;
    show.info.messageCount += admitted.length;
    show.info.lastMessageAt = admitted[admitted.length - 1]!.capturedAt;
    this.changed();
  }

  /**
   * A buyer verdict for a message: counted the first time only. Returns whether it was new. A verdict
   * the ledger placed (it has a `status`) is not counted here: the ledger's summary counts buyers
   * ({@link noteSales}); only a backend without a ledger counts verdicts.
   */
  countBuyer(show: Show, messageId: string, ledger = false): boolean {
    if (show.buyerMessageIds.has(messageId)) return false;
    show.buyerMessageIds.set(messageId, true);
    if (!ledger) show.info.buyerCount += 1;
    this.changed();
    return true;
  }

  /** The show's counts after a lot changed (lot_update's summary): the session object's sales and buyers. */
  noteSales(show: Show, summary: ShowSummary): void {
    show.info.sales = {
      sold: summary.sold,
      pending: summary.pending,
      buyers: summary.buyers,
      interested: summary.interested,
      revenueCents: summary.revenueCents,
      pendingCents: summary.pendingCents,
    };
    show.info.buyerCount = summary.buyers + summary.pendingBuyers;
    this.changed();
  }

  /**
   * Something a save would write changed: a save follows shortly. Called for every batch a show admits,
   * so it only notes the time; the quiet timer, armed once, looks at that time when it fires.
   */
  changed(): void {
    if (!this.options.store || this.closed) return;
    this.lastChangeAt = Date.now();
    if (!this.quietTimer) this.armQuiet(this.options.debounceMs ?? 250);
    if (!this.maxTimer) {
      this.maxTimer = setTimeout(() => this.saveNow(), this.options.maxWaitMs ?? 2_000);
      this.maxTimer.unref();
    }
  }

  /** Saves once the book has been quiet for the debounce period, or waits out the rest of it. */
  private armQuiet(delayMs: number): void {
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      const debounceMs = this.options.debounceMs ?? 250;
      const quietFor = Date.now() - this.lastChangeAt;
      if (quietFor >= debounceMs) this.saveNow();
      else this.armQuiet(debounceMs - quietFor);
    }, delayMs);
    this.quietTimer.unref();
  }

  /** Writes every show (with its source's resumable state) to the store now. */
  saveNow(): void {
    this.cancelTimers();
    const store = this.options.store;
    if (!store) return;
    const shows = [...this.shows.values()];
    const records = this.options.records(shows);
    try {
      store.save(records);
      // Written (synchronously, fsync'd): each source may now forget what this save holds.
      shows.forEach((show, i) => show.source?.stateSaved?.(records[i]!.state));
    } catch (error) {
      this.options.logger.warn({ err: describeError(error) }, 'could not save sessions');
      // Tried again after the longest wait (a full disk is not retried every quarter second).
      if (!this.closed && !this.maxTimer) {
        this.maxTimer = setTimeout(() => this.saveNow(), this.options.maxWaitMs ?? 2_000);
        this.maxTimer.unref();
      }
    }
  }

  /** No more scheduled saves (shutdown writes its own last one). */
  close(): void {
    this.closed = true;
    this.cancelTimers();
  }

  private cancelTimers(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = null;
  }
}
