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
