/**
 * Issue 17 item 4 on the running service: every sub-resource of an unknown session is a 404 (they used to
 * answer 200 with an empty list), and /api is rate limited per client: per signed-in seller, else per address.
 */
import { startFakeSupabaseAuth, type FakeSupabaseAuth } from './fakes/supabase-auth-server.ts';
import { startTestService } from './support/service.ts';

type Service = Awaited<ReturnType<typeof startTestService>>;

async function get(base: string, route: string, token?: string): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const res = await fetch(`${base}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

describe('sub-resources of an unknown session (single owner, API token)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startTestService({ API_TOKEN: 'owner-token-1234' });
  });
  afterAll(async () => {
    await service?.close();
  });

  test.each(['', '/messages', '/buyers', '/screenshot', '/messages?q=sold&limit=5'])(
    'GET /api/sessions/<unknown>%s answers 404 session_not_found',
    async (suffix) => {
      const res = await get(service.url, `/api/sessions/never-started${suffix}`, 'owner-token-1234');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('session_not_found');
    },
  );

  test('a wrong API token of any length is refused', async () => {
    for (const token of ['owner-token-123', 'owner-token-12345', 'x', 'owner-token-1234'.repeat(50)]) {
      const res = await get(service.url, '/api/sessions', token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await get(service.url, '/api/sessions', 'owner-token-1234')).status).toBe(200);
  });
});

describe('rate limiting of /api', () => {
  let auth: FakeSupabaseAuth;
  let service: Service;
  beforeAll(async () => {
    auth = await startFakeSupabaseAuth();
    service = await startTestService({ AUTH_JWKS_URL: auth.jwksUrl, RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await service?.close();
    await auth?.close();
  });

  test('over the limit: 429 rate_limited with Retry-After; each seller has their own budget', async () => {
    const alice = await auth.tokenFor(auth.addUser('alice@example.test', 'a'));
    const bob = await auth.tokenFor(auth.addUser('bob@example.test', 'b'));
    for (let i = 0; i < 3; i++) expect((await get(service.url, '/api/sessions', alice)).status).toBe(200);
    const limited = await get(service.url, '/api/sessions', alice);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // Bob calls from the same address and is not affected.
    expect((await get(service.url, '/api/sessions', bob)).status).toBe(200);
    // Public routes are not counted.
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  test('refused requests count too, by address', async () => {
    for (let i = 0; i < 3; i++) expect((await get(service.url, '/api/sessions', 'garbage')).status).toBe(401);
    const limited = await get(service.url, '/api/sessions', 'garbage');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
  });
});
