/** The WebSocket hub over real sockets: resume with `since`, slow consumers, bad frames. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { Hub, SLOW_CONSUMER_CLOSE } from '../src/fanout/hub.ts';
import { silentLogger } from '../src/log.ts';
import { Subscriber } from './support/service.ts';

let server: http.Server;
let hub: Hub;
let base: string;

beforeEach(async () => {
  hub = new Hub({ ringSize: 100, maxBufferedBytes: 256 * 1024, pingIntervalMs: 60_000, logger: silentLogger() });
  server = http.createServer((_req, res) => res.end());
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await hub.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function message(i: number, text = `m${i}`) {
  return {
    type: 'new_message' as const,
    message: { id: `id${i}`, platform: 'generic' as const, author: { name: 'a', badges: [] }, text, capturedAt: new Date().toISOString(), backfill: false },
  };
}

test('a reconnecting client with since gets exactly what it missed, then live events', async () => {
  const first = await Subscriber.connect(base, 's1');
  for (let i = 0; i < 5; i++) hub.publish('s1', message(i));
  await first.waitFor(() => first.messages().length === 5);
  const lastSeen = first.messages()[4]!.seq;
  first.close();
  for (let i = 5; i < 12; i++) hub.publish('s1', message(i));
  const again = await Subscriber.connect(base, 's1', lastSeen);
  hub.publish('s1', message(12));
  await again.waitFor(() => again.messages().length === 8);
  expect(again.texts()).toEqual(['m5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12']);
  expect(again.messages().map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
  again.close();
});

test('since older than the ring reports the gap before replaying what remains', async () => {
  for (let i = 0; i < 150; i++) hub.publish('s2', message(i));
  const sub = await Subscriber.connect(base, 's2', 10);
  await sub.waitFor(() => sub.messages().length === 100);
  const gap = sub.events.find((e) => e.type === 'gap');
  expect(gap).toMatchObject({ sessionId: 's2', from: 11, to: 50 });
  expect(sub.messages()[0]!.seq).toBe(51);
  sub.close();
});

test('events reach subscribers of their session and of "*", not others', async () => {
  const one = await Subscriber.connect(base, 'a');
  const all = await Subscriber.connect(base, '*');
  const other = await Subscriber.connect(base, 'b');
  hub.publish('a', message(1));
  hub.publish('b', message(2));
  await all.waitFor(() => all.messages().length === 2);
  await one.waitFor(() => one.messages().length === 1);
  await other.waitFor(() => other.messages().length === 1);
  expect(one.texts()).toEqual(['m1']);
  expect(other.texts()).toEqual(['m2']);
  one.ws.send(JSON.stringify({ type: 'unsubscribe', sessionId: 'a' }));
  await one.waitFor(() => one.events.some((e) => e.type === 'unsubscribed'));
  hub.publish('a', message(3));
  hub.publish('b', message(4));
  await other.waitFor(() => other.messages().length === 2);
  await all.waitFor(() => all.messages().length === 4);
  expect(one.texts()).toEqual(['m1']);
  for (const s of [one, all, other]) s.close();
});

test('a client that stops reading is closed with a reason while another keeps receiving everything', async () => {
  const healthy = await Subscriber.connect(base, 'busy');
  const slow = await Subscriber.connect(base, 'busy');
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    slow.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
  // Stop reading: the socket's receive buffers fill, the server's send buffer grows.
  (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const big = 'x'.repeat(16 * 1024);
  const total = 600;
  for (let i = 0; i < total; i++) {
    hub.publish('busy', message(i, `${i}:${big}`));
    // In bursts of 50 (800 KB), each one read by the healthy client before the next: a client that keeps
    // up is what it stands for. Bursts back to back in one process gave it no turn to read, so on a busy
    // machine it too was over the limit and closed.
    if (i % 50 === 49) await healthy.waitFor(() => healthy.messages().length === i + 1);
  }
  await healthy.waitFor(() => healthy.messages().length === total);
  expect(healthy.messages().map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  // resume reading so the close frame (or the cut) is seen
  (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const result = await closed;
  expect([SLOW_CONSUMER_CLOSE.code, 1006]).toContain(result.code);
  expect(hub.stats().slowConsumersClosed).toBe(1);
  healthy.close();
});

test('malformed client frames get a coded error and the connection stays usable', async () => {
  const sub = await Subscriber.connect(base, 'x');
  sub.ws.send('{not json');
  sub.ws.send(JSON.stringify({ type: 'subscribe' }));
  await sub.waitFor(() => sub.events.filter((e) => e.type === 'error').length === 2);
  expect(sub.events.filter((e) => e.type === 'error').map((e) => e.error.code)).toEqual(['invalid_json', 'invalid_message']);
  hub.publish('x', message(1));
  await sub.waitFor(() => sub.messages().length === 1);
  sub.close();
});

test('the upgrade path is /ws only', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/other`);
  const error = await new Promise<Error>((resolve) => ws.on('error', resolve));
  expect(error.message).toMatch(/404/);
});
