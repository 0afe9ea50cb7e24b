/**
 * The forwarder: the session manager's sink towards the backend. Everything captured goes into the
 * durable outbox first (so a slow, failing or restarting backend loses nothing), then to the backend
 * in batches (FORWARD_BATCH_SIZE messages, or whatever waited FORWARD_BATCH_DELAY_MS). Results come
 * back as `buyer_detected`, `answer` and `lot_update` events.
 *
 * Failures are of two kinds ({@link classifyFailure}). Transient ones (backend down, timeouts, 5xx, a
 * dead worker) are retried with exponential backoff and jitter. Invalid data (the backend refuses it
 * for good) is isolated: a refused batch is split in halves until the refused message(s) stand alone,
 * the rest is stored, and only what was refused goes to DATA_DIR/dead-letter.jsonl with its reason. A
 * refused session update is retried scrubbed, then reduced to its identity, so that the show's row (and
 * its owner) exists whatever free text came with it.
 *
 * Delivery is in journal order per session (a deletion never overtakes the message it deletes); one
 * request is in flight at a time. Shows are independent: a show whose delivery keeps failing is parked
 * with its own backoff while the other shows' entries go on; only when two shows fail in a row (the
 * backend, not a show) does everything back off. Writes are idempotent on the backend, so redelivery
 * after a crash stores nothing twice.
 */
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { describeError, isEarshotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Backend, IngestResult } from '../backend/types.ts';
import { isDataError } from '../../supabase/functions/_shared/errors.ts';
import { appendDeadLetters, type DeadLetter, type Outbox, type OutboxEntry, type OutboxItem } from './outbox.ts';
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

/** The last thing that could not be stored, and why (for /health and a session's diagnostics). */
export interface DeadLetterNote {
  sessionId: string;
  /** `backend_rejected` for a refused batch or update, `invalid_message` for one message ingest refused. */
  code: string;
  /** The backend's reason without the values it quotes (chat text), clipped to {@link REASON_MAX} characters. */
  reason: string;
  /** ISO time it was dead-lettered. */
  at: string;
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
  /** Messages (and deletions, session updates: one each) dead-lettered since the service started. */
  deadLettered: number;
  lastDeadLetter: DeadLetterNote | null;
  /** Shows whose delivery failed and that wait for their own retry while the others go on. */
  parkedShows: number;
}

/** What one session's diagnostics show about its way to storage (only once something was dead-lettered). */
export interface SessionDeliveryReport {
  deadLettered: number;
  lastDeadLetter: DeadLetterNote;
}

/** Statuses after which a show is over: its lots settle. */
function isShowOver(status: string): boolean {
  return !isLiveStatus(status);
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

/** Longest reason kept in /health and diagnostics (the dead-letter file keeps the whole one). */
export const REASON_MAX = 300;

/**
 * A reason fit for /health (open to anyone) and diagnostics: PostgreSQL quotes the value it refused
 * (`date/time field value out of range: "<chat text>"`), which is data, not a reason. The dead-letter
 * file keeps the whole reason. Pure.
 */
export function publicReason(reason: string): string {
  return reason.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').slice(0, REASON_MAX);
}

/** Sessions whose dead-letter counts are remembered (oldest forgotten first). */
const DEAD_LETTER_SESSIONS_MAX = 1_000;

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

/** Error codes that say "this input can never be accepted" whoever raised them. */
const INVALID_CODES: ReadonlySet<string> = new Set(['backend_rejected', 'invalid_body', 'invalid_json', 'body_too_large']);

/**
 * Whether a delivery failure is about the data (`invalid`: retrying the same input can never succeed;
 * it is split and dead-lettered) or about the way there (`transient`: retried with backoff).
 * Invalid: `backend_rejected` (every backend maps its refusals to it), the core's refusal codes, and a
 * raw PostgreSQL data exception or integrity violation (SQLSTATE class 22 or 23) that reached us
 * unmapped. Everything else is transient: connection errors, timeouts, 5xx, a dead worker, bugs.
 */
export function classifyFailure(error: unknown): 'invalid' | 'transient' {
  if (isEarshotError(error)) return INVALID_CODES.has(error.code) ? 'invalid' : 'transient';
  return isDataError(error) ? 'invalid' : 'transient';
}

/** What {@link bisect} found: the accepted items with their parts' results (in order), and each refused item. */
export interface Bisection<T, R> {
  accepted: T[];
  results: R[];
  refused: Array<{ item: T; error: unknown }>;
}

/**
 * Sends `items`; when the backend refuses them as invalid, sends each half again, down to single
 * items, so that one bad item costs only itself. Halves go in order (the left one first), so journal
 * order holds. A transient failure at any depth is thrown: the caller retries the whole list later,
 * which is safe because the backend's writes are idempotent.
 */
export async function bisect<T, R>(items: readonly T[], send: (part: T[]) => Promise<R[]>): Promise<Bisection<T, R>> {
  try {
    return { accepted: [...items], results: await send([...items]), refused: [] };
  } catch (error) {
    if (classifyFailure(error) !== 'invalid') throw error;
    if (items.length <= 1) return { accepted: [], results: [], refused: items.map((item) => ({ item, error })) };
    const middle = Math.ceil(items.length / 2);
    const left = await bisect(items.slice(0, middle), send);
    const right = await bisect(items.slice(middle), send);
    return {
      accepted: [...left.accepted, ...right.accepted],
      results: [...left.results, ...right.results],
      refused: [...left.refused, ...right.refused],
    };
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes what no PostgreSQL text or jsonb value can hold: NUL, and lone surrogates (made U+FFFD). */
function scrubText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

/** One way to store a refused session update: the update to send, and the fields it leaves out. */
export interface SessionFallback {
  session: SessionInfo;
  dropped: string[];
}

/** Fields of a session update that are free text from outside (the start request, the page). */
const FREE_TEXT_FIELDS = ['detail', 'sellers', 'platformShowId'] as const;

/**
 * The session update's fallbacks, tried in order after the backend refused it as invalid: its text
 * scrubbed of NUL and lone surrogates, then only the row's identity (no detail, sellers or platform show
 * id). Ingest only needs the row to exist (it creates a bare one itself) and the owner to be right so
 * the seller sees the show: both survive. The session id is never changed (another show may own the
 * cleaned id). Pure; a candidate equal to an earlier one is left out.
 */
export function sessionFallbacks(info: SessionInfo): SessionFallback[] {
  const scrubbed: SessionInfo = {
    ...info,
    url: scrubText(info.url),
    ...(info.detail !== undefined ? { detail: scrubText(info.detail) } : {}),
    ...(info.platformShowId !== undefined ? { platformShowId: scrubText(info.platformShowId) } : {}),
    ...(info.sellers ? { sellers: info.sellers.map(scrubText).filter((s) => s.length > 0) } : {}),
  };
  const identity: Partial<SessionInfo> = { ...scrubbed };
  for (const field of FREE_TEXT_FIELDS) delete identity[field];
  const candidates: SessionFallback[] = [
    { session: scrubbed, dropped: [] },
    { session: identity as SessionInfo, dropped: FREE_TEXT_FIELDS.filter((field) => info[field] !== undefined) },
  ];
  const seen = new Set([JSON.stringify(info)]);
  return candidates.filter((candidate) => {
    const key = JSON.stringify(candidate.session);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Group =
  | { kind: 'messages'; sessionId: string; entries: OutboxEntry[]; messages: ChatMessage[] }
  | { kind: 'single'; sessionId: string; entry: Exclude<OutboxEntry, { kind: 'messages' }> };

/** A group being collected by nextGroup(): complete once full, or once another kind of entry follows. */
type Building = Group & { complete: boolean };

/** A show whose last delivery failed transiently: it waits until `until` while the others go on. */
interface Parked {
  attempts: number;
  until: number;
}

/**
 * How the delivery loop last came to rest: `idle` (nothing pending, or a batch filling), `parked` (all
 * that is pending belongs to shows waiting for their retry), `backoff` (the backend failed for several
 * shows in a row: everything waits).
 */
type Rest = 'idle' | 'parked' | 'backoff';

export class Forwarder implements CaptureSink {
  private readonly options: ForwarderOptions;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private rekick = false;
  private rest: Rest = 'idle';
  private failures = 0;
  /** Shows that failed since the last success: two or more means the backend, not a show. */
  private readonly failedShows = new Set<string>();
  private globalRounds = 0;
  private readonly parked = new Map<string, Parked>();
  private lastError: string | null = null;
  private delivered = 0;
  private deadLettered = 0;
  private lastDeadLetter: DeadLetterNote | null = null;
  private readonly deadLettersBySession = new Map<string, SessionDeliveryReport>();
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
    const now = this.now();
    let parkedShows = 0;
    for (const parked of this.parked.values()) if (parked.until > now) parkedShows++;
    return {
      ...this.options.outbox.size,
      oldestAgeMs: first.done ? null : Math.max(0, now - first.value.at),
      consecutiveFailures: this.failures,
      lastError: this.lastError,
      delivered: this.delivered,
      deadLettered: this.deadLettered,
      lastDeadLetter: this.lastDeadLetter,
      parkedShows,
    };
  }

  /** What could not be stored for one session since the service started; undefined while nothing. */
  sessionReport(sessionId: string): SessionDeliveryReport | undefined {
    return this.deadLettersBySession.get(sessionId);
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
        if (this.rest === 'backoff' && this.timer) return false;
        this.kick(true);
        const pump = this.pumping;
        if (!pump) break;
        await Promise.race([pump, sleep(Math.max(0, deadline - this.now()))]);
        if (this.failures > 0 || this.rest !== 'idle') return false;
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

  private append(item: OutboxItem): void {
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
    // During a global backoff new entries wait with the rest; a parked show does not hold back others.
    if (this.rest !== 'backoff') this.kick();
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
      if (this.rest === 'backoff' && !force) return;
      this.clearTimer();
    }
    this.rekick = false;
    this.rest = 'idle';
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
  }

  private schedule(delayMs: number, rest: Rest): void {
    this.clearTimer();
    this.rest = rest;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.rest = 'idle';
      this.kick();
    }, Math.max(0, delayMs));
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const now = this.now();
      const next = this.nextGroup(now);
      if (next === null || typeof next === 'number') {
        // Nothing ready: wake for the batch that fills first or the parked show whose retry comes first.
        const parkedWake = this.earliestParked(now);
        if (next === null && parkedWake === null) return;
        const delay = Math.min(next ?? Infinity, parkedWake ?? Infinity);
        this.schedule(delay, next === null || (parkedWake !== null && parkedWake <= delay) ? 'parked' : 'idle');
        return;
      }
      try {
        await this.deliver(next);
        if (this.failures > 0) this.options.logger.info({ after: this.failures }, 'backend reachable again');
        this.failures = 0;
        this.globalRounds = 0;
        this.failedShows.clear();
        this.parked.delete(next.sessionId);
      } catch (error) {
        this.failures++;
        this.lastError = describeError(error);
        this.failedShows.add(next.sessionId);
        const parked = this.parked.get(next.sessionId) ?? { attempts: 0, until: 0 };
        parked.attempts++;
        parked.until = this.now() + backoffDelay(parked.attempts, this.retry, this.options.random);
        this.parked.set(next.sessionId, parked);
        const global = this.failedShows.size >= 2;
        const delay = global ? backoffDelay(++this.globalRounds, this.retry, this.options.random) : parked.until - this.now();
        this.options.logger.warn(
          { err: this.lastError, sessionId: next.sessionId, attempt: this.failures, retryInMs: delay, global, backlog: this.options.outbox.size.messages },
          global ? 'backend delivery failed for several shows; all wait' : 'backend delivery failed; this show retries later, the others go on',
        );
        if (global) {
          this.schedule(delay, 'backoff');
          return;
        }
      }
    }
  }

  private earliestParked(now: number): number | null {
    let earliest: number | null = null;
    for (const parked of this.parked.values()) {
      if (parked.until > now && (earliest === null || parked.until < earliest)) earliest = parked.until;
    }
    return earliest === null ? null : earliest - now;
  }

  /**
   * The next group to deliver, the ms to wait for a batch to fill, or null when nothing is deliverable.
   * Each show's head is looked at (parked shows skipped), oldest first; a show's group never reaches
   * past another kind of entry of the same show, so journal order holds within a show.
   */
  private nextGroup(now: number): Group | number | null {
    const groups = new Map<string, Building>();
    const done = new Set<string>();
    let oldest: Building | undefined;
    for (const entry of this.options.outbox.pending()) {
      const sessionId = entry.sessionId;
      if (done.has(sessionId)) continue;
      const parked = this.parked.get(sessionId);
      if (parked && parked.until > now) {
        done.add(sessionId);
        continue;
      }
      let group = groups.get(sessionId);
      if (!group) {
        group =
          entry.kind === 'messages'
            ? { kind: 'messages', sessionId, entries: [entry], messages: [...entry.messages], complete: entry.messages.length >= this.options.batchSize }
            : { kind: 'single', sessionId, entry, complete: true };
        groups.set(sessionId, group);
        oldest ??= group;
      } else if (group.kind === 'messages') {
        if (entry.kind !== 'messages' || group.messages.length + entry.messages.length > this.options.batchSize) {
          group.complete = true; // a deletion, a session update or the next batch of this show waits
        } else {
          group.entries.push(entry);
          group.messages.push(...entry.messages);
          group.complete = group.messages.length >= this.options.batchSize;
        }
      }
      if (group.complete) {
        done.add(sessionId);
        if (group === oldest) return group;
      }
    }
    let wait: number | null = null;
    for (const group of groups.values()) {
      if (group.kind !== 'messages' || group.complete || this.draining) return group;
      const due = group.entries[0]!.at + this.options.batchDelayMs - now;
      if (due <= 0) return group;
      wait = wait === null ? due : Math.min(wait, due);
    }
    return wait;
  }

  private async deliver(group: Group): Promise<void> {
    if (group.kind === 'single') {
      const entry = group.entry;
      if (entry.kind === 'deleted') await this.deliverDeletion(entry);
      else {
        await this.deliverSession(entry);
        if (isShowOver(entry.session.status)) await this.settle(entry.sessionId);
      }
      this.options.outbox.ack([entry.seq]);
      return;
    }
    const { sessionId } = group;
    const { accepted, results, refused } = await bisect(group.messages, (part) => this.options.backend.ingest(sessionId, part));
    if (refused.length > 0) {
      this.options.logger.error(
        { sessionId, refused: refused.length, of: group.messages.length, reason: describeError(refused[0]!.error) },
        'backend refused messages as invalid: stored the rest, dead-lettered these',
      );
    }
    // Single messages ingest refused inside an accepted batch (the contract's check) are letters too.
    const byId = new Map(accepted.map((m) => [m.id, m]));
    const invalid = results.flatMap((result, i): DeadLetter[] => {
      if (!result.error) return [];
      const message = byId.get(result.messageId) ?? accepted[i];
      const item: OutboxItem = { kind: 'messages', sessionId, messages: message ? [message] : [] };
      return [{ at: new Date(this.now()).toISOString(), reason: result.error.message, code: result.error.code, item }];
    });
    // Letters first: the group leaves the outbox only once what it could not store is kept elsewhere.
    this.mustDeadLetter([...refused.map(({ item, error }) => this.letter({ kind: 'messages', sessionId, messages: [item] }, error)), ...invalid]);
    this.announce(sessionId, results);
    this.options.outbox.ack(group.entries.map((e) => e.seq));
    this.delivered += results.length - invalid.length;
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

  private async deliverDeletion(entry: Extract<OutboxEntry, { kind: 'deleted' }>): Promise<void> {
    const { refused } = await bisect(entry.messageIds, async (ids) => {
      await this.options.backend.markDeleted(entry.sessionId, ids);
      return [];
    });
    if (refused.length === 0) return;
    // One letter for the deletion, with every id that was refused.
    this.mustDeadLetter([this.letter({ kind: 'deleted', sessionId: entry.sessionId, messageIds: refused.map((r) => r.item) }, refused[0]!.error)]);
  }

  private async deliverSession(entry: Extract<OutboxEntry, { kind: 'session' }>): Promise<void> {
    let refusal: unknown;
    try {
      await this.options.backend.upsertSession(entry.session);
      return;
    } catch (error) {
      if (classifyFailure(error) !== 'invalid') throw error;
      refusal = error;
    }
    for (const fallback of sessionFallbacks(entry.session)) {
      try {
        await this.options.backend.upsertSession(fallback.session);
      } catch (error) {
        if (classifyFailure(error) !== 'invalid') throw error;
        continue;
      }
      this.options.logger.warn(
        { sessionId: entry.sessionId, reason: describeError(refusal), dropped: fallback.dropped },
        fallback.dropped.length > 0 ? 'session update refused as invalid: stored without its free text' : 'session update refused as invalid: stored scrubbed',
      );
      // What was dropped is kept in the dead-letter file; a scrubbed update lost nothing worth a letter.
      if (fallback.dropped.length > 0) this.mustDeadLetter([this.letter({ kind: 'session', sessionId: entry.sessionId, session: entry.session }, refusal)]);
      return;
    }
    this.mustDeadLetter([this.letter({ kind: 'session', sessionId: entry.sessionId, session: entry.session }, refusal)]);
  }

  private letter(item: OutboxItem, error: unknown): DeadLetter {
    const code = isEarshotError(error) ? error.code : 'backend_rejected';
    return { at: new Date(this.now()).toISOString(), reason: describeError(error), code, item };
  }

  /** Writes dead letters; when the file refuses them, throws, so the group stays pending and is retried. */
  private mustDeadLetter(letters: DeadLetter[]): void {
    if (!this.writeDeadLetters(letters)) throw new Error('dead-letter file not writable: kept in the outbox');
  }

  /** Publishes the buyers, answers and lot changes of stored messages. */
  private announce(sessionId: string, results: IngestResult[]): void {
    for (const result of results) {
      if (result.error) continue;
      if (result.buyer) {
        this.options.publisher.publish(sessionId, { type: 'buyer_detected', messageId: result.messageId, buyer: result.buyer });
      }
      if (result.answer) {
        this.options.publisher.publish(sessionId, { type: 'answer', messageId: result.messageId, ...result.answer });
      }
      for (const lot of result.lots ?? []) this.options.publisher.publish(sessionId, { type: 'lot_update', lot, ...(result.summary ? { summary: result.summary } : {}) });
    }
  }

  private writeDeadLetters(letters: DeadLetter[]): boolean {
    if (letters.length === 0) return true;
    try {
      appendDeadLetters(this.options.deadLetterFile, letters);
    } catch (error) {
      this.options.logger.error({ err: describeError(error), letters: letters.length }, 'dead-letter write failed');
      return false;
    }
    for (const letter of letters) this.noteDeadLetter(letter);
    return true;
  }

  private noteDeadLetter(letter: DeadLetter): void {
    const count = letter.item.kind === 'messages' ? letter.item.messages.length : 1;
    const sessionId = letter.item.sessionId;
    const note: DeadLetterNote = { sessionId, code: letter.code ?? 'backend_rejected', reason: publicReason(letter.reason), at: letter.at };
    this.deadLettered += count;
    this.lastDeadLetter = note;
    const previous = this.deadLettersBySession.get(sessionId);
    // Re-inserted so the map's order is "least recently dead-lettered first", the first to forget.
    this.deadLettersBySession.delete(sessionId);
    this.deadLettersBySession.set(sessionId, { deadLettered: (previous?.deadLettered ?? 0) + count, lastDeadLetter: note });
    if (this.deadLettersBySession.size > DEAD_LETTER_SESSIONS_MAX) {
      this.deadLettersBySession.delete(this.deadLettersBySession.keys().next().value!);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
