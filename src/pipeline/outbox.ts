/**
 * The durable outbox between capture and the backend: an append-only journal file
 * (DATA_DIR/outbox/journal.jsonl). Every entry is appended and fsync'd (appends made in the same tick
 * share one write and one fsync); a delivered entry gets an `ack` line. On open the journal is replayed
 * (adds minus acks; a line torn by a crash is skipped) and compacted: rewritten with only what is still
 * pending, to a temporary file that is fsync'd and renamed over the journal. The journal is compacted
 * again whenever it has grown past a size bound, so disk use follows the backlog, not the history.
 *
 * Nothing here talks to the backend: the forwarder reads `pending()`, delivers and calls `ack()`.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** What the outbox holds: one unit of work for the backend. */
export type OutboxItem =
  | { kind: 'messages'; sessionId: string; messages: ChatMessage[] }
  | { kind: 'deleted'; sessionId: string; messageIds: string[] }
  | { kind: 'session'; sessionId: string; session: SessionInfo };

/** An item with its journal sequence number and the time it was appended (ms since epoch). */
export type OutboxEntry = OutboxItem & { seq: number; at: number };

type JournalLine = { op: 'add'; entry: OutboxEntry } | { op: 'ack'; seqs: number[] };

export interface OutboxOptions {
  logger: Logger;
  /** Compact once the journal has grown by this many bytes since the last compaction (default 4 MiB). */
  compactAfterBytes?: number;
  /** Clock for entry times. */
  now?: () => number;
}

const JOURNAL = 'journal.jsonl';

export class Outbox {
  private readonly dir: string;
  private readonly file: string;
  private readonly options: OutboxOptions;
  private readonly entries = new Map<number, OutboxEntry>();
  private handle: fsp.FileHandle | null = null;
  private nextSeq = 1;
  private pendingMessages = 0;
  private buffer: string[] = [];
  private waiters: Array<{ resolve: () => void }> = [];
  private flushing: Promise<void> | null = null;
  private grownBytes = 0;
  private lastWriteFailed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(dir: string, options: OutboxOptions) {
    this.dir = dir;
    this.file = path.join(dir, JOURNAL);
    this.options = options;
  }

  /** Opens the outbox under `dir`, recovering what a previous run left pending. */
  static async open(dir: string, options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(dir, options);
    await fsp.mkdir(dir, { recursive: true });
    await outbox.recover();
    return outbox;
  }

  private async recover(): Promise<void> {
    let text = '';
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let parsed: JournalLine;
      try {
        parsed = JSON.parse(line) as JournalLine;
      } catch {
        skipped++; // torn by a crash mid-write
        continue;
      }
      if (parsed.op === 'add' && parsed.entry && typeof parsed.entry.seq === 'number') {
        this.entries.set(parsed.entry.seq, parsed.entry);
        this.nextSeq = Math.max(this.nextSeq, parsed.entry.seq + 1);
      } else if (parsed.op === 'ack' && Array.isArray(parsed.seqs)) {
        for (const seq of parsed.seqs) this.entries.delete(seq);
      }
    }
    for (const entry of this.entries.values()) this.pendingMessages += countOf(entry);
    if (skipped > 0) this.options.logger.warn({ skipped, file: this.file }, 'outbox: skipped unreadable journal lines');
    if (this.entries.size > 0) {
      this.options.logger.info({ entries: this.entries.size, messages: this.pendingMessages }, 'outbox: recovered pending entries');
    }
    await this.compact();
  }

  /** Queues an item; it is in `pending()` at once and durable once `flushed()` resolves. */
  append(item: OutboxItem): OutboxEntry {
    if (this.closed) throw new Error('outbox is closed');
    const entry = { ...item, seq: this.nextSeq++, at: (this.options.now ?? Date.now)() } as OutboxEntry;
    this.entries.set(entry.seq, entry);
    this.pendingMessages += countOf(entry);
    this.write({ op: 'add', entry });
    return entry;
  }

  /** Marks entries delivered (or dead-lettered); they leave `pending()` now and the journal at compaction. */
  ack(seqs: number[]): void {
    const known = seqs.filter((seq) => {
      const entry = this.entries.get(seq);
      if (!entry) return false;
      this.pendingMessages -= countOf(entry);
      this.entries.delete(seq);
      return true;
    });
    if (known.length > 0 && !this.closed) this.write({ op: 'ack', seqs: known });
  }

  /** Pending entries, oldest first (a live view: do not append or ack while iterating). */
  pending(): IterableIterator<OutboxEntry> {
    return this.entries.values();
  }

  /** Pending entries and the chat messages they carry. */
  get size(): { entries: number; messages: number } {
    return { entries: this.entries.size, messages: this.pendingMessages };
  }

  /** Resolves when everything appended or acked so far is on disk. */
  flushed(): Promise<void> {
    if (this.buffer.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ resolve });
      this.scheduleFlush();
    });
  }

  /** Flushes and closes the journal. Pending entries stay in it for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    // A disk that keeps failing must not hang shutdown: what is not written is lost only then.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.options.logger.error({ unwritten: this.buffer.length }, 'outbox: journal not writable at close');
        resolve();
      }, 5_000);
    });
    await Promise.race([this.flushed(), gaveUp]);
    clearTimeout(timer);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.flushing?.catch(() => undefined);
    // Leave a short journal behind: the next start reads only what is still pending.
    if (this.buffer.length === 0 && this.grownBytes > 0 && !this.lastWriteFailed) {
      await this.compact().catch((error) => this.options.logger.warn({ err: describeError(error) }, 'outbox: compaction at close failed'));
    }
    await this.handle?.close();
    this.handle = null;
  }

  private write(line: JournalLine): void {
    this.buffer.push(`${JSON.stringify(line)}\n`);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushing || this.retryTimer || this.closed) return;
    // Appends made in the same tick share one write and one fsync.
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.buffer.length > 0) {
        const waiters = this.waiters.splice(0);
        const chunk = this.buffer.splice(0);
        try {
          if (this.grownBytes > (this.options.compactAfterBytes ?? 4 * 1024 * 1024)) {
            // The snapshot includes what `chunk` adds and makes its acks moot.
            await this.compact();
          } else {
            const handle = await this.openHandle();
            // After a failed write the file may end in half a line: end it so the next line parses.
            const data = (this.lastWriteFailed ? '\n' : '') + chunk.join('');
            await handle.write(data);
            await handle.datasync();
            this.grownBytes += Buffer.byteLength(data);
          }
          this.lastWriteFailed = false;
          for (const w of waiters) w.resolve();
        } catch (error) {
          this.lastWriteFailed = true;
          this.buffer.unshift(...chunk);
          this.waiters.unshift(...waiters);
          this.options.logger.error({ err: describeError(error), file: this.file }, 'outbox: journal write failed; retrying');
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.scheduleFlush();
          }, 1_000);
          return;
        }
      }
      for (const w of this.waiters.splice(0)) w.resolve();
    } finally {
      this.flushing = null;
    }
  }

  private async openHandle(): Promise<fsp.FileHandle> {
    this.handle ??= await fsp.open(this.file, 'a');
    return this.handle;
  }

  /** Rewrites the journal with only the pending entries (temp file, fsync, rename, fsync the folder). */
  private async compact(): Promise<void> {
    const data = [...this.pending()]
      .map((entry) => `${JSON.stringify({ op: 'add', entry } satisfies JournalLine)}\n`)
      .join('');
    // The append handle points at the file being replaced: the next append opens the new one.
    await this.handle?.close();
    this.handle = null;
    await writeFileAtomic(this.file, data, { fsync: true });
    // write-file-atomic syncs the file, not the directory that names it.
    await syncDir(this.dir);
    this.grownBytes = 0;
  }
}

function countOf(entry: OutboxItem): number {
  return entry.kind === 'messages' ? entry.messages.length : 0;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; not supported everywhere (Windows), where it is skipped.
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

/** One line of the dead-letter file: what could not be delivered, and why. */
export interface DeadLetter {
  at: string;
  reason: string;
  code?: string;
  item: OutboxItem;
}

/** Appends records to DATA_DIR/dead-letter.jsonl (fsync'd): permanent failures are kept, never dropped. */
export function appendDeadLetters(file: string, letters: DeadLetter[]): void {
  if (letters.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, letters.map((l) => `${JSON.stringify(l)}\n`).join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
