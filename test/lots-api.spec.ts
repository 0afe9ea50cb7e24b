/**
 * Shows and lots over the service's HTTP API and WebSocket, with real Chromium watching a fixture page:
 * one session per show, `seller` naming the host, the ledger's lots, corrections (PATCH, version check)
 * with their lot_update events, undo, history, coded errors, the pick list as JSON and CSV, /buyers and
 * /lots agreeing, settlement at stop and the audit export.
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
  expect(buyer?.buyer).toMatchObject({ lot: 'A1', item: "Levi's 501 jeans", price: 45, status: 'winner' });
  const waiting = sub.events.find((e) => e.type === 'buyer_detected' && e.buyer.username === 'bob');
  expect(waiting?.buyer).toMatchObject({ lot: 'A1', status: 'waitlist' });

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

  // The seller corrects in place: the change is stored and announced with the show's counts.
  const seenBefore = lotEvents().length;
  const seen = lots.body.lots[0];
  const marked = await call('PATCH', `/api/sessions/${sessionId}/lots/a1`, { paid: true, packed: true, version: seen.version });
  expect(marked).toMatchObject({ status: 200, body: { lot: { paid: true, packed: true, assignment: { username: 'amy', paid: true } } } });
  // A second dashboard that saw the old version: 409 with the lot as it is now; its edit is not lost silently.
  const stale = await call('PATCH', `/api/sessions/${sessionId}/lots/A1`, { winner: 'bob', version: seen.version });
  expect(stale).toMatchObject({ status: 409, body: { error: { code: 'lot_changed', lot: { code: 'A1', version: marked.body.lot.version, paid: true } } } });
  const patched = await call('PATCH', `/api/sessions/${sessionId}/lots/a1`, { winner: 'bob', price: 40, version: marked.body.lot.version });
  expect(patched.status).toBe(200);
  // The new winner starts unpaid; amy keeps her marks in history and waits first.
  expect(patched.body.lot).toMatchObject({ code: 'A1', winner: { username: 'bob' }, price: 40, priceCents: 4000, paid: false, packed: false, waitlist: [{ username: 'amy' }] });
  await sub.waitFor(() => lotEvents().length > seenBefore + 1);
  expect(lotEvents().at(-1)).toMatchObject({ lot: { code: 'A1', winner: { username: 'bob' }, price: 40 }, summary: { pending: 1, pendingCents: 4000, revenueCents: 0 } });

  // Undo gives the lot back to amy with her marks; a second undo takes back the marks; then nothing is left.
  const undone = await call('POST', `/api/sessions/${sessionId}/lots/A1/undo`);
  expect(undone).toMatchObject({ status: 200, body: { lot: { winner: { username: 'amy' }, paid: true, packed: true, price: 45 } } });
  await sub.waitFor(() => lotEvents().some((e) => e.lot.version === undone.body.lot.version));
  expect((await call('POST', `/api/sessions/${sessionId}/lots/A1/undo`)).body.lot).toMatchObject({ paid: false, winner: { username: 'amy' } });
  expect(await call('POST', `/api/sessions/${sessionId}/lots/A1/undo`)).toMatchObject({ status: 404, body: { error: { code: 'nothing_to_undo' } } });
  expect(await call('POST', `/api/sessions/${sessionId}/lots/Z9/undo`)).toMatchObject({ status: 404, body: { error: { code: 'lot_not_found' } } });
  const redo = await call('PATCH', `/api/sessions/${sessionId}/lots/A1`, { winner: 'bob', price: 40, paid: true });
  expect(redo.body.lot).toMatchObject({ winner: { username: 'bob' }, paid: true });

  const history = await call('GET', `/api/sessions/${sessionId}/lots/a1/history`);
  expect(history.status).toBe(200);
  expect(history.body.code).toBe('A1');
  expect(history.body.history.map((e: any) => `${e.action}:${e.by.kind}`)).toEqual([
    'announce:message',
    'claim:message',
    'waitlist:message',
    'correct:seller',
    'assign:seller',
    'undo:seller',
    'undo:seller',
    'assign:seller',
  ]);
  expect(history.body.history[1]).toMatchObject({ by: { kind: 'message', username: 'amy', messageId: expect.any(String) }, before: { winner: null }, after: { winner: { username: 'amy' } } });
  expect((await call('GET', `/api/sessions/${sessionId}/lots/Z9/history`)).status).toBe(404);

  // Coded errors.
  expect(await call('PATCH', `/api/sessions/${sessionId}/lots/Z9`, { paid: true })).toMatchObject({ status: 404, body: { error: { code: 'lot_not_found' } } });
  for (const bad of [{}, { price: 'forty' }, { winner: 7 }, { evil: true }, { version: 'x', paid: true }, { version: 3 }, { priceCents: 1.5 }, '[]', '{"price":']) {
    const res = await call('PATCH', `/api/sessions/${sessionId}/lots/A1`, bad);
    expect(res.status).toBe(400);
    expect(['invalid_body', 'invalid_json']).toContain(res.body.error.code);
  }
  expect((await call('GET', '/api/sessions/nope/lots')).body.error.code).toBe('session_not_found');

  const pick = await call('GET', `/api/sessions/${sessionId}/picklist`);
  expect(pick.body.buyers).toEqual([expect.objectContaining({ username: 'bob', total: 40, totalCents: 4000, paid: true, lots: [expect.objectContaining({ code: 'A1', status: 'pending' })] })]);
  const csv = await call('GET', `/api/sessions/${sessionId}/picklist.csv`);
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  expect(csv.body).toBe("buyer,lot,title,price,status,paid,packed,shipped\r\nbob,A1,\"Levi's 501 jeans\",40.00,pending,true,false,false\r\nbob,TOTAL,,40.00,,true,false,false\r\n");
  const byLot = await call('GET', `/api/sessions/${sessionId}/picklist.csv?by=lot`);
  expect(String(byLot.body).split('\r\n')[1]).toBe(`A1,"Levi's 501 jeans",40.00,open,bob,amy,true,false,false`);
  expect((await call('GET', `/api/sessions/${sessionId}/picklist.csv?by=nope`)).status).toBe(400);

  // /buyers and /lots count the same people: only the ledger's winners are buyers.
  const buyers = await call('GET', `/api/sessions/${sessionId}/buyers`);
  const live = await call('GET', `/api/sessions/${sessionId}/lots`);
  expect(buyers.body.summary).toEqual(live.body.summary);
  expect(buyers.body.buyers.map((b: any) => b.username)).toEqual(['bob']);
  expect(live.body.summary).toMatchObject({ sold: 0, pending: 1, buyers: 0, pendingBuyers: 1, revenueCents: 0, pendingCents: 4000 });
  const listed = await call('GET', `/api/sessions/${sessionId}`);
  expect(listed.body).toMatchObject({ buyerCount: 1, sales: { sold: 0, pending: 1, revenueCents: 0, pendingCents: 4000 } });

  // Stop: the open lot settles, sold to its winner, announced; revenue now counts it; undo cannot reopen it.
  const beforeStop = lotEvents().length;
  await post(service.url, '/api/stop-monitoring', { sessionId });
  await sub.waitFor(() => lotEvents().length > beforeStop);
  expect(lotEvents().at(-1)).toMatchObject({ lot: { code: 'A1', status: 'sold' }, summary: { sold: 1, pending: 0, buyers: 1, revenueCents: 4000 } });
  const ended = await call('GET', `/api/sessions/${sessionId}/lots`);
  expect(ended.body.lots[0]).toMatchObject({ status: 'sold', winner: { username: 'bob' } });
  expect(ended.body.summary).toMatchObject({ sold: 1, pending: 0, open: 0, revenueCents: 4000 });
  expect((await call('GET', `/api/sessions/${sessionId}/buyers`)).body.buyers).toEqual([expect.objectContaining({ username: 'bob', sold: 1, pending: 0, totalCents: 4000 })]);
  expect(await call('POST', `/api/sessions/${sessionId}/lots/A1/undo`)).toMatchObject({ status: 409, body: { error: { code: 'lot_changed' } } });

  // The audit export: each claim with its platform time, capture time and message id; CSV cells neutralized.
  const audit = await call('GET', `/api/sessions/${sessionId}/audit.json`);
  const entries = audit.body.lots[0].entries;
  expect(entries.find((e: any) => e.action === 'claim')).toMatchObject({ username: 'amy', text: 'sold', messageId: expect.any(String), capturedAt: expect.any(String) });
  expect(entries.at(-1)).toMatchObject({ action: 'settle', by: { kind: 'seller' }, winner: 'bob' });
  const auditCsv = await call('GET', `/api/sessions/${sessionId}/audit.csv`);
  expect(auditCsv.headers.get('content-type')).toMatch(/text\/csv/);
  expect(String(auditCsv.body).split('\r\n')[0]).toBe('lot,at,action,by,username,message_id,sent_at,captured_at,text,winner,reason');
  expect(String(auditCsv.body)).toMatch(/\r\nA1,[^,]+,claim,message,amy,/);

  // The next show of the same URL is a new session; the first keeps its lots.
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
