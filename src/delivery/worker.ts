/**
 * The reply delivery worker: takes due pending replies from the outbox, delivers each one through the
 * first transport that can speak in its session's chat, and records and announces what happened.
 *
 * - One reply at a time per session, at least REPLY_MIN_INTERVAL_MS apart (chats punish bursts);
 *   sessions are served side by side.
 * - A transient failure (network, 5xx, rate limit) retries with exponential backoff and jitter, up to
 *   `maxAttempts`; anything else fails the reply with the reason. Replies waiting longer than
 *   REPLY_MAX_AGE_MS expire (the outbox fails them).
 * - No transport for the session (no chat input known, no OAuth for YouTube): the reply goes back to
 *   `suggested` with reason `no_transport`, for a person to send.
 * Every change is announced as a `reply_status` event.
 */
import type { Clock } from '../capture/youtube-api/clock.ts';
import { systemClock } from '../capture/youtube-api/clock.ts';
import type { SessionEventBody } from '../domain/events.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { KnowledgeBase, Reply } from '../../supabase/functions/_shared/kb/index.ts';
import { replyStatusEvent } from './status.ts';
import { DeliveryError, type DeliveryTarget, type ReplyTransport } from './types.ts';

export interface ReplyDeliveryOptions {
  kb: Pick<KnowledgeBase, 'claimDueReplies' | 'markSent' | 'markFailed' | 'retryLater' | 'setStatus' | 'getSettings'>;
  /** Tried in order; the first that accepts a target delivers to it. */
  transports: ReplyTransport[];
  /** The running session behind a reply; undefined when it is not running. */
  targetOf: (sessionId: string) => Omit<DeliveryTarget, 'profile'> | undefined;
  /** The sessions whose replies this worker delivers (cluster mode: the shows this instance runs); default all. */
  sessionIds?: () => readonly string[];
  publish: (sessionId: string, body: SessionEventBody) => void;
  logger: Logger;
  clock?: Clock;
  /** How often the outbox is asked for due replies (REPLY_POLL_MS). */
  pollMs: number;
  /** Least time between two replies into one chat (REPLY_MIN_INTERVAL_MS). */
  minIntervalMs: number;
  /** Pending longer than this: expired (REPLY_MAX_AGE_MS). */
  maxAgeMs: number;
  /** Attempts before a reply fails for good (default 3). */
  maxAttempts?: number;
  /** Replies taken from the outbox per poll (default 20). */
  batchSize?: number;
}

/**
 * Backoff after a failed attempt: 1 s, 2 s, 4 s ... at most 30 s, with up to 25 % jitter.
 * Not a cockatiel retry policy: the next attempt is a `retry_at` stored with the reply (it survives a
 * restart and is claimed under a lease by whichever worker polls), so only the delay is computed here.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + 0.25 * random()));
}

export class ReplyDeliveryWorker {
  private readonly options: ReplyDeliveryOptions;
  private readonly clock: Clock;
  private readonly queues = new Map<string, Reply[]>();
  private readonly runners = new Map<string, Promise<void>>();
  private readonly lastSentAt = new Map<string, number>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(options: ReplyDeliveryOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.tick();
      await this.clock.sleep(this.options.pollMs, this.stopping.signal);
    }
  }

  /** One poll: expire, claim and hand out due replies. Never throws. */
  async tick(): Promise<void> {
    let claimed: Reply[];
    let expired: Reply[];
    try {
      const leaseMs = Math.max(60_000, this.options.minIntervalMs * 30);
      ({ claimed, expired } = await this.options.kb.claimDueReplies({
        now: this.clock.now(),
        limit: this.options.batchSize ?? 20,
        leaseMs,
        maxAgeMs: this.options.maxAgeMs,
        maxAttempts: this.options.maxAttempts ?? 3,
        sessionIds: this.options.sessionIds?.(),
      }));
    } catch (error) {
      this.options.logger.warn({ err: describeError(error) }, 'reply outbox unavailable');
      return;
    }
    for (const reply of expired) this.announce(reply);
    for (const reply of claimed) {
      const queue = this.queues.get(reply.sessionId) ?? [];
      queue.push(reply);
      this.queues.set(reply.sessionId, queue);
      if (!this.runners.has(reply.sessionId)) {
        const runner = this.drain(reply.sessionId).finally(() => this.runners.delete(reply.sessionId));
        this.runners.set(reply.sessionId, runner);
      }
    }
  }

  private async drain(sessionId: string): Promise<void> {
    const queue = this.queues.get(sessionId)!;
    while (queue.length > 0 && !this.stopping.signal.aborted) {
      const reply = queue.shift()!;
      try {
        await this.deliver(reply);
      } catch (error) {
        this.options.logger.warn({ sessionId, replyId: reply.id, err: describeError(error) }, 'reply delivery failed unexpectedly');
      }
    }
    this.queues.delete(sessionId);
  }

  private async deliver(reply: Reply): Promise<void> {
    const { kb, logger } = this.options;
    const base = this.options.targetOf(reply.sessionId);
    if (!base) {
      this.announce(await kb.markFailed(reply.id, 'session_not_running'));
      return;
    }
    const settings = await kb.getSettings(reply.sessionId);
    const target: DeliveryTarget = { ...base, profile: settings.profile };
    const transport = this.options.transports.find((t) => t.accepts(target));
    if (!transport) {
      this.announce(await kb.setStatus(reply.id, 'suggested', 'no_transport'));
      return;
    }
    const wait = (this.lastSentAt.get(reply.sessionId) ?? -Infinity) + this.options.minIntervalMs - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, this.stopping.signal);
    if (this.stopping.signal.aborted) return;
    try {
      const { platformReplyId } = await transport.send(target, reply.text);
      this.lastSentAt.set(reply.sessionId, this.clock.now());
      this.announce(await kb.markSent(reply.id, platformReplyId));
      logger.debug({ sessionId: reply.sessionId, replyId: reply.id, transport: transport.name }, 'reply sent');
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : new DeliveryError('unexpected', true, describeError(error));
      logger.warn(
        { sessionId: reply.sessionId, replyId: reply.id, transport: transport.name, reason: failure.reason, attempt: reply.attempts },
        'reply delivery attempt failed',
      );
      if (failure.retryable && reply.attempts < (this.options.maxAttempts ?? 3)) {
        const retryAt = this.clock.now() + retryDelayMs(reply.attempts);
        this.announce(await kb.retryLater(reply.id, retryAt, failure.reason));
      } else {
        this.announce(await kb.markFailed(reply.id, failure.reason));
      }
    }
  }

  /** Resolves when every reply handed out so far has been dealt with (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.runners.size > 0) await Promise.all([...this.runners.values()].map((r) => r.catch(() => undefined)));
  }

  private announce(reply: Reply | null): void {
    if (reply) this.options.publish(reply.sessionId, replyStatusEvent(reply));
  }

  /** Stops polling, lets the replies being sent finish (bounded by the transports' timeouts), closes transports. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.loop?.catch(() => undefined);
    await this.settle();
    await Promise.all(this.options.transports.map((t) => t.close?.().catch(() => undefined)));
  }
}
