/**
 * Shows and lots over the service's HTTP API and WebSocket, with real Chromium watching a fixture page:
 * one session per show, `seller` naming the host, the ledger's lots, corrections (PATCH) with their
 * lot_update events, coded errors, and the pick list as JSON and CSV.
 */
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

let fixtures: FixtureServer;
let service: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  service = await startTestService();
}, 60_000);

afterAll(async () => {
  await service?.close();
  await fixtures?.close();
});

const SELECTORS = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${service.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

test('a show run from chat: lots, corrections, events, pick list; a restart after a stop is a new show', async () => {
  const url = fixtures.pageUrl('lots-show', { mode: 'plain' });
  const start = await post(service.url, '/api/start-monitoring', { url, selectors: SELECTORS, seller: '@Hannah' });
  expect(start.status).toBe(201);
  const sessionId: string = start.body.sessionId;
  expect(start.body.sellers).toEqual(['Hannah']);
  const sub = await Subscriber.connect(service.url, sessionId);
  const lotEvents = () => sub.events.filter((e) => e.type === 'lot_update');

  fixtures.room('lots-show').post([
    { author: 'hannah', text: "A1 Levi's 501 jeans $45" },
    { author: 'amy', text: 'sold' },
    { author: 'bob', text: 'A1 pls' },
  ]);
  await sub.waitFor(() => lotEvents().some((e) => e.lot.code === 'A1' && e.lot.waitlist.length === 1));
  const buyer = sub.events.find((e) => e.type === 'buyer_detected' && e.buyer.username === 'amy');
  expect(buyer?.buyer).toMatchObject({ lot: 'A1', item: "Levi's 501 jeans", price: 45 });

  const lots = await call('GET', `/api/sessions/${sessionId}/lots`);
  expect(lots.status).toBe(200);
  expect(lots.body.lots).toEqual([
    expect.objectContaining({
      code: 'A1',
      title: "Levi's 501 jeans",
      price: 45,
      status: 'open',
      winner: expect.objectContaining({ username: 'amy', messageId: expect.any(String), at: expect.any(String) }),
      waitlist: [expect.objectContaining({ username: 'bob' })],
      paid: false,
      packed: false,
      shipped: false,
    }),
  ]);

  // The seller corrects in place: the change is stored and announced.
  const seenBefore = lotEvents().length;
  const patched = await call('PATCH', `/api/sessions/${sessionId}/lots/a1`, { winner: 'bob', price: 40, paid: true });
  expect(patched.status).toBe(200);
  expect(patched.body.lot).toMatchObject({ code: 'A1', winner: { username: 'bob' }, price: 40, paid: true, waitlist: [] });
  await sub.waitFor(() => lotEvents().length > seenBefore);
  expect(lotEvents().at(-1)!.lot).toMatchObject({ code: 'A1', winner: { username: 'bob' }, price: 40 });

  // Coded errors.
  expect(await call('PATCH', `/api/sessions/${sessionId}/lots/Z9`, { paid: true })).toMatchObject({ status: 404, body: { error: { code: 'lot_not_found' } } });
  for (const bad of [{}, { price: 'forty' }, { winner: 7 }, { evil: true }, '[]', '{"price":']) {
    const res = await call('PATCH', `/api/sessions/${sessionId}/lots/A1`, bad);
    expect(res.status).toBe(400);
    expect(['invalid_body', 'invalid_json']).toContain(res.body.error.code);
  }
  expect((await call('GET', '/api/sessions/nope/lots')).body.error.code).toBe('session_not_found');

  const pick = await call('GET', `/api/sessions/${sessionId}/picklist`);
  expect(pick.body.buyers).toEqual([expect.objectContaining({ username: 'bob', total: 40, paid: true, lots: [expect.objectContaining({ code: 'A1' })] })]);
  const csv = await call('GET', `/api/sessions/${sessionId}/picklist.csv`);
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  expect(csv.body).toBe("buyer,lot,title,price,paid,packed,shipped\r\nbob,A1,\"Levi's 501 jeans\",40,true,false,false\r\nbob,TOTAL,,40,true,false,false\r\n");
  const byLot = await call('GET', `/api/sessions/${sessionId}/picklist.csv?by=lot`);
  expect(String(byLot.body).split('\r\n')[1]).toBe(`A1,"Levi's 501 jeans",40,open,bob,,true,false,false`);
  expect((await call('GET', `/api/sessions/${sessionId}/picklist.csv?by=nope`)).status).toBe(400);

  // The next show of the same URL is a new session; the first keeps its lots.
  await post(service.url, '/api/stop-monitoring', { sessionId });
  const again = await post(service.url, '/api/start-monitoring', { url, selectors: SELECTORS });
  expect(again.status).toBe(201);
  expect(again.body.sessionId).not.toBe(sessionId);
  const repeat = await post(service.url, '/api/start-monitoring', { url, selectors: SELECTORS });
  expect(repeat).toMatchObject({ status: 200, body: { sessionId: again.body.sessionId } });
  expect((await call('GET', `/api/sessions/${again.body.sessionId}/lots`)).body.lots).toEqual([]);
  expect((await call('GET', `/api/sessions/${sessionId}/lots`)).body.lots).toHaveLength(1);
  await post(service.url, '/api/stop-monitoring', { sessionId: again.body.sessionId });
  sub.close();
});

test('seller is validated: a name or a list of names', async () => {
  const bad = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl('x'), seller: ['', 'a'] });
  expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  const tooMany = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl('x'), seller: Array.from({ length: 21 }, (_, i) => `s${i}`) });
  expect(tooMany.status).toBe(400);
});
