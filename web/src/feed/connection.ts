/**
 * The dashboard's one WebSocket to /ws. Subscribes to the sessions it is asked for with `since` = the
 * last seq applied, so after a blip the hub replays exactly what was missed; reconnects with exponential
 * backoff and jitter; notices a silently dead socket by its own ping.
 */
import { isFrame, type ClientFrame, type ServerFrame } from '../wire.ts';
import type { FrameOutcome } from './store.ts';

/** The part of a browser WebSocket the connection uses (tests may pass another implementation). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type ConnectionState =
  | { phase: 'connecting'; attempt: number }
  | { phase: 'open' }
  | { phase: 'waiting'; attempt: number; retryInMs: number; lastClose?: string }
  | { phase: 'stopped' };

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  now(): number;
}

export interface ConnectionOptions {
  /** The socket URL, read at every attempt (the API token may have changed). */
  url: () => string;
  /** Applies a frame; the answer says whether to resubscribe or backfill. */
  onFrame: (frame: ServerFrame) => FrameOutcome;
  /** The last seq applied for a session (0 = from the start of what the server holds). */
  sinceFor: (sessionId: string) => number;
  onState?: (state: ConnectionState) => void;
  /**
   * Accounts: the service closed the socket with 4401 (token expired or refused). Refresh the sign-in
   * here; the reconnect that follows reads the new token through `url`.
   */
  onUnauthorized?: () => void;
  onBackfill?: (request: NonNullable<FrameOutcome['backfill']>) => void;
  createSocket?: (url: string) => SocketLike;
  timers?: Timers;
  random?: () => number;
  /** Backoff bounds (ms). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Our ping interval, and how long without any frame before the socket counts as dead. */
  pingIntervalMs?: number;
  deadAfterMs?: number;
}

const OPEN = 1;
/** The service's close code for an expired or refused access token (docs/API.md, Authentication). */
export const AUTH_CLOSE_CODE = 4401;

/**
 * Delay before reconnect attempt `attempt` (0-based): doubling from `min` up to `max`, with full jitter
 * in the upper half so a server restart is not met by every dashboard at the same instant.
 */
export function backoffDelay(attempt: number, random: () => number, min = 500, max = 15_000): number {
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};

export class FeedConnection {
  private readonly options: ConnectionOptions;
  private readonly timers: Timers;
  private readonly wanted = new Set<string>();
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private lastFrameAt = 0;
  private running = false;
  /** Reconnects since start (shown in the health bar; tests read it). */
  reconnects = 0;
  state: ConnectionState = { phase: 'stopped' };

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.timers = options.timers ?? browserTimers;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'dashboard_closed');
    }
    this.setState({ phase: 'stopped' });
  }

  /** Closes the socket and connects again at once (after the API token changed). */
  restart(): void {
    this.stop();
    this.attempt = 0;
    this.start();
  }

  /** Hands a refreshed access token to the open socket (accounts), so it is not closed at the old expiry. */
  authenticate(token: string): void {
    this.send({ type: 'auth', token });
  }

  /** Follows a session's events (from where this dashboard left off). */
  subscribe(sessionId: string): void {
    if (this.wanted.has(sessionId)) return;
    this.wanted.add(sessionId);
    this.sendSubscribe(sessionId);
  }

  unsubscribe(sessionId: string): void {
    if (!this.wanted.delete(sessionId)) return;
    this.send({ type: 'unsubscribe', sessionId });
  }

  get subscriptions(): ReadonlySet<string> {
    return this.wanted;
  }

  private connect(): void {
    if (!this.running) return;
    this.setState({ phase: 'connecting', attempt: this.attempt });
    let socket: SocketLike;
    try {
      socket = (this.options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike))(this.options.url());
    } catch {
      this.scheduleReconnect('could not open the socket');
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.socketOnOpen(socket);
    socket.onmessage = (event) => this.socketOnMessage(event.data);
    socket.onclose = (event) => this.socketOnClose(socket, event.code, event.reason);
    socket.onerror = () => undefined; // a close event always follows; that is where we act
  }

  private socketOnOpen(socket: SocketLike): void {
    if (socket !== this.socket) return;
    this.lastFrameAt = this.timers.now();
    for (const sessionId of this.wanted) this.sendSubscribe(sessionId);
    this.startPing();
    this.setState({ phase: 'open' });
  }

  private socketOnMessage(data: unknown): void {
    this.lastFrameAt = this.timers.now();
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!isFrame(frame)) return;
    if (frame.type === 'subscribed') {
      // A stable subscription: the next blip starts its backoff from the shortest delay again.
      this.attempt = 0;
    }
    const outcome = this.options.onFrame(frame);
    if (outcome.resubscribe && this.wanted.has(outcome.resubscribe)) this.sendSubscribe(outcome.resubscribe);
    if (outcome.backfill) this.options.onBackfill?.(outcome.backfill);
  }

  private socketOnClose(socket: SocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearTimers();
    if (code === AUTH_CLOSE_CODE) this.options.onUnauthorized?.();
    this.scheduleReconnect(reason || `closed (${code})`);
  }

  private scheduleReconnect(lastClose: string): void {
    if (!this.running) return;
    const delay = backoffDelay(
      this.attempt,
      this.options.random ?? Math.random,
      this.options.minDelayMs ?? 500,
      this.options.maxDelayMs ?? 15_000,
    );
    this.setState({ phase: 'waiting', attempt: this.attempt, retryInMs: delay, lastClose });
    this.attempt++;
    this.reconnects++;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private startPing(): void {
    const interval = this.options.pingIntervalMs ?? 15_000;
    const deadAfter = this.options.deadAfterMs ?? 45_000;
    this.pingTimer = this.timers.setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (this.timers.now() - this.lastFrameAt > deadAfter) {
        // Nothing at all (not even our pong) for too long: the path is dead even if no close came.
        socket.onclose = null;
        socket.close(4000, 'dead');
        this.socketOnClose(socket, 4000, 'no answer from the server');
        return;
      }
      this.send({ type: 'ping' });
    }, interval);
  }

  private sendSubscribe(sessionId: string): void {
    this.send({ type: 'subscribe', sessionId, since: this.options.sinceFor(sessionId) });
  }

  private send(frame: ClientFrame): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return; // (re)subscribed on open
    socket.send(JSON.stringify(frame));
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) this.timers.clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.onState?.(state);
  }
}
