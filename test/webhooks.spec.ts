/**
 * Outgoing webhooks end to end: the real service (accounts with HS256 tokens, or an API token), a real
 * show in Chromium on the fixture pages, and a real HTTPS receiver on loopback that verifies every
 * signature with the `standardwebhooks` package. Waits are on conditions; the retry schedule and the
 * dead-letter age are shortened through the service's own configuration.
 */
import { WebhookPayload } from '../supabase/functions/_shared/contract.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { startFakeSupabaseAuth, type FakeSupabaseAuth } from './fakes/supabase-auth-server.ts';
import { startTestService } from './support/service.ts';
import { until } from './support/wait.ts';
import { RECEIVER_CA_FILE, WebhookReceiver } from './support/webhook-receiver.ts';

type Service = Awaited<ReturnType<typeof startTestService>>;

async function call(base: string, method: string, route: string, auth: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...auth };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

const FAST = { WEBHOOK_CA_FILE: RECEIVER_CA_FILE, WEBHOOK_RETRY_MIN_MS: '50', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_POLL_MS: '100' };

describe('a seller with accounts', () => {
  const SECRET = 'webhooks-spec-hs256-secret-of-at-least-32-chars';
  let auth: FakeSupabaseAuth;
  let fixtures: FixtureServer;
  let service: Service;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  const receiver = new WebhookReceiver();
  const api = (who: Record<string, string>, method: string, route: string, body?: unknown) => call(service.url, method, route, who, body);

  beforeAll(async () => {
    auth = await startFakeSupabaseAuth({ secret: SECRET });
    fixtures = await startFixtureServer();
    await receiver.start();
    service = await startTestService({ AUTH_JWT_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_DEAD_AFTER_MS: '600000', ...FAST });
    alice = { authorization: `Bearer ${await auth.tokenFor(auth.addUser('alice@example.test', 'pw'))}` };
    bob = { authorization: `Bearer ${await auth.tokenFor(auth.addUser('bob@example.test', 'pw'))}` };
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await receiver.stop();
    await fixtures?.close();
    await auth?.close();
  });

  test("a show's events reach the receiver signed, each once, in the order the show made them; another seller sees none of it", async () => {
    const created = await api(alice, 'POST', '/api/webhooks', {
      url: receiver.url,
      events: ['show.started', 'show.ended', 'buyer.detected', 'lot.sold', 'lot.corrected'],
      description: 'team sheet',
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    receiver.secret = created.body.secret;
    const endpointId: string = created.body.id;
    // The secret is shown once: never in a list or a read.
    const listed = await api(alice, 'GET', '/api/webhooks');
    expect(listed.body.endpoints.map((e: any) => e.id)).toEqual([endpointId]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(JSON.stringify((await api(alice, 'GET', `/api/webhooks/${endpointId}`)).body)).not.toContain('whsec_');
    // Private targets are allowed here, instance metadata never.
    const metadata = await api(alice, 'POST', '/api/webhooks', { url: 'https://169.254.169.254/latest', events: ['lot.sold'] });
    expect([metadata.status, metadata.body.error?.code]).toEqual([400, 'url_not_allowed']);

    const url = fixtures.pageUrl('webhook-show', { mode: 'plain' });
    const selectors = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
    const start = await api(alice, 'POST', '/api/start-monitoring', { url, selectors, seller: '@Hannah' });
    expect(start.status).toBe(201);
    const sessionId: string = start.body.sessionId;
    fixtures.room('webhook-show').post([
      { author: 'hannah', text: 'A1 wool beanie $18' },
      { author: 'amy', text: 'sold' },
    ]);
    await until(() => receiver.received.some((r) => r.type === 'buyer.detected'), 'the buyer webhook');
    const corrected = await api(alice, 'PATCH', `/api/sessions/${sessionId}/lots/A1`, { price: 20 });
    expect(corrected.status).toBe(200);
    await until(() => receiver.received.some((r) => r.type === 'lot.corrected'), 'the correction webhook');
    expect((await api(alice, 'POST', '/api/stop-monitoring', { sessionId })).status).toBe(200);
    await until(() => receiver.received.some((r) => r.type === 'show.ended') && receiver.received.some((r) => r.type === 'lot.sold'), 'the end of the show');

    const got = receiver.received.filter((r) => r.body.data.sessionId === sessionId);
    expect(got.every((r) => r.verified)).toBe(true);
    // Every body is what the contract (and so the OpenAPI document's `webhooks`) says it is.
    for (const r of got) expect({ type: r.type, parsed: WebhookPayload.safeParse(r.body).success }).toEqual({ type: r.type, parsed: true });
    expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
    expect(got[0]!.type).toBe('show.started');
    const buyer = got.find((r) => r.type === 'buyer.detected')!;
    expect(buyer.body.data.buyer).toMatchObject({ username: 'amy', lot: 'A1' });
    expect(got.find((r) => r.type === 'lot.corrected')!.body.data.lot).toMatchObject({ code: 'A1', priceCents: 2000 });
    expect(got.find((r) => r.type === 'lot.sold')!.body.data.lot).toMatchObject({ code: 'A1', status: 'sold', priceCents: 2000, winner: { username: 'amy' } });

    // The outbox holds each delivery once, delivered, and they reached the receiver in the order they were written.
    const deliveries = (await api(alice, 'GET', `/api/webhooks/${endpointId}/deliveries?limit=100`)).body.deliveries as any[];
    const ofShow = deliveries.filter((d) => d.sessionId === sessionId).reverse();
    expect(ofShow.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    expect(got.map((r) => r.id)).toEqual(ofShow.map((d) => d.eventId));

    // Another seller: no endpoints, and alice's are not found (never "forbidden", which would say they exist).
    expect((await api(bob, 'GET', '/api/webhooks')).body.endpoints).toEqual([]);
    for (const [method, route, body] of [
      ['GET', `/api/webhooks/${endpointId}`],
      ['PATCH', `/api/webhooks/${endpointId}`, { enabled: false }],
      ['POST', `/api/webhooks/${endpointId}/rotate`],
      ['POST', `/api/webhooks/${endpointId}/test`],
      ['GET', `/api/webhooks/${endpointId}/deliveries`],
      ['DELETE', `/api/webhooks/${endpointId}`],
    ] as const) {
      const answer = await api(bob, method, route, body);
      expect({ route: `${method} ${route}`, status: answer.status, code: answer.body.error?.code }).toEqual({ route: `${method} ${route}`, status: 404, code: 'webhook_not_found' });
    }
    const replay = await api(bob, 'POST', `/api/webhooks/deliveries/${ofShow[0].id}/replay`);
    expect([replay.status, replay.body.error.code]).toEqual([404, 'delivery_not_found']);
    expect((await api(alice, 'GET', `/api/webhooks/${endpointId}`)).body.enabled).toBe(true);
  }, 120_000);

  test('a receiver that is down gets every delivery, in order, when it comes back; a rotated secret signs from then on', async () => {
    const down = new WebhookReceiver();
    await down.start();
    const created = await api(alice, 'POST', '/api/webhooks', { url: down.url, events: ['show.started'] });
    down.secret = created.body.secret;
    await down.stop();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api(alice, 'POST', `/api/webhooks/${created.body.id}/test`)).body.eventId);
    const deliveries = () => api(alice, 'GET', `/api/webhooks/${created.body.id}/deliveries`).then((r) => r.body.deliveries as any[]);
    // The first is retried while the others wait behind it: order before speed.
    await until(async () => (await deliveries()).find((d) => d.eventId === ids[0] && d.attempts >= 3), 'three failed attempts of the first');
    const waiting = await deliveries();
    expect(waiting.filter((d) => d.eventId !== ids[0]).map((d) => [d.status, d.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(waiting.find((d) => d.eventId === ids[0]).lastError).toMatch(/^network: ECONNREFUSED/);
    const rotated = await api(alice, 'POST', `/api/webhooks/${created.body.id}/rotate`);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    down.secret = rotated.body.secret;
    await down.start();
    await until(() => down.received.length >= 4, 'the four deliveries');
    expect(down.received.map((r) => r.id)).toEqual(ids);
    expect(down.received.every((r) => r.verified && r.type === 'ping')).toBe(true);
    await down.stop();
  }, 120_000);
});

describe('the service without accounts', () => {
  let service: Service;
  const receiver = new WebhookReceiver();
  const TOKEN = 'webhooks-spec-api-token-0123456789';
  const key = { 'x-api-key': TOKEN };
  const api = (method: string, route: string, body?: unknown) => call(service.url, method, route, key, body);
  const env = () => ({
    API_TOKEN: TOKEN,
    // Only the receiver's origin among private targets: every other loopback port is refused.
    WEBHOOK_ALLOW_PRIVATE_URLS: `https://127.0.0.1:${receiver.port}`,
    WEBHOOK_DEAD_AFTER_MS: '1500',
    WEBHOOK_TIMEOUT_MS: '1000',
    ...FAST,
  });

  beforeAll(async () => {
    await receiver.start();
    service = await startTestService(env());
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await receiver.stop();
  });

  async function endpoint(): Promise<string> {
    const created = await api('POST', '/api/webhooks', { url: receiver.url, events: ['lot.sold'] });
    expect(created.status).toBe(201);
    receiver.secret = created.body.secret;
    return created.body.id;
  }
  const deliveriesOf = (id: string) => api('GET', `/api/webhooks/${id}/deliveries`).then((r) => r.body.deliveries as any[]);

  test('URLs that are not https, or reach private, loopback or metadata addresses, are refused with a code', async () => {
    const cases: Array<[string, string]> = [
      ['http://example.com/hook', 'invalid_webhook_url'],
      ['ftp://example.com/hook', 'invalid_webhook_url'],
      ['not a url', 'invalid_webhook_url'],
      ['https://user:pw@example.com/hook', 'invalid_webhook_url'],
      ['https://127.0.0.1:1/hook', 'url_not_allowed'],
      ['https://10.1.2.3/hook', 'url_not_allowed'],
      ['https://169.254.169.254/latest/meta-data', 'url_not_allowed'],
      ['https://[::ffff:127.0.0.1]/hook', 'url_not_allowed'],
      ['https://localhost/hook', 'url_not_allowed'],
    ];
    for (const [url, code] of cases) {
      const answer = await api('POST', '/api/webhooks', { url, events: ['lot.sold'] });
      expect({ url, status: answer.status, code: answer.body.error?.code }).toEqual({ url, status: 400, code });
    }
    const bad = await api('POST', '/api/webhooks', { url: receiver.url, events: ['lot.eaten'] });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_body']);
    expect((await api('GET', '/api/webhooks')).body.endpoints).toEqual([]);
  });

  test('a receiver answering 500 is retried until the delivery is dead; a replay delivers it with the same webhook-id', async () => {
    const id = await endpoint();
    receiver.mode = 'fail';
    const { eventId } = (await api('POST', `/api/webhooks/${id}/test`)).body;
    const dead = await until(async () => (await deliveriesOf(id)).find((d) => d.eventId === eventId && d.status === 'dead'), 'a dead delivery');
    expect(dead.attempts).toBeGreaterThanOrEqual(2);
    expect(dead.lastStatus).toBe(500);
    expect(dead.lastError).toContain('receiver is failing');
    expect(receiver.received).toEqual([]);
    receiver.mode = 'ok';
    const replayed = await api('POST', `/api/webhooks/deliveries/${dead.id}/replay`);
    expect([replayed.status, replayed.body.status]).toEqual([200, 'pending']);
    await until(() => receiver.received.find((r) => r.id === eventId), 'the replayed delivery');
    expect(receiver.received.filter((r) => r.id === eventId)).toHaveLength(1);
    expect(receiver.received[0]!.verified).toBe(true);
    await until(async () => (await deliveriesOf(id)).find((d) => d.eventId === eventId && d.status === 'delivered'), 'delivered');
    await api('DELETE', `/api/webhooks/${id}`);
  }, 60_000);

  test('a receiver that never answers times out; one that echoes a huge body is cut off and the delivery counts; 410 turns the endpoint off', async () => {
    const id = await endpoint();
    receiver.mode = 'hang';
    const slow = (await api('POST', `/api/webhooks/${id}/test`)).body.eventId;
    const timedOut = await until(async () => (await deliveriesOf(id)).find((d) => d.eventId === slow && d.lastError), 'a timed-out attempt');
    expect(timedOut.lastError).toMatch(/^timeout: no answer within 1000 ms/);
    receiver.mode = 'huge';
    // A new one: the hanging one may still be tried once more before it dies (its life is 1.5 s here).
    const echoed = (await api('POST', `/api/webhooks/${id}/test`)).body.eventId;
    await until(async () => (await deliveriesOf(id)).find((d) => d.eventId === echoed && d.status === 'delivered'), 'delivered despite the echo');
    await until(() => receiver.hugeCut >= 1, 'the echo cut off');
    receiver.mode = 'gone';
    await api('POST', `/api/webhooks/${id}/test`);
    const off = await until(async () => {
      const read = (await api('GET', `/api/webhooks/${id}`)).body;
      return read.enabled === false && read;
    }, 'the endpoint turned off');
    expect(off.disabledReason).toBe('gone');
    receiver.mode = 'ok';
    await api('DELETE', `/api/webhooks/${id}`);
  }, 60_000);

  test('deliveries waiting when the service stops are sent after it starts again', async () => {
    // A life long enough that the delivery is still pending across the restart.
    await service.close();
    service = await startTestService({ ...env(), WEBHOOK_DEAD_AFTER_MS: '600000', DATA_DIR: service.dataDir });
    const id = await endpoint();
    await receiver.stop();
    const before = receiver.received.length;
    const { eventId } = (await api('POST', `/api/webhooks/${id}/test`)).body;
    await until(async () => (await deliveriesOf(id)).find((d) => d.eventId === eventId && d.attempts >= 1), 'a failed attempt');
    // The gauge counts the outbox when scraped: this one delivery waits.
    const scrape = await fetch(`${service.url}/metrics`, { headers: key }).then((r) => r.text());
    expect(scrape).toMatch(/^earshot_webhook_pending_deliveries 1$/m);
    await service.close();
    await receiver.start();
    service = await startTestService({ ...env(), WEBHOOK_DEAD_AFTER_MS: '600000', DATA_DIR: service.dataDir });
    await until(() => receiver.received.slice(before).find((r) => r.id === eventId), 'the delivery after the restart');
    expect(receiver.received.filter((r) => r.id === eventId)).toHaveLength(1);
  }, 120_000);
});
