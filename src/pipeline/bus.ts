/**
 * The pipeline's event bus: what the session manager decides (a message admitted once, a deletion, a show's
 * new status, an event for the show's subscribers) goes out here, and everything downstream subscribes:
 * the hub (or, with several instances, the show's Redis stream), the forwarder to the backend, the metrics.
 * Buyers, answers, reply statuses and lots decided downstream come back through the manager's `publish`,
 * which counts them and emits them here as `downstream` events.
 *
 * Listeners run synchronously, in the order they subscribed, so a show's events keep their order for every
 * subscriber. One listener that throws is logged and skipped: it cannot keep a message from the others
 * (the hub failing must not stop storage, nor storage the hub).
 */
import type { SessionEventBody } from '../domain/events.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** Where an event for subscribers was decided: by capture (fenced by the show's lock) or downstream. */
export type EventOrigin = 'capture' | 'downstream';

/** The pipeline's events and their arguments. */
export interface PipelineEvents {
  /** An event for the show's subscribers (/ws), in the order the show produced it. */
  event: [sessionId: string, body: SessionEventBody, origin: EventOrigin];
  /** Messages admitted for the first time (deduplicated), in stream order: storage and counting. */
  messages: [sessionId: string, messages: ChatMessage[]];
  /** Messages the platform deleted (moderation). */
  deleted: [sessionId: string, messageIds: string[]];
  /** A show's new picture after a status change. */
  session: [info: SessionInfo];
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** A typed, synchronous event bus. `on` returns the function that unsubscribes. */
export class EventBus<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners: { [K in keyof E]?: Array<Listener<E[K]>> } = {};
  private readonly logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.logger = logger;
  }

  on<K extends keyof E>(type: K, listener: Listener<E[K]>): () => void {
    const list = (this.listeners[type] ??= []);
    list.push(listener);
    return () => {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    };
  }

  emit<K extends keyof E>(type: K, ...args: E[K]): void {
    const list = this.listeners[type];
    if (!list) return;
    // A copy: a listener that unsubscribes (or subscribes another) does not disturb this round.
    for (const listener of [...list]) {
      try {
        listener(...args);
      } catch (error) {
        this.logger?.error({ event: String(type), err: describeError(error) }, 'an event subscriber failed');
      }
    }
  }

  /** How many listeners `type` has (tests, diagnostics). */
  listenerCount(type: keyof E): number {
    return this.listeners[type]?.length ?? 0;
  }
}

export type PipelineBus = EventBus<PipelineEvents>;

/** What a downstream store of capture wants (the forwarder implements it). */
export interface CaptureSink {
  accept(sessionId: string, messages: ChatMessage[]): void;
  deleted?(sessionId: string, messageIds: string[]): void;
  sessionChanged?(info: SessionInfo): void;
}

/** Subscribes a capture sink to the bus's messages, deletions and status changes. */
export function subscribeSink(bus: PipelineBus, sink: CaptureSink, parts: { messages?: boolean } = {}): () => void {
  const off = [
    ...(parts.messages === false ? [] : [bus.on('messages', (sessionId, messages) => sink.accept(sessionId, messages))]),
    bus.on('deleted', (sessionId, ids) => sink.deleted?.(sessionId, ids)),
    bus.on('session', (info) => sink.sessionChanged?.(info)),
  ];
  return () => off.forEach((unsubscribe) => unsubscribe());
}

/** The publishing interface downstream workers (forwarder, knowledge base, replies) use: the manager's `publish`. */
export interface EventPublisher {
  /** Events of capture: messages, deletions, status (in cluster mode fenced by the show's lock). */
  publish(sessionId: string, body: SessionEventBody): unknown;
  /** Events decided downstream (buyers, answers, lots), from any instance; default: `publish`. */
  publishDownstream?(sessionId: string, body: SessionEventBody): unknown;
}

/** Sends the bus's subscriber events to a publisher: the hub, or the cluster's per-show streams. */
export function subscribePublisher(bus: PipelineBus, publisher: EventPublisher): () => void {
  return bus.on('event', (sessionId, body, origin) => {
    if (origin === 'downstream' && publisher.publishDownstream) publisher.publishDownstream(sessionId, body);
    else publisher.publish(sessionId, body);
  });
}

/** Keeps a show's WebSocket numbering across restarts (the hub does). */
export interface SeqKeeper {
  lastSeq?(sessionId: string): number;
  continueSeq?(sessionId: string, lastSeq: number): void;
}
