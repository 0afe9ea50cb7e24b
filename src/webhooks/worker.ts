/**
 * Outgoing webhooks: show events in, signed deliveries out, through the durable outbox in the database.
 *
 * - `accept` maps a show event (events.ts) and writes it for each of the owner's subscribed endpoints;
 *   the events of one turn are written in one statement. An id already written is skipped (an LRU of
 *   recent ids spares the database the repeats: a sold lot is announced again at every later change).
 * - The loop claims the due head of each (endpoint, show) queue under a lease, so deliveries of a show
 *   reach an endpoint in order, one at a time, and several instances never send the same one at once.
 *   Queues are served side by side. At least once: a delivery is marked only after its answer, so a
 *   crash in between sends it again with the same webhook-id (receivers deduplicate on it).
 * - 2xx: delivered. 410: the endpoint is turned off (`gone`). Anything else (3xx, 4xx, 5xx, timeout,
 *   network): retried after a delay between WEBHOOK_RETRY_MIN_MS and an exponential cap (full jitter)
 *   up to WEBHOOK_RETRY_MAX_MS, and dead once WEBHOOK_DEAD_AFTER_MS have passed since it was written;
 *   the last attempt is made at that deadline. Dead ones are replayed from the dashboard.
 * Not a cockatiel retry policy: the next attempt is a time stored with the delivery, not a timer in
 * this process, so it survives restarts and any instance may make it.
 */
import { LRUCache } from 'lru-cache';
import type { SessionEventBody } from '../domain/events.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DueDelivery, WebhookEventRecord, WebhookStore } from '../../supabase/functions/_shared/webhooks/store.ts';
import { toWebhookEvent } from './events.ts';
import { SendError, sendWebhook, type SendOptions, type SendResult } from './send.ts';
import { webhookHeaders } from './sign.ts';

export interface WebhookMetrics {
  countWebhookDelivery(result: 'delivered' | 'retry' | 'dead' | 'gone'): void;
}

export interface RetrySchedule {
  minMs: number;
  maxMs: number;
  deadAfterMs: number;
}

export interface WebhookWorkerOptions {
  store: WebhookStore;
  logger: Logger;
  send: SendOptions;
  retry: RetrySchedule;
  pollMs: number;
  metrics?: WebhookMetrics;
  /** Deliveries sent at once (different queues); default 8. */
  concurrency?: number;
  now?: () => Date;
  random?: () => number;
  /** The transport (tests may count attempts); default sendWebhook. */
  sender?: typeof sendWebhook;
}

/**
 * The wait before attempt `attempts + 1`: between `minMs` and min(maxMs, minMs * 2^(attempts-1)),
 * uniformly (full jitter above the floor, so receivers coming back are not hit by every sender at once).
 */
export function retryDelayMs(attempts: number, schedule: Pick<RetrySchedule, 'minMs' | 'maxMs'>, random: () => number = Math.random): number {
  const cap = Math.min(schedule.maxMs, schedule.minMs * 2 ** Math.min(40, Math.max(0, attempts - 1)));
  return Math.round(schedule.minMs + random() * (cap - schedule.minMs));
}

/** What a failed attempt leads to: another attempt at `at`, or dead (the deadline passed). */
export function nextAttempt(createdAt: Date, attempts: number, now: Date, schedule: RetrySchedule, random?: () => number): { dead: true } | { dead: false; at: Date } {
  const deadline = createdAt.getTime() + schedule.deadAfterMs;
  if (now.getTime() >= deadline) return { dead: true };
  const at = Math.min(now.getTime() + retryDelayMs(attempts, schedule, random), deadline);
  return { dead: false, at: new Date(at) };
}

type Owner = string | null;

export class WebhookWorker {
  private readonly options: WebhookWorkerOptions;
  private readonly now: () => Date;
  private readonly recent = new LRUCache<string, true>({ max: 20_000 });
  private readonly pending = new Map<Owner, WebhookEventRecord[]>();
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: WebhookWorkerOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  /** A show event; owner null without accounts. Never throws (a webhook never stops a show). */
  accept(sessionId: string, ownerId: string | undefined, body: SessionEventBody): void {
    const event = toWebhookEvent(sessionId, body, this.now());
    if (!event) return;
    const owner = ownerId ?? null;
    const key = `${owner}\n${event.id}`;
    if (this.recent.has(key)) return;
    this.recent.set(key, true);
    const list = this.pending.get(owner) ?? [];
    list.push(event);
    this.pending.set(owner, list);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushing = this.flushing.then(() => this.flush());
      });
    }
  }

  /** Writes what was accepted (tests and shutdown wait for it). */
  async drain(): Promise<void> {
    await this.flushing;
    if (this.pending.size > 0) {
      this.flushing = this.flushing.then(() => this.flush());
      await this.flushing;
    }
  }

  private async flush(): Promise<void> {
    const batches = [...this.pending];
    this.pending.clear();
    let written = 0;
    for (const [owner, events] of batches) {
      try {
        written += await this.options.store.enqueue(owner, events);
      } catch (error) {
        // The database refused or is down: forget the ids so the next announcement of the same event is tried again.
        for (const event of events) this.recent.delete(`${owner}\n${event.id}`);
        this.options.logger.warn({ err: describeError(error), events: events.length }, 'webhook events could not be written');
      }
    }
    if (written > 0) this.kick();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  /** Polls now (an event was written, a replay asked for). */
  kick(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.poll();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.options.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      do {
        this.again = false;
        const room = (this.options.concurrency ?? 8) - this.inFlight.size;
        if (room <= 0) break;
        const lease = this.options.send.timeoutMs * 2 + 5_000;
        const due = await this.options.store.claimDue(this.now(), lease, room);
        for (const delivery of due) {
          const attempt = this.attempt(delivery).finally(() => {
            this.inFlight.delete(attempt);
            this.kick();
          });
          this.inFlight.add(attempt);
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.options.logger.warn({ err: describeError(error) }, 'webhook outbox poll failed');
    } finally {
      this.polling = false;
      this.schedule();
    }
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const { store, metrics, logger } = this.options;
    const body = JSON.stringify(delivery.payload);
    const headers = webhookHeaders(delivery.secret, delivery.eventId, body, this.now());
    let result: SendResult | undefined;
    let failure: string;
    try {
      result = await (this.options.sender ?? sendWebhook)(delivery.url, headers, body, this.options.send);
      if (result.status >= 200 && result.status < 300) {
        await store.markDelivered(delivery.id, result.status, this.now());
        metrics?.countWebhookDelivery('delivered');
        return;
      }
      if (result.status === 410) {
        await store.markDead(delivery.id, { status: 410, error: 'gone: the receiver answered 410, the endpoint is turned off' });
        await store.disableEndpoint(delivery.endpointId, 'gone');
        metrics?.countWebhookDelivery('gone');
        logger.warn({ endpoint: delivery.endpointId }, 'webhook endpoint answered 410 Gone: turned off');
        return;
      }
      failure = `HTTP ${result.status}${result.excerpt ? `: ${result.excerpt}` : ''}`;
    } catch (error) {
      failure = error instanceof SendError ? `${error.kind}: ${error.message}` : describeError(error);
    }
    try {
      const next = nextAttempt(new Date(delivery.createdAt), delivery.attempts + 1, this.now(), this.options.retry, this.options.random);
      const outcome = { status: result?.status ?? null, error: failure };
      if (next.dead) {
        await store.markDead(delivery.id, outcome);
        metrics?.countWebhookDelivery('dead');
        // The URL only by endpoint id: it is the seller's, and may carry a token of theirs.
        logger.warn({ endpoint: delivery.endpointId, event: delivery.eventId, attempts: delivery.attempts + 1 }, 'webhook delivery dead');
      } else {
        await store.markRetry(delivery.id, outcome, next.at);
        metrics?.countWebhookDelivery('retry');
      }
    } catch (error) {
      // The lease runs out and the delivery is claimed again: at least once still holds.
      logger.warn({ err: describeError(error) }, 'webhook delivery result could not be written');
    }
  }

  /** Stops polling and waits for attempts under way and events not yet written. */
  async stop(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }
}
