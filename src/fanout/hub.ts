/**
 * The WebSocket hub at /ws: per-session sequence numbers, a bounded resume ring per session, one
 * serialization per event whatever the number of subscribers, and a slow-consumer policy that closes a
 * client whose send buffer passes a bound instead of letting it slow capture or other clients.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WsClientFrame } from '../../supabase/functions/_shared/contract.ts';
import type { Principal } from '../auth/verifier.ts';
import type { SessionEvent, SessionEventBody } from '../domain/events.ts';
import type { ChatMessage } from '../domain/message.ts';
import { statusFor } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface HubOptions {
  ringSize: number;
  maxBufferedBytes: number;
  pingIntervalMs: number;
  logger: Logger;
  /** Returns true when the upgrade request may connect (API token check). */
  authorize?: (request: IncomingMessage) => boolean;
  /**
   * Checked before anything else on an upgrade (Host and Origin: DNS rebinding, cross-site WebSocket
   * hijacking): a refusal's code and message are answered with the code's status, and no socket opens.
   */
  checkUpgrade?: (request: IncomingMessage) => { code: string; message: string } | undefined;
  /** Sessions (or `*`) one socket may follow at once (WS_MAX_SUBSCRIPTIONS, default 200). */
  maxSubscriptions?: number;
  /** Accounts: subscriptions of one seller across all their sockets (WS_MAX_SUBSCRIPTIONS_PER_SELLER, default 1000). */
  maxSellerSubscriptions?: number;
  /**
   * Accounts: verifies a Supabase access token, presented as `?access_token=` on the upgrade or in a first
   * `{type:"auth", token}` frame. Each client then sees only the sessions `ownerOf` says are its user's.
   */
  verifyToken?: (token: string) => Promise<Principal>;
  /** Accounts: the seller a session belongs to (undefined: unknown session). */
  ownerOf?: (sessionId: string) => string | undefined;
  /** How long a connection without `?access_token=` has to send its auth frame (default 10 s). */
  authTimeoutMs?: number;
  /**
   * Overlay links (src/overlay): a connection with `?overlay_token=` follows the one show its token opens,
   * read-only, and receives only `frame(data)` of its events (undefined: nothing). No API token or sign-in
   * is asked of it, and it can subscribe to nothing else.
   */
  overlay?: {
    /** The show a token opens, or undefined (unknown, replaced, malformed). */
    showOf: (token: string) => Promise<string | undefined>;
    frame: (data: string) => string | undefined;
  };
}

/**
 * Close code for authentication: reason `unauthorized` (no, or a bad, token) or `token_expired` (the token
 * ran out while connected: refresh it and reconnect with `since`).
 */
export const AUTH_CLOSE_CODE = 4401;

/** The upgrade's refusal as an HTTP answer with the house's coded JSON body. */
export function refusalResponse(code: string, message: string): string {
  const status = statusFor(code);
  const body = JSON.stringify({ error: { code, message } });
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Refused'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request' };

/**
 * Whether one more subscription fits: `socketCount` the socket's, `sellerCount` its seller's across
 * sockets (undefined without accounts). Pure, exported for tests.
 */
export function subscriptionFits(
  socketCount: number,
  sellerCount: number | undefined,
  limits: { perSocket: number; perSeller: number },
): boolean {
  return socketCount < limits.perSocket && (sellerCount === undefined || sellerCount < limits.perSeller);
}

/** Close code and reason a slow consumer gets. */
export const SLOW_CONSUMER_CLOSE = { code: 4008, reason: 'slow_consumer' } as const;

/** The client frames, as the contract defines them (one definition of the /ws protocol). */
const ClientMessage = WsClientFrame;
/** How many sessions one `since` map on "*" may name. */
const MAX_SINCE_SESSIONS = 1_000;

/**
 * Why a subscribe frame's `since` cannot be honoured, or undefined when it can: a number on "*" names no
 * session (the frame would otherwise resume nothing without a word), and a map belongs to "*" only.
 */
export function sinceRefusal(sessionId: string, since: number | Record<string, number> | undefined): { code: string; message: string } | undefined {
  if (since === undefined) return undefined;
  if (sessionId === '*' && typeof since === 'number') {
    return { code: 'since_needs_sessions', message: 'On "*", since is a map of session id to seq: {"<sessionId>": <seq>, ...}' };
  }
  if (sessionId !== '*' && typeof since !== 'number') {
    return { code: 'invalid_message', message: 'since is a seq (a number) on a named session; a map only on "*"' };
  }
  if (typeof since !== 'number' && Object.keys(since).length > MAX_SINCE_SESSIONS) {
    return { code: 'invalid_message', message: `since names at most ${MAX_SINCE_SESSIONS} sessions` };
  }
  return undefined;
}

/** Who a connection is, when a token said so before it opened: a signed-in seller or an overlay link's show. */
type Identity = { principal: Principal } | { overlay: string };

/** Where a client is with authentication (accounts only; without them every client is `ready`). */
type AuthState = 'awaiting_auth' | 'verifying' | 'ready';

interface Ring {
  seq: number;
  /** Serialized events, oldest first, at most ringSize. */
  entries: Array<{ seq: number; data: string }>;
}

interface Client {
  ws: WebSocket;
  subscriptions: Set<string>;
  alive: boolean;
  closing: boolean;
  auth: AuthState;
  /** The signed-in seller (accounts). */
  userId?: string;
  /** Closes the socket when the token expires, or when no auth frame came in time. */
  authTimer?: NodeJS.Timeout;
  /** Removed from the hub (closed, errored or cut by the ping): its subscriptions are no longer counted. */
  gone: boolean;
  /** The socket is corked for this turn: its frames go out in one write when the turn ends. */
  corked: boolean;
  /** An overlay connection: the one show its link opens (see HubOptions.overlay). */
  overlay?: string;
}

/** The event type that tells every hub a show's overlay link changed (its overlay connections are closed). */
const LINK_CHANGED = '{"type":"overlay_link_changed"';

/** A frame's payload as text (ws would otherwise send a Buffer as a binary frame). */
const TEXT = { binary: false } as const;

/** Whether a client may receive a session's events: without accounts anyone; with them only its owner. */
export function mayReceive(accounts: boolean, owner: string | undefined, userId: string | undefined): boolean {
  return !accounts || (userId !== undefined && owner === userId);
}

export class Hub {
  private readonly options: HubOptions;
  private readonly rings = new Map<string, Ring>();
  private readonly clients = new Set<Client>();
  /** Accounts: subscriptions per seller across their sockets (entries removed at 0, so nothing stays after close). */
  private readonly sellerSubscriptions = new Map<string, number>();
  private subscriptionCount = 0;
  private readonly wss: WebSocketServer;
  private pingTimer: NodeJS.Timeout | null = null;
  private delivered = 0;
  private slowClosed = 0;
  /** Sockets corked this turn, uncorked together when it ends (see send). */
  private readonly corked: Client[] = [];
  /** Overlay connections per show (entries removed at 0). */
  private readonly overlays = new Map<string, Set<Client>>();

  constructor(options: HubOptions) {
    this.options = options;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
    this.wss.on('connection', (ws, _request, who?: Identity) => this.wssOnConnection(ws, who));
  }

  private get accounts(): boolean {
    return this.options.verifyToken !== undefined;
  }

  /** Serves the hub on `path` of an existing HTTP server. */
  attach(server: Server, path = '/ws'): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      const refusal = this.options.checkUpgrade?.(request);
      if (refusal) {
        socket.end(refusalResponse(refusal.code, refusal.message));
        return;
      }
      const overlayToken = this.options.overlay ? url.searchParams.get('overlay_token') : null;
      if (overlayToken !== null) {
        // An overlay link is its own credential: one show, read-only (no API token, no sign-in).
        const showOf = this.options.overlay!.showOf;
        this.upgradeAfter(request, socket, head, showOf(overlayToken).then((sessionId) => {
          if (sessionId === undefined) throw new Error('no show');
          return { overlay: sessionId };
        }), { code: 'invalid_overlay_token', message: 'This overlay link is not valid (it may have been replaced)' });
        return;
      }
      if (this.options.authorize && !this.options.authorize(request)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      const accessToken = this.options.verifyToken ? url.searchParams.get('access_token') : null;
      if (!accessToken) {
        this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
        return;
      }
      // Browsers cannot set headers on a WebSocket: the token rides in the query and is checked before upgrading.
      this.upgradeAfter(request, socket, head, this.options.verifyToken!(accessToken).then((principal) => ({ principal })), {
        code: 'unauthorized',
        message: 'Invalid access token',
      });
    });
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /**
   * Upgrades once `identity` resolves (a token checked before the socket opens); answers `refusal` as a
   * 401 when it rejects. Node has removed its own error listener from an upgraded socket: a reset while
   * we verify must not throw.
   */
  private upgradeAfter(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: Promise<Identity>,
    refusal: { code: string; message: string },
  ): void {
    const socketOnError = (): void => {
      socket.destroy();
    };
    socket.on('error', socketOnError);
    identity.then(
      (who) => {
        socket.removeListener('error', socketOnError);
        if (socket.destroyed) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request, who));
      },
      () => {
        socket.removeListener('error', socketOnError);
        socket.on('error', () => undefined);
        socket.end(refusalResponse(refusal.code, refusal.message));
      },
    );
  }

  /** Stamps an event with the session's next seq, keeps it in the ring and sends it to subscribers. */
  publish(sessionId: string, body: SessionEventBody): SessionEvent {
    const event = { ...body, sessionId, seq: this.lastSeq(sessionId) + 1 } as SessionEvent;
    this.deliver(sessionId, event.seq, JSON.stringify(event));
    return event;
  }

  private fanOut(sessionId: string, data: string): void {
    const owner = this.accounts ? this.options.ownerOf?.(sessionId) : undefined;
    // Encoded once for every subscriber (ws would encode a string again for each socket).
    const payload = Buffer.from(data);
    // Overlay connections get their own form of the event, built once and only when one follows the show.
    let overlayPayload: Buffer | null | undefined;
    for (const client of this.clients) {
      if (!client.subscriptions.has(sessionId) && !client.subscriptions.has('*')) continue;
      if (client.overlay !== undefined) {
        if (overlayPayload === undefined) {
          const frame = this.options.overlay?.frame(data);
          overlayPayload = frame === undefined ? null : Buffer.from(frame);
        }
        if (overlayPayload !== null) this.send(client, overlayPayload);
        continue;
      }
      // "*" with accounts is "all of mine"; a named session was checked at subscribe, and is checked again
      // here so an id subscribed to before anyone started it never leaks another seller's show.
      if (mayReceive(this.accounts, owner, client.userId)) this.send(client, payload);
    }
    // A new link closes the show's overlay connections here and on every instance (the event travels like
    // any other): a page with the new token reconnects, one with the old token is refused.
    if (data.startsWith(LINK_CHANGED)) this.closeOverlays(sessionId);
  }

  /** Closes a show's overlay connections (reason `overlay_link_changed`); returns how many. */
  closeOverlays(sessionId: string): number {
    const clients = this.overlays.get(sessionId);
    if (!clients) return 0;
    for (const client of clients) this.closeWith(client, AUTH_CLOSE_CODE, 'overlay_link_changed');
    return clients.size;
  }

  /**
   * Sends an event another process stamped (cluster mode: read from the show's Redis stream, in seq order):
   * kept in the ring for `since` and written to subscribers like a published one. A seq already held is
   * ignored, so reading a stream again never repeats an event.
   */
  deliver(sessionId: string, seq: number, data: string): void {
    const ring = this.ringFor(sessionId);
    if (seq <= ring.seq) return;
    ring.seq = seq;
    ring.entries.push({ seq, data });
    if (ring.entries.length > this.options.ringSize) ring.entries.splice(0, ring.entries.length - this.options.ringSize);
    this.fanOut(sessionId, data);
  }

  /**
   * Continues a session's numbering after a restart, so clients resuming with `since` from before the
   * restart are not handed lower numbers than they have already seen.
   */
  continueSeq(sessionId: string, lastSeq: number): void {
    const ring = this.ringFor(sessionId);
    if (lastSeq > ring.seq) ring.seq = lastSeq;
  }

  /**
   * A chat message still in the session's resume ring, newest first (a seller featuring what just arrived,
   * before storage has it). Only frames that name the id are parsed.
   */
  recentMessage(sessionId: string, messageId: string): ChatMessage | undefined {
    const entries = this.rings.get(sessionId)?.entries ?? [];
    const needle = `"id":${JSON.stringify(messageId)}`;
    for (let i = entries.length - 1; i >= 0; i--) {
      const data = entries[i]!.data;
      if (!data.startsWith('{"type":"new_message"') || !data.includes(needle)) continue;
      const event = JSON.parse(data) as { message: ChatMessage };
      if (event.message.id === messageId) return event.message;
    }
    return undefined;
  }

  /** The last seq issued for a session (0 when none). */
  lastSeq(sessionId: string): number {
    return this.rings.get(sessionId)?.seq ?? 0;
  }

  stats(): { clients: number; sessions: number; subscriptions: number; delivered: number; slowConsumersClosed: number } {
    return {
      clients: this.clients.size,
      sessions: this.rings.size,
      subscriptions: this.subscriptionCount,
      delivered: this.delivered,
      slowConsumersClosed: this.slowClosed,
    };
  }

  /** Cuts every client's connection at once, as a network failure would (operations, tests). */
  dropClients(): number {
    const count = this.clients.size;
    for (const client of this.clients) client.ws.terminate();
    return count;
  }

  /** Closes every client (going away) and stops pinging. */
  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const client of this.clients) {
      client.closing = true;
      client.ws.close(1001, 'server_shutdown');
    }
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        for (const client of this.clients) client.ws.terminate();
        resolve();
      }, 1_000);
      deadline.unref();
      const check = (): void => {
        if (this.clients.size === 0) {
          clearTimeout(deadline);
          resolve();
        } else setTimeout(check, 20).unref();
      };
      check();
    });
    this.wss.close();
  }

  private ringFor(sessionId: string): Ring {
    let ring = this.rings.get(sessionId);
    if (!ring) {
      ring = { seq: 0, entries: [] };
      this.rings.set(sessionId, ring);
    }
    return ring;
  }

  private wssOnConnection(ws: WebSocket, who?: Identity): void {
    const principal = who && 'principal' in who ? who.principal : undefined;
    const overlay = who && 'overlay' in who ? who.overlay : undefined;
    const client: Client = {
      ws,
      subscriptions: new Set(),
      alive: true,
      closing: false,
      auth: this.accounts && !principal && overlay === undefined ? 'awaiting_auth' : 'ready',
      gone: false,
      corked: false,
      ...(overlay !== undefined ? { overlay } : {}),
    };
    this.clients.add(client);
    if (overlay !== undefined) {
      const peers = this.overlays.get(overlay) ?? new Set<Client>();
      peers.add(client);
      this.overlays.set(overlay, peers);
    }
    if (principal) this.signIn(client, principal);
    else if (client.auth === 'awaiting_auth') {
      client.authTimer = setTimeout(() => this.closeUnauthorized(client, 'unauthorized'), this.options.authTimeoutMs ?? 10_000);
      client.authTimer.unref();
    }
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.socketOnMessage(client, data, isBinary));
    const forget = (): void => this.remove(client);
    ws.on('close', forget);
    ws.on('error', forget);
  }

  /** Forgets a client and its subscriptions (once, whichever of close, error or the ping comes first). */
  private remove(client: Client): void {
    if (client.gone) return;
    client.gone = true;
    clearTimeout(client.authTimer);
    this.clients.delete(client);
    for (const sessionId of [...client.subscriptions]) this.dropSubscription(client, sessionId);
    if (client.overlay !== undefined) {
      const peers = this.overlays.get(client.overlay);
      peers?.delete(client);
      if (peers?.size === 0) this.overlays.delete(client.overlay);
    }
  }

  private addSubscription(client: Client, sessionId: string): void {
    client.subscriptions.add(sessionId);
    this.subscriptionCount++;
    if (client.userId !== undefined) this.sellerSubscriptions.set(client.userId, (this.sellerSubscriptions.get(client.userId) ?? 0) + 1);
  }

  private dropSubscription(client: Client, sessionId: string): void {
    if (!client.subscriptions.delete(sessionId)) return;
    this.subscriptionCount--;
    if (client.userId === undefined) return;
    const left = (this.sellerSubscriptions.get(client.userId) ?? 1) - 1;
    if (left > 0) this.sellerSubscriptions.set(client.userId, left);
    else this.sellerSubscriptions.delete(client.userId);
  }

  /** Binds a client to its user and closes it when the token expires (the dashboard refreshes and reconnects). */
  private signIn(client: Client, principal: Principal): void {
    client.userId = principal.userId;
    client.auth = 'ready';
    clearTimeout(client.authTimer);
    const remaining = Math.min(Math.max(principal.expiresAt - Date.now(), 0), 2_147_000_000);
    client.authTimer = setTimeout(() => this.closeUnauthorized(client, 'token_expired'), remaining);
    client.authTimer.unref();
  }

  private closeUnauthorized(client: Client, reason: 'unauthorized' | 'token_expired'): void {
    this.closeWith(client, AUTH_CLOSE_CODE, reason);
  }

  /** Closes a client with a code, and cuts it if it does not answer the close in time. */
  private closeWith(client: Client, code: number, reason: string): void {
    if (client.closing) return;
    client.closing = true;
    client.ws.close(code, reason);
    setTimeout(() => client.ws.terminate(), 2_000).unref();
  }

  /** `{type:"auth", token}`: the first frame of a client without `?access_token=`, or a refreshed token later. */
  private authFrame(client: Client, token: string): void {
    if (client.overlay !== undefined) return this.replyError(client, 'invalid_message', 'An overlay connection signs in with its link only');
    if (!this.options.verifyToken) return this.replyError(client, 'invalid_message', 'This service has no accounts');
    if (client.auth === 'verifying') return;
    const previous = client.auth;
    // A signed-in client refreshing its token keeps working meanwhile; a new one waits for the answer.
    if (previous === 'awaiting_auth') client.auth = 'verifying';
    this.options.verifyToken(token).then(
      (principal) => {
        if (client.userId !== undefined && principal.userId !== client.userId) {
          // A connection belongs to one seller; switching users means a new connection.
          this.closeUnauthorized(client, 'unauthorized');
          return;
        }
        this.signIn(client, principal);
        this.send(client, JSON.stringify({ type: 'authenticated', expiresAt: new Date(principal.expiresAt).toISOString() }));
      },
      () => {
        client.auth = previous;
        this.replyError(client, 'unauthorized', 'Invalid access token');
        this.closeUnauthorized(client, 'unauthorized');
      },
    );
  }

  private socketOnMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.replyError(client, 'invalid_message', 'Frames must be JSON text');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return this.replyError(client, 'invalid_json', 'Frame is not valid JSON');
    }
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) {
      return this.replyError(client, 'invalid_message', 'Expected {type:"subscribe"|"unsubscribe", sessionId, since?}');
    }
    const message = result.data;
    if (message.type === 'auth') return this.authFrame(client, message.token);
    if (client.auth !== 'ready') {
      this.replyError(client, 'unauthorized', 'Send {type:"auth", token} first (or connect with ?access_token=)');
      if (client.auth === 'awaiting_auth') this.closeUnauthorized(client, 'unauthorized');
      return;
    }
    if (message.type === 'ping') {
      this.send(client, JSON.stringify({ type: 'pong' }));
      return;
    }
    if (message.type === 'unsubscribe') {
      this.dropSubscription(client, message.sessionId);
      this.send(client, JSON.stringify({ type: 'unsubscribed', sessionId: message.sessionId }));
      return;
    }
    const sinceProblem = sinceRefusal(message.sessionId, message.since);
    if (sinceProblem) return this.replyError(client, sinceProblem.code, sinceProblem.message);
    if (client.overlay !== undefined ? message.sessionId !== client.overlay : this.accounts && message.sessionId !== '*' && this.options.ownerOf?.(message.sessionId) !== client.userId) {
      // Unknown and another seller's look the same.
      return this.replyError(client, 'session_not_found', `No session ${message.sessionId.slice(0, 100)}`);
    }
    if (!client.subscriptions.has(message.sessionId)) {
      const limits = { perSocket: this.options.maxSubscriptions ?? 200, perSeller: this.options.maxSellerSubscriptions ?? 1_000 };
      const sellerCount = this.accounts && client.userId !== undefined ? (this.sellerSubscriptions.get(client.userId) ?? 0) : undefined;
      if (!subscriptionFits(client.subscriptions.size, sellerCount, limits)) {
        const which = client.subscriptions.size >= limits.perSocket ? `${limits.perSocket} per connection` : `${limits.perSeller} per seller`;
        return this.replyError(client, 'too_many_subscriptions', `At most ${which}: unsubscribe first, or subscribe to "*"`);
      }
      this.addSubscription(client, message.sessionId);
    }
    this.send(client, JSON.stringify({ type: 'subscribed', sessionId: message.sessionId, seq: this.lastSeq(message.sessionId) }));
    if (typeof message.since === 'number') this.replay(client, message.sessionId, message.since);
    else if (message.since !== undefined) this.replayEach(client, message.since);
  }

  /** `since` on "*": each named session the caller may see is resumed as a named subscription would be. */
  private replayEach(client: Client, since: Record<string, number>): void {
    for (const [sessionId, seq] of Object.entries(since)) {
      if (!this.rings.has(sessionId)) continue;
      if (client.overlay !== undefined) continue;
      if (!mayReceive(this.accounts, this.accounts ? this.options.ownerOf?.(sessionId) : undefined, client.userId)) continue;
      this.replay(client, sessionId, seq);
    }
  }

  /** Sends what a reconnecting client missed; reports a gap when the ring no longer holds all of it. */
  private replay(client: Client, sessionId: string, since: number): void {
    const ring = this.rings.get(sessionId);
    if (!ring) return;
    const oldest = ring.entries[0]?.seq ?? ring.seq + 1;
    if (since + 1 < oldest) {
      this.send(client, JSON.stringify({ type: 'gap', sessionId, from: since + 1, to: oldest - 1 }));
    }
    for (const entry of ring.entries) {
      if (entry.seq <= since) continue;
      if (client.overlay === undefined) this.send(client, entry.data);
      else {
        const frame = this.options.overlay?.frame(entry.data);
        if (frame !== undefined) this.send(client, frame);
      }
    }
  }

  private replyError(client: Client, code: string, message: string): void {
    this.send(client, JSON.stringify({ type: 'error', error: { code, message } }));
  }

  /**
   * Writes one frame to a client. The client's socket is corked on its first frame of an event-loop turn and
   * uncorked when the turn ends, so the frames of one turn (a capture batch is many events) leave in one
   * write instead of one write per frame per socket: the syscall, not the framing, is what a delivery costs.
   * ws has no public cork, so this reaches its socket (`_socket`, stable across ws 8); without one it
   * simply writes frame by frame.
   */
  private send(client: Client, data: string | Buffer): void {
    if (client.closing || client.ws.readyState !== client.ws.OPEN) return;
    if (!client.corked) {
      // A slow consumer is one that left the previous turns' frames unread. The check is made once, at the
      // turn's first frame: while corked, the buffer also holds this turn's own frames (a burst of 50 large
      // messages is 800 KB to a client that reads everything), which the uncork hands to the kernel at once.
      if (client.ws.bufferedAmount > this.options.maxBufferedBytes) {
        this.dropSlowConsumer(client);
        return;
      }
      const socket = (client.ws as unknown as { _socket?: Socket })._socket;
      if (socket && !socket.destroyed) {
        socket.cork();
        client.corked = true;
        if (this.corked.push(client) === 1) setImmediate(() => this.uncorkAll());
      }
    }
    client.ws.send(data, TEXT);
    this.delivered++;
  }

  /** The turn's end: every socket corked in it writes what it holds. */
  private uncorkAll(): void {
    const clients = this.corked.splice(0);
    for (const client of clients) {
      client.corked = false;
      const socket = (client.ws as unknown as { _socket?: Socket })._socket;
      if (socket && socket.writableCorked > 0) socket.uncork();
    }
  }

  private dropSlowConsumer(client: Client): void {
    client.closing = true;
    this.slowClosed++;
    this.options.logger.warn({ buffered: client.ws.bufferedAmount }, 'closing slow WebSocket consumer');
    client.ws.close(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason);
    // A client that does not read will not read our close frame either: cut it after a grace period.
    setTimeout(() => client.ws.terminate(), 2_000).unref();
  }

  private pingAll(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        this.remove(client);
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}
