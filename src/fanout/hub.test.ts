import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { silentLogger } from '../log.ts';
import { Hub, subscriptionFits } from './hub.ts';

test('subscriptionFits: the socket bound always, the seller bound with accounts', () => {
  const limits = { perSocket: 3, perSeller: 4 };
  expect(subscriptionFits(2, undefined, limits)).toBe(true);
  expect(subscriptionFits(3, undefined, limits)).toBe(false);
  expect(subscriptionFits(1, 3, limits)).toBe(true);
  expect(subscriptionFits(1, 4, limits)).toBe(false);
});

describe('Hub subscription caps (a real server, accounts with a fake verifier)', () => {
  let server: http.Server;
  let hub: Hub;
  let base: string;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    hub = new Hub({
      ringSize: 16,
      maxBufferedBytes: 1024 * 1024,
      pingIntervalMs: 60_000,
      logger: silentLogger(),
      // The token is the user id: enough to tell two sellers apart.
      verifyToken: async (token) => ({ userId: token, expiresAt: Date.now() + 3_600_000 }),
      ownerOf: (sessionId) => sessionId.split('/')[0],
      maxSubscriptions: 3,
      maxSellerSubscriptions: 4,
    });
    server = http.createServer();
    hub.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });

  afterAll(async () => {
    for (const ws of open) ws.terminate();
    await hub.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A signed-in socket and a function that subscribes and resolves with the answer frame. */
  async function connect(user: string): Promise<{ ws: WebSocket; subscribe: (id: string) => Promise<any> }> {
    const ws = new WebSocket(`${base}?access_token=${user}`);
    open.push(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const subscribe = (sessionId: string): Promise<any> =>
      new Promise((resolve) => {
        ws.once('message', (data) => resolve(JSON.parse(String(data))));
        ws.send(JSON.stringify({ type: 'subscribe', sessionId }));
      });
    return { ws, subscribe };
  }

  test('per socket, then per seller across sockets; another seller is not affected; closing returns them', async () => {
    const a1 = await connect('alice');
    for (const id of ['alice/1', 'alice/2', 'alice/3']) expect((await a1.subscribe(id)).type).toBe('subscribed');
    expect(await a1.subscribe('alice/4')).toMatchObject({ type: 'error', error: { code: 'too_many_subscriptions' } });
    const a2 = await connect('alice');
    expect((await a2.subscribe('alice/4')).type).toBe('subscribed');
    expect(await a2.subscribe('alice/5')).toMatchObject({ type: 'error', error: { code: 'too_many_subscriptions' } });
    const bob = await connect('bob');
    expect((await bob.subscribe('bob/1')).type).toBe('subscribed');
    expect(hub.stats().subscriptions).toBe(5);

    const closed = new Promise((resolve) => a1.ws.once('close', resolve));
    a1.ws.close();
    await closed;
    // The server sees the close before or just after the client; wait for its count, not for time.
    while (hub.stats().subscriptions !== 2) await new Promise((resolve) => setImmediate(resolve));
    expect((await a2.subscribe('alice/5')).type).toBe('subscribed');
  });
});

describe('Hub resume on "*" and one write per turn (a real server, accounts with a fake verifier)', () => {
  let server: http.Server;
  let hub: Hub;
  let base: string;
  const open: WebSocket[] = [];
  /** Per server-side socket, how many times the stream handed bytes to the kernel (_write or _writev). */
  const writes: number[] = [];

  beforeAll(async () => {
    hub = new Hub({
      ringSize: 100,
      maxBufferedBytes: 1024 * 1024,
      pingIntervalMs: 60_000,
      logger: silentLogger(),
      verifyToken: async (token) => ({ userId: token, expiresAt: Date.now() + 3_600_000 }),
      ownerOf: (sessionId) => sessionId.split('/')[0],
    });
    server = http.createServer();
    server.on('upgrade', (_request, socket) => {
      const at = writes.push(0) - 1;
      const raw = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
      const write = raw._write.bind(socket);
      const writev = raw._writev.bind(socket);
      raw._write = (...a) => {
        writes[at]!++;
        write(...a);
      };
      raw._writev = (...a) => {
        writes[at]!++;
        writev(...a);
      };
    });
    hub.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });

  afterAll(async () => {
    for (const ws of open) ws.terminate();
    await hub.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A signed-in socket whose frames are collected; `next(n)` resolves once n more have arrived. */
  async function connect(user: string) {
    const ws = new WebSocket(`${base}?access_token=${user}`);
    open.push(ws);
    const frames: any[] = [];
    const binary: boolean[] = [];
    let waiter: { count: number; resolve: () => void } | null = null;
    ws.on('message', (data, isBinary) => {
      frames.push(JSON.parse(String(data)));
      binary.push(isBinary);
      if (waiter && frames.length >= waiter.count) waiter.resolve();
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const until = (count: number): Promise<void> =>
      frames.length >= count ? Promise.resolve() : new Promise((resolve) => (waiter = { count, resolve }));
    return { ws, frames, binary, until, send: (frame: object) => ws.send(JSON.stringify(frame)) };
  }

  const event = (n: number) => ({ type: 'message_deleted' as const, messageId: `m${n}` });

  test('"*" with a map resumes each named show of the caller, and never another seller\'s', async () => {
    for (let n = 1; n <= 5; n++) {
      hub.publish('alice/a', event(n));
      hub.publish('alice/b', event(n));
      hub.publish('bob/x', event(n));
    }
    const alice = await connect('alice');
    alice.send({ type: 'subscribe', sessionId: '*', since: { 'alice/a': 3, 'alice/b': 0, 'bob/x': 0, 'alice/none': 1 } });
    // subscribed, then alice/a 4..5 and alice/b 1..5.
    await alice.until(8);
    hub.publish('alice/a', event(6));
    await alice.until(9);
    expect(alice.frames[0]).toMatchObject({ type: 'subscribed', sessionId: '*' });
    const seen = alice.frames.slice(1).map((f) => `${f.sessionId}#${f.seq}`);
    expect(seen).toEqual(['alice/a#4', 'alice/a#5', 'alice/b#1', 'alice/b#2', 'alice/b#3', 'alice/b#4', 'alice/b#5', 'alice/a#6']);
    expect(alice.binary.every((b) => b === false)).toBe(true);
  });

  test('a number for since on "*" is refused with a code, and a map on a named show too', async () => {
    const alice = await connect('alice');
    alice.send({ type: 'subscribe', sessionId: '*', since: 3 });
    await alice.until(1);
    expect(alice.frames[0]).toMatchObject({ type: 'error', error: { code: 'since_needs_sessions' } });
    alice.send({ type: 'subscribe', sessionId: 'alice/a', since: { 'alice/a': 1 } });
    await alice.until(2);
    expect(alice.frames[1]).toMatchObject({ type: 'error', error: { code: 'invalid_message' } });
    // Neither subscribed anything: a new event of alice/a does not arrive, a pong does.
    hub.publish('alice/a', event(99));
    alice.send({ type: 'ping' });
    await alice.until(3);
    expect(alice.frames[2]).toEqual({ type: 'pong' });
  });

  test('the frames of one turn leave each socket in one write, in order, complete', async () => {
    const clients = [await connect('carol'), await connect('carol'), await connect('carol')];
    for (const c of clients) c.send({ type: 'subscribe', sessionId: 'carol/s' });
    await Promise.all(clients.map((c) => c.until(1)));
    const before = writes.slice(-3);
    for (let n = 1; n <= 50; n++) hub.publish('carol/s', event(n));
    await Promise.all(clients.map((c) => c.until(51)));
    for (const c of clients) expect(c.frames.slice(1).map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Without corking each of the 50 frames would be its own write on each socket.
    expect(writes.slice(-3).map((w, i) => w - before[i]!)).toEqual([1, 1, 1]);
  });
});
