/** The control API: validation with stable codes, idempotent start, SSRF policy, generic adapter. */
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

let fixtures: FixtureServer;
let strict: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  // The production policy: private addresses refused.
  strict = await startTestService({ ALLOW_PRIVATE_URLS: 'false' });
});

afterAll(async () => {
  await strict?.close();
  await fixtures?.close();
});

describe('bad input gets 4xx with a stable code and nothing breaks', () => {
  test.each([
    ['not JSON', '{"url":', 400, 'invalid_json'],
    ['an array', '[]', 400, 'invalid_body'],
    ['no url', '{}', 400, 'invalid_body'],
    ['url of the wrong type', '{"url":42}', 400, 'invalid_body'],
    ['unknown field', '{"url":"https://www.twitch.tv/x","evil":1}', 400, 'invalid_body'],
    ['bad platform', '{"url":"https://www.twitch.tv/x","platform":"myspace"}', 400, 'invalid_body'],
    ['bad session id', '{"url":"https://www.twitch.tv/x","sessionId":"../../etc"}', 400, 'invalid_body'],
    ['oversized body', JSON.stringify({ url: 'https://www.twitch.tv/x', pad: 'x'.repeat(200_000) }), 400, 'body_too_large'],
  ])('start-monitoring with %s', async (_name, body, status, code) => {
    const res = await post(strict.url, '/api/start-monitoring', body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
  });

  test.each([
    ['file scheme', 'file:///etc/passwd'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['loopback', 'http://127.0.0.1:9/chat'],
    ['localhost', 'http://localhost:9/chat'],
    ['private range', 'http://192.168.1.10/chat'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', 'http://[::1]/chat'],
    ['IPv4-mapped IPv6', 'http://[::ffff:10.0.0.1]/chat'],
    ['credentials in URL', 'https://user:pass@www.twitch.tv/x'],
  ])('refuses %s with url_not_allowed', async (_name, url) => {
    const res = await post(strict.url, '/api/start-monitoring', { url, platform: 'twitch' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('url_not_allowed');
  });

  test('another path on the service itself is not the demo and is refused', async () => {
    const res = await post(strict.url, '/api/start-monitoring', { url: `${strict.url}/api/sessions` });
    expect(res.body.error.code).toBe('url_not_allowed');
  });

  test('an unknown host without selectors asks for selectors', async () => {
    const local = await startTestService();
    try {
      const res = await post(local.url, '/api/start-monitoring', { url: fixtures.pageUrl('nosel') });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('selectors_required');
    } finally {
      await local.close();
    }
  });

  test('stopping an unknown session is 404 session_not_found; bad stop body is 400', async () => {
    const res = await post(strict.url, '/api/stop-monitoring', { sessionId: 'nope' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('session_not_found');
    const bad = await post(strict.url, '/api/stop-monitoring', { session: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_body');
  });

  test('unknown API routes are coded 404s; the service still answers health', async () => {
    const res = await fetch(`${strict.url}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('not_found');
    const health = (await (await fetch(`${strict.url}/health`)).json()) as any;
    expect(health).toMatchObject({ status: 'ok', service: 'earshot', activeSessions: 0 });
    // The embedded PGlite has pgvector: knowledge-base search is hybrid.
    expect(health.vectorSearch).toBe(true);
  });
});

describe('the demo and sessions', () => {
  test('the demo is the one local URL allowed without ALLOW_PRIVATE_URLS, and start is idempotent', async () => {
    const first = await post(strict.url, '/api/start-monitoring', { url: `${strict.url}/demo/live` });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ platform: 'whatnot', source: 'browser' });
    const sub = await Subscriber.connect(strict.url, first.body.sessionId);
    await sub.waitFor(() => sub.messages().length >= 3);
    const again = await post(strict.url, '/api/start-monitoring', { url: `${strict.url}/demo/live` });
    expect(again.status).toBe(200);
    expect(again.body.sessionId).toBe(first.body.sessionId);
    const list = (await (await fetch(`${strict.url}/api/sessions`)).json()) as any[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ sessionId: first.body.sessionId, url: `${strict.url}/demo/live`, platform: 'whatnot' });
    expect(list[0].messageCount).toBeGreaterThanOrEqual(3);
    const health = (await (await fetch(`${strict.url}/health`)).json()) as any;
    expect(health.activeSessions).toBe(1);
    const stop = await post(strict.url, '/api/stop-monitoring', { sessionId: first.body.sessionId });
    expect(stop).toEqual({ status: 200, body: { sessionId: first.body.sessionId, status: 'stopped' } });
    await sub.waitFor(() => sub.events.some((e) => e.type === 'session_status' && e.status === 'stopped'));
    sub.close();
  });

  test('any page can be watched with the selectors given in the request (generic adapter)', async () => {
    const local = await startTestService();
    try {
      const sub = await Subscriber.connect(local.url, 'generic-1');
      const res = await post(local.url, '/api/start-monitoring', {
        url: fixtures.pageUrl('generic', { mode: 'plain' }),
        sessionId: 'generic-1',
        selectors: { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' },
      });
      expect(res.status).toBe(201);
      expect(res.body.platform).toBe('generic');
      fixtures.room('generic').post([{ author: 'zed', text: 'hello there' }]);
      await sub.waitFor(() => sub.messages().length >= 1);
      expect(sub.messages()[0]!.message).toMatchObject({ author: { name: 'zed' }, text: 'hello there', platform: 'generic' });
      sub.close();
    } finally {
      await local.close();
    }
  });
});

describe('API_TOKEN', () => {
  test('protects /api and /ws but not health or the demo page', async () => {
    const locked = await startTestService({ API_TOKEN: 'correct-horse' });
    try {
      const anon = await post(locked.url, '/api/start-monitoring', { url: `${locked.url}/demo/live` });
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('unauthorized');
      const wrong = await fetch(`${locked.url}/api/sessions`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${locked.url}/api/sessions`, { headers: { authorization: 'Bearer correct-horse' } });
      expect(right.status).toBe(200);
      expect((await fetch(`${locked.url}/health`)).status).toBe(200);
      expect((await fetch(`${locked.url}/demo/live`)).status).toBe(200);
      await expect(Subscriber.connect(locked.url, '*')).rejects.toThrow(/401/);
      const sub = await Subscriber.connect(`${locked.url}`, '*', undefined, 'correct-horse');
      sub.close();
    } finally {
      await locked.close();
    }
  });
});
