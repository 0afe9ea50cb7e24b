/**
 * The forwarder: the session manager's sink towards the backend. Everything captured goes into the
 * durable outbox first (so a slow, failing or restarting backend loses nothing), then to the backend
 * in batches (FORWARD_BATCH_SIZE messages, or whatever waited FORWARD_BATCH_DELAY_MS). Transient
 * failures are retried with exponential backoff and jitter; batches the backend rejects for good go to
 * DATA_DIR/dead-letter.jsonl with the reason. Results come back as `buyer_detected` and `answer` events.
 *
 * Delivery is in journal order per session (a deletion never overtakes the message it deletes); one
 * request is in flight at a time. Writes are idempotent on the backend, so redelivery after a crash
 * stores nothing twice.
 */
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { describeError, isEarshotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Backend, IngestResult } from '../backend/types.ts';
import { appendDeadLetters, type DeadLetter, type Outbox, type OutboxEntry } from './outbox.ts';
import type { CaptureSink, EventPublisher } from './bus.ts';
import type { ShowSummary } from '../domain/events.ts';
import { isLiveStatus, summarizeLots } from '../../supabase/functions/_shared/ledger/sale.ts';

export interface RetryPolicy {
  /** First retry delay (ms); doubles per consecutive failure. */
  initialDelayMs: number;
  /** Upper bound of the delay (ms). */
  maxDelayMs: number;
}

export interface ForwarderOptions {
  backend: Pick<Backend, 'ingest' | 'markDeleted' | 'upsertSession' | 'settleLots' | 'listLots' | 'listInterested'>;
  outbox: Outbox;
  /** Where results are announced (the session manager, which keeps buyer counts). */
  publisher: EventPublisher;
  logger: Logger;
  batchSize: number;
  batchDelayMs: number;
  /** DATA_DIR/dead-letter.jsonl */
  deadLetterFile: string;
  retry?: RetryPolicy;
  /** Jitter source (tests pass a fixed one). */
  random?: () => number;
  now?: () => number;
}

/** What /health shows about the way to the backend. */
export interface BacklogReport {
  /** Chat messages waiting in the outbox. */
  messages: number;
  /** Outbox entries waiting (message batches, deletions, session updates). */
  entries: number;
  oldestAgeMs: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  delivered: number;
  deadLettered: number;
}

/** Statuses after which a show is over: its lots settle. */
function isShowOver(status: string): boolean {
  return !isLiveStatus(status);
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so that many services coming back together do not retry in lockstep.
 *
 * Not a cockatiel retry policy: a policy re-runs one call in place, while the forwarder is a scheduler
 * over the durable outbox. Between two attempts new messages arrive, batches regroup, shutdown drains,
 * and a batch the backend rejects leaves for the dead-letter file; what is retried is "the outbox's
 * head", not a call. (cockatiel's jitter generators also read Math.random, which tests cannot fix.)
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

type Group =
  | { kind: 'messages'; sessionId: string; entries: OutboxEntry[]; messages: ChatMessage[] }
  | { kind: 'single'; entry: Exclude<OutboxEntry, { kind: 'messages' }> };

export class Forwarder implements CaptureSink {
  private readonly options: ForwarderOptions;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private timerIsBackoff = false;
  private pumping: Promise<void> | null = null;
  private rekick = false;
  private failures = 0;
  private lastError: string | null = null;
  private delivered = 0;
  private deadLettered = 0;
  private draining = false;
  private stopped = false;

  constructor(options: ForwarderOptions) {
    this.options = options;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.now = options.now ?? Date.now;
  }

  /** Starts delivering what the outbox holds (a previous run's backlog included). */
  start(): void {
    this.kick();
  }

  accept(sessionId: string, messages: ChatMessage[]): void {
    // Capture must never fail because of the backend path: append to the outbox and return.
    for (let i = 0; i < messages.length; i += this.options.batchSize) {
      this.append({ kind: 'messages', sessionId, messages: messages.slice(i, i + this.options.batchSize) });
    }
  }

  deleted(sessionId: string, messageIds: string[]): void {
    if (messageIds.length > 0) this.append({ kind: 'deleted', sessionId, messageIds });
  }

  sessionChanged(info: SessionInfo): void {
    this.append({ kind: 'session', sessionId: info.sessionId, session: info });
  }

  /** Resolves when everything accepted so far is durable in the outbox. */
  durable(): Promise<void> {
    return this.options.outbox.flushed();
  }

  backlog(): BacklogReport {
    const first = this.options.outbox.pending().next();
    return {
      ...this.options.outbox.size,
      oldestAgeMs: first.done ? null : Math.max(0, this.now() - first.value.at),
      consecutiveFailures: this.failures,
      lastError: this.lastError,
      delivered: this.delivered,
      deadLettered: this.deadLettered,
    };
  }

  /**
   * Sends everything pending without waiting for batches to fill; resolves when the outbox is empty, a
   * delivery fails, or `timeoutMs` passes. Returns whether the outbox is empty.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const deadline = this.now() + timeoutMs;
    try {
      while (this.options.outbox.size.entries > 0 && this.now() < deadline && !this.stopped) {
        if (this.timerIsBackoff) return false;
        this.kick(true);
        const pump = this.pumping;
        if (!pump) break;
        await Promise.race([pump, sleep(Math.max(0, deadline - this.now()))]);
        if (this.failures > 0) return false;
      }
      return this.options.outbox.size.entries === 0;
    } finally {
      this.draining = false;
    }
  }

  /** Stops delivering (after an optional flush) and closes the outbox; what is left stays for the next start. */
  async close(options: { flushTimeoutMs?: number } = {}): Promise<void> {
    if (options.flushTimeoutMs) await this.flush(options.flushTimeoutMs);
    this.stopped = true;
    this.clearTimer();
    await this.pumping?.catch(() => undefined);
    await this.options.outbox.close();
  }

  private append(item: Parameters<Outbox['append']>[0]): void {
    if (this.stopped) {
      this.options.logger.warn({ kind: item.kind, sessionId: item.sessionId }, 'forwarder closed: item not queued');
      return;
    }
    try {
      this.options.outbox.append(item);
    } catch (error) {
      this.options.logger.error({ err: describeError(error), sessionId: item.sessionId }, 'outbox append failed');
      return;
    }
    if (!this.timerIsBackoff) this.kick();
  }

  /** Runs the delivery loop unless it runs already (or waits for a backoff to end, unless forced). */
  private kick(force = false): void {
    if (this.stopped) return;
    if (this.pumping) {
      // The loop may be past its last look at the outbox: have it look again when it ends.
      this.rekick = true;
      return;
    }
    if (this.timer) {
      if (this.timerIsBackoff && !force) return;
      this.clearTimer();
    }
    this.rekick = false;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.rekick) {
        this.rekick = false;
        this.kick();
      }
    });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerIsBackoff = false;
  }

  private schedule(delayMs: number, backoff: boolean): void {
    this.clearTimer();
    this.timerIsBackoff = backoff;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerIsBackoff = false;
      this.kick();
    }, delayMs);
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const next = this.nextGroup();
      if (next === null) return;
      if (typeof next === 'number') {
        this.schedule(next, false);
        return;
      }
      try {
        await this.deliver(next);
        if (this.failures > 0) this.options.logger.info({ after: this.failures }, 'backend reachable again');
        this.failures = 0;
      } catch (error) {
        // A batch rejected for good leaves the outbox only once the dead-letter file holds it.
        if (isEarshotError(error) && error.code === 'backend_rejected' && this.deadLetter(next, describeError(error), error.code)) {
          continue;
        }
        this.failures++;
        this.lastError = describeError(error);
        const delay = backoffDelay(this.failures, this.retry, this.options.random);
        this.options.logger.warn(
          { err: this.lastError, attempt: this.failures, retryInMs: delay, backlog: this.options.outbox.size.messages },
          'backend delivery failed; will retry',
        );
        this.schedule(delay, true);
        return;
      }
    }
  }

  /** The next group to deliver, the ms to wait for a batch to fill, or null when nothing is pending. */
  private nextGroup(): Group | number | null {
    const iterator = this.options.outbox.pending();
    const first = iterator.next();
    if (first.done) return null;
    const head = first.value;
    if (head.kind !== 'messages') return { kind: 'single', entry: head };
    const entries: OutboxEntry[] = [head];
    const messages = [...head.messages];
    let blocked = false;
    for (const entry of iterator) {
      if (entry.sessionId !== head.sessionId) continue;
      if (entry.kind !== 'messages') {
        blocked = true; // a deletion or session update of this session waits behind this batch
        break;
      }
      if (messages.length + entry.messages.length > this.options.batchSize) {
        blocked = true;
        break;
      }
      entries.push(entry);
      messages.push(...entry.messages);
    }
    const wait = head.at + this.options.batchDelayMs - this.now();
    if (!blocked && !this.draining && messages.length < this.options.batchSize && wait > 0) return wait;
    return { kind: 'messages', sessionId: head.sessionId, entries, messages };
  }

  private async deliver(group: Group): Promise<void> {
    if (group.kind === 'single') {
      const entry = group.entry;
      if (entry.kind === 'deleted') await this.options.backend.markDeleted(entry.sessionId, entry.messageIds);
      else {
        await this.options.backend.upsertSession(entry.session);
        if (isShowOver(entry.session.status)) await this.settle(entry.sessionId);
      }
      this.options.outbox.ack([entry.seq]);
      return;
    }
    const results = await this.options.backend.ingest(group.sessionId, group.messages);
    this.announce(group.sessionId, group.messages, results);
    this.options.outbox.ack(group.entries.map((e) => e.seq));
    this.delivered += group.messages.length;
  }

  /**
   * The end of a show: its open lots close (sold to their winner, else unsold), after every batch the
   * show captured before it ended (the outbox keeps a session's entries in order), and each closed lot
   * is announced with the show's counts. Idempotent: a retried or repeated end closes nothing more.
   */
  private async settle(sessionId: string): Promise<void> {
    const { settleLots, listLots, listInterested } = this.options.backend;
    if (!settleLots) return;
    const closed = await settleLots.call(this.options.backend, sessionId);
    if (closed.length === 0) return;
    let summary: ShowSummary | undefined;
    if (listLots) {
      const lots = await listLots.call(this.options.backend, sessionId);
      const interested = listInterested ? (await listInterested.call(this.options.backend, sessionId)).length : 0;
      summary = { ...summarizeLots(lots, { live: false }), interested };
    }
    for (const lot of closed) this.options.publisher.publish(sessionId, { type: 'lot_update', lot, ...(summary ? { summary } : {}) });
  }

  /** Publishes buyers and answers; rejected single messages go to the dead-letter file. */
  private announce(sessionId: string, messages: ChatMessage[], results: IngestResult[]): void {
    const rejected: DeadLetter[] = [];
    const byId = new Map(messages.map((m) => [m.id, m]));
    for (const result of results) {
      if (result.error) {
        const message = byId.get(result.messageId);
        rejected.push({
          at: new Date(this.now()).toISOString(),
          reason: result.error.message,
          code: result.error.code,
          item: { kind: 'messages', sessionId, messages: message ? [message] : [] },
        });
        continue;
      }
      if (result.buyer) {
        this.options.publisher.publish(sessionId, { type: 'buyer_detected', messageId: result.messageId, buyer: result.buyer });
      }
      if (result.answer) {
        this.options.publisher.publish(sessionId, { type: 'answer', messageId: result.messageId, ...result.answer });
      }
      for (const lot of result.lots ?? []) this.options.publisher.publish(sessionId, { type: 'lot_update', lot, ...(result.summary ? { summary: result.summary } : {}) });
    }
    this.writeDeadLetters(rejected);
  }

  /** Moves a rejected group to the dead-letter file; false when that file cannot be written. */
  private deadLetter(group: Group, reason: string, code: string): boolean {
    const entries = group.kind === 'single' ? [group.entry] : group.entries;
    this.options.logger.error({ reason, entries: entries.length }, 'backend rejected a batch for good: dead-lettered');
    const written = this.writeDeadLetters(
      entries.map((entry) => {
        const { seq: _seq, at: _at, ...item } = entry;
        return { at: new Date(this.now()).toISOString(), reason, code, item };
      }),
    );
    if (written) this.options.outbox.ack(entries.map((e) => e.seq));
    return written;
  }

  private writeDeadLetters(letters: DeadLetter[]): boolean {
    if (letters.length === 0) return true;
    try {
      appendDeadLetters(this.options.deadLetterFile, letters);
      this.deadLettered += letters.reduce((n, l) => n + (l.item.kind === 'messages' ? l.item.messages.length : 1), 0);
      return true;
    } catch (error) {
      this.options.logger.error({ err: describeError(error), letters }, 'dead-letter write failed');
      return false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
