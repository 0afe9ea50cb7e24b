/**
 * Text is made safe at the HTTP edge and at capture, end to end (real service, Chromium on a fixture
 * page, the embedded backend): a NUL or a lone surrogate in a body or a query never reaches the database,
 * so it cannot stop storage for anyone, and it is never a 500. Regressions of issue 24: a `seller` with
 * NUL halted storage for every show after it; a 1,999-character message or a 199-character name ending in
 * an emoji was cut inside the emoji and refused with its whole batch; NUL in `q`, `before`,
 * `allowedUsers` or the bot trigger answered 500 `internal`.
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

async function call(method: string, route: string, body?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${service.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Starts a show on fixture room `room` with `sellerJson` (raw JSON, so escapes reach the parser as sent). */
async function startShow(room: string, sellerJson: string): Promise<{ sessionId: string; sellers: string[]; sub: Subscriber }> {
  const url = fixtures.pageUrl(room, { mode: 'plain' });
  const start = await post(service.url, '/api/start-monitoring', `{"url":${JSON.stringify(url)},"selectors":${JSON.stringify(SELECTORS)},"seller":${sellerJson}}`);
  expect(start.status).toBe(201);
  const sessionId: string = start.body.sessionId;
  return { sessionId, sellers: start.body.sellers, sub: await Subscriber.connect(service.url, sessionId) };
}

/** Resolves once the backend's answer for `username`'s claim came back: the batch holding it was stored. */
function claimStored(sub: Subscriber, username: string): Promise<void> {
  return sub.waitFor(() => sub.events.some((e) => e.type === 'buyer_detected' && e.buyer.username === username), 60_000);
}

test('a seller named with NUL is scrubbed, its show stores every message, emoji at the caps included, and so does the next show', async () => {
  const first = await startShow('text-nul', '"hann\\u0000ah"');
  expect(first.sellers).toEqual(['hannah']);
  fixtures.room('text-nul').post([
    { author: 'hannah', text: 'A1 denim jacket $20' },
    { author: `${'n'.repeat(199)}😀`, text: `${'x'.repeat(1_999)}😀` },
    { author: 'bo😀', text: `${'y'.repeat(1_998)}😀` },
    { author: 'amy', text: 'sold' },
  ]);
  await claimStored(first.sub, 'amy');
  const page = await call('GET', `/api/sessions/${first.sessionId}/messages?limit=50`);
  expect(page.status).toBe(200);
  const stored = page.body.messages.map((m: { author: { name: string }; text: string }) => [m.author.name, m.text]);
  expect(stored).toEqual(
    expect.arrayContaining([
      ['n'.repeat(199), 'x'.repeat(1_999)],
      ['bo😀', `${'y'.repeat(1_998)}😀`],
      ['amy', 'sold'],
    ]),
  );
  const lots = await call('GET', `/api/sessions/${first.sessionId}/lots`);
  expect(lots.body.lots).toEqual([expect.objectContaining({ code: 'A1', winner: expect.objectContaining({ username: 'amy' }) })]);

  // A show started after it, by another seller, with a lone surrogate in the name: stored too.
  const second = await startShow('text-surrogate', '["cy\\ud800"]');
  expect(second.sellers).toEqual(['cy']);
  fixtures.room('text-surrogate').post([
    { author: 'cy', text: 'B2 band tee $15' },
    { author: 'dee', text: 'sold' },
  ]);
  await claimStored(second.sub, 'dee');
  first.sub.close();
  second.sub.close();
});

test('a seller of nothing but NUL is 400 invalid_body', async () => {
  const url = fixtures.pageUrl('text-empty', { mode: 'plain' });
  const res = await post(service.url, '/api/start-monitoring', `{"url":${JSON.stringify(url)},"selectors":${JSON.stringify(SELECTORS)},"seller":"\\u0000"}`);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('invalid_body');
});

describe('NUL in a query or a body is scrubbed or a 4xx, never a 500', () => {
  let sessionId: string;

  beforeAll(async () => {
    const show = await startShow('text-queries', '"eve"');
    sessionId = show.sessionId;
    show.sub.close();
  });

  test('q and before of message history', async () => {
    const q = await call('GET', `/api/sessions/${sessionId}/messages?q=ja%00cket`);
    expect(q.status).toBe(200);
    expect(q.body.messages).toEqual([]);
    const before = await call('GET', `/api/sessions/${sessionId}/messages?before=2026-01-01T00:00:00Z%00`);
    expect(before.status).toBe(200);
    const empty = await call('GET', `/api/sessions/${sessionId}/messages?before=%00`);
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_body');
  });

  test("a command's allowedUsers, name and response", async () => {
    const created = await call('POST', '/api/commands', '{"name":"hours","response":"Fridays\\u0000 at 6 \\ud83d","allowedUsers":["amy\\u0000","\\udc00bob"]}');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'hours', response: 'Fridays at 6', allowedUsers: ['amy', 'bob'] });
    const nameless = await call('POST', '/api/commands', '{"name":"\\u0000","response":"x"}');
    expect(nameless.status).toBe(400);
    expect(nameless.body.error.code).toBe('invalid_body');
  });

  test('the bot trigger', async () => {
    const set = await call('PUT', `/api/sessions/${sessionId}/bot`, '{"trigger":"@bo\\u0000t\\ud800"}');
    expect(set.status).toBe(200);
    expect(set.body.trigger).toBe('@bot');
    const empty = await call('PUT', `/api/sessions/${sessionId}/bot`, '{"trigger":"\\u0000"}');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_body');
  });
});
