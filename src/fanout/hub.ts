/**
 * The WebSocket hub at /ws: per-session sequence numbers, a bounded resume ring per session, one
 * serialization per event whatever the number of subscribers, and a slow-consumer policy that closes a
 * client whose send buffer passes a bound instead of letting it slow capture or other clients.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { SessionEvent, SessionEventBody } from '../domain/events.ts';
import type { Logger } from '../log.ts';

export interface HubOptions {
  ringSize: number;
  maxBufferedBytes: number;
  pingIntervalMs: number;
  logger: Logger;
  /** Returns true when the upgrade request may connect (API token check). */
  authorize?: (request: IncomingMessage) => boolean;
}

/** Close code and reason a slow consumer gets. */
export const SLOW_CONSUMER_CLOSE = { code: 4008, reason: 'slow_consumer' } as const;

const ClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    sessionId: z.string().min(1).max(200),
    since: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), sessionId: z.string().min(1).max(200) }),
  z.object({ type: z.literal('ping') }),
]);

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
}

export class Hub {
  private readonly options: HubOptions;
  private readonly rings = new Map<string, Ring>();
  private readonly clients = new Set<Client>();
  private readonly wss: WebSocketServer;
  private pingTimer: NodeJS.Timeout | null = null;
  private delivered = 0;
  private slowClosed = 0;

  constructor(options: HubOptions) {
    this.options = options;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
    this.wss.on('connection', (ws) => this.wssOnConnection(ws));
  }

  /** Serves the hub on `path` of an existing HTTP server. */
  attach(server: Server, path = '/ws'): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (this.options.authorize && !this.options.authorize(request)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
    });
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Stamps an event with the session's next seq, keeps it in the ring and sends it to subscribers. */
  publish(sessionId: string, body: SessionEventBody): SessionEvent {
    const ring = this.ringFor(sessionId);
    ring.seq += 1;
    const event = { ...body, sessionId, seq: ring.seq } as SessionEvent;
    const data = JSON.stringify(event);
    ring.entries.push({ seq: ring.seq, data });
    if (ring.entries.length > this.options.ringSize) ring.entries.splice(0, ring.entries.length - this.options.ringSize);
    for (const client of this.clients) {
      if (client.subscriptions.has(sessionId) || client.subscriptions.has('*')) this.send(client, data);
    }
    return event;
  }

  /**
   * Continues a session's numbering after a restart, so clients resuming with `since` from before the
   * restart are not handed lower numbers than they have already seen.
   */
  continueSeq(sessionId: string, lastSeq: number): void {
    const ring = this.ringFor(sessionId);
    if (lastSeq > ring.seq) ring.seq = lastSeq;
  }

  /** The last seq issued for a session (0 when none). */
  lastSeq(sessionId: string): number {
    return this.rings.get(sessionId)?.seq ?? 0;
  }

  stats(): { clients: number; sessions: number; delivered: number; slowConsumersClosed: number } {
    return { clients: this.clients.size, sessions: this.rings.size, delivered: this.delivered, slowConsumersClosed: this.slowClosed };
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

  private wssOnConnection(ws: WebSocket): void {
    const client: Client = { ws, subscriptions: new Set(), alive: true, closing: false };
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.socketOnMessage(client, data, isBinary));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
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
    if (message.type === 'ping') {
      this.send(client, JSON.stringify({ type: 'pong' }));
      return;
    }
    if (message.type === 'unsubscribe') {
      client.subscriptions.delete(message.sessionId);
      this.send(client, JSON.stringify({ type: 'unsubscribed', sessionId: message.sessionId }));
      return;
    }
    client.subscriptions.add(message.sessionId);
    this.send(client, JSON.stringify({ type: 'subscribed', sessionId: message.sessionId, seq: this.lastSeq(message.sessionId) }));
    if (message.since !== undefined && message.sessionId !== '*') this.replay(client, message.sessionId, message.since);
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
      if (entry.seq > since) this.send(client, entry.data);
    }
  }

  private replyError(client: Client, code: string, message: string): void {
    this.send(client, JSON.stringify({ type: 'error', error: { code, message } }));
  }

  private send(client: Client, data: string): void {
    if (client.closing || client.ws.readyState !== client.ws.OPEN) return;
    if (client.ws.bufferedAmount > this.options.maxBufferedBytes) {
      this.dropSlowConsumer(client);
      return;
    }
    client.ws.send(data);
    this.delivered++;
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
        this.clients.delete(client);
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}
