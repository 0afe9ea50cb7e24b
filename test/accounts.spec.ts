/**
 * Accounts end to end: the service verifies Supabase access tokens from a local stand-in for Supabase Auth
 * (ES256 over JWKS; HS256 with a secret), and two sellers share one service without seeing each other's
 * shows, messages, buyers, screenshots, bot settings, documents or WebSocket events.
 */
import http from 'node:http';
import WebSocket from 'ws';
import { loadJose } from '../src/auth/jose.ts';
import { AUTH_CLOSE_CODE } from '../src/fanout/hub.ts';
import { startFakeSupabaseAuth, type FakeAuthUser, type FakeSupabaseAuth } from './fakes/supabase-auth-server.ts';
import { startTestService } from './support/service.ts';
import { until } from './support/wait.ts';

type Service = Awaited<ReturnType<typeof startTestService>>;

let auth: FakeSupabaseAuth;
let service: Service;
let alice: FakeAuthUser;
let bob: FakeAuthUser;
let aliceToken: string;
let bobToken: string;

async function call(method: string, route: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // an image or empty body
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Signs in through the stand-in's password grant, as supabase-js does. */
async function signIn(user: FakeAuthUser): Promise<string> {
  const res = await fetch(`${auth.url}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A WebSocket client that records frames and how it was closed. */
class Socket {
  readonly frames: any[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data))));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
  }
  static open(query = ''): Promise<Socket> {
    const ws = new WebSocket(`${service.url.replace(/^http/, 'ws')}/ws${query}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Socket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }
  async until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.slice(-5))}, closed: ${JSON.stringify(this.closed)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  close(): void {
    this.ws.terminate();
  }
}

/** The status an upgrade gets (101 when it connects). */
function upgradeStatus(query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${service.url.replace(/^http/, 'ws')}/ws${query}`);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(String(error))) reject(error);
    });
  });
}

beforeAll(async () => {
  auth = await startFakeSupabaseAuth();
  alice = auth.addUser('alice@example.test', 'alice-password');
  bob = auth.addUser('bob@example.test', 'bob-password');
  service = await startTestService({
    AUTH_URL: auth.url,
    SUPABASE_ANON_KEY: 'anon-key-for-tests',
    // An API token set alongside accounts is not a way in.
    API_TOKEN: 'single-owner-token',
  });
  [aliceToken, bobToken] = await Promise.all([signIn(alice), signIn(bob)]);
});

afterAll(async () => {
  await service?.close();
  await auth?.close();
});

describe('every bad token gets 401 unauthorized; public routes stay public', () => {
  const now = (): number => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', async () => undefined],
    ['a malformed token', async () => 'not-a-jwt'],
    ['three garbage segments', async () => 'a.b.c'],
    ['an unsigned token (alg none)', () => auth.tokenFor(alice, {}, { alg: 'none' })],
    ['an expired token', () => auth.tokenFor(alice, { iat: now() - 7200, exp: now() - 3600 })],
    ['a token not valid yet', () => auth.tokenFor(alice, { nbf: now() + 3600 })],
    ['a token for another audience', () => auth.tokenFor(alice, { aud: 'some-other-api' })],
    ['the anon role', () => auth.tokenFor(alice, { role: 'anon' })],
    ['the API token', async () => 'single-owner-token'],
    [
      'a token signed by another key',
      async () => {
        const jose = await loadJose();
        const other = await jose.generateKeyPair('ES256');
        return auth.tokenFor(alice, {}, { key: other.privateKey });
      },
    ],
    [
      'an HS256 token whose secret is the public key (HS/RS confusion)',
      async () => {
        const jwks = (await (await fetch(auth.jwksUrl)).json()) as { keys: unknown[] };
        return auth.tokenFor(alice, {}, { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(jwks.keys[0])) });
      },
    ],
  ];
  test.each(cases)('%s', async (_name, make) => {
    const token = await make();
    const res = await call('GET', '/api/sessions', token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    if (token) expect(await upgradeStatus(`?access_token=${encodeURIComponent(token)}`)).toBe(401);
  });

  test('huge or garbled Authorization headers get a coded 401 or 431, and the service stays up', async () => {
    for (const header of [`Bearer ${'a'.repeat(12_000)}`, 'Basic Zm9vOmJhcg==', 'Bearer', 'Bearer a b c', '\u00e9\u00e9']) {
      const res = await call('GET', '/api/sessions', undefined, undefined, { authorization: header });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    // Past Node's header limit (16 KiB): answered by the server itself, still with a code.
    const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${service.url}/api/sessions`, { headers: { authorization: `Bearer ${'a'.repeat(40_000)}` } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += String(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.status).toBe(431);
    expect(JSON.parse(raw.body).error.code).toBe('header_too_large');
    expect((await call('GET', '/health')).status).toBe(200);
  });

  test('/health, /demo and /api/config need no token; /api/config tells the dashboard how to sign in', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('GET', '/demo/live')).status).toBe(200);
    expect((await call('GET', '/api/config')).body).toEqual({
      accounts: true,
      supabaseUrl: auth.url,
      supabaseAnonKey: 'anon-key-for-tests',
      realtime: false,
    });
  });

  test('the signing keys are fetched once and cached', async () => {
    for (let i = 0; i < 5; i++) expect((await call('GET', '/api/sessions', aliceToken)).status).toBe(200);
    expect(auth.hits.get('/auth/v1/.well-known/jwks.json')).toBeLessThanOrEqual(2);
  });
});

describe('two sellers on one service', () => {
  let aliceShow: string;
  let bobShow: string;

  beforeAll(async () => {
    const url = `${service.url}/demo/live`;
    const a = await call('POST', '/api/start-monitoring', aliceToken, { url });
    const b = await call('POST', '/api/start-monitoring', bobToken, { url });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    aliceShow = a.body.sessionId;
    bobShow = b.body.sessionId;
  });

  test('watching the same URL gives each seller an independent show; starting it again finds one\u2019s own', async () => {
    expect(aliceShow).not.toBe(bobShow);
    const again = await call('POST', '/api/start-monitoring', aliceToken, { url: `${service.url}/demo/live` });
    expect(again.status).toBe(200);
    expect(again.body.sessionId).toBe(aliceShow);
    expect(again.body.ownerId).toBe(alice.id);
  });

  test('each sees only their own show in the list', async () => {
    const mine = await call('GET', '/api/sessions', aliceToken);
    expect(mine.body.map((s: { sessionId: string }) => s.sessionId)).toEqual([aliceShow]);
    const his = await call('GET', '/api/sessions', bobToken);
    expect(his.body.map((s: { sessionId: string }) => s.sessionId)).toEqual([bobShow]);
  });

  test.each([
    ['GET', '/api/sessions/ID'],
    ['GET', '/api/sessions/ID/messages'],
    ['GET', '/api/sessions/ID/buyers'],
    ['GET', '/api/sessions/ID/screenshot'],
    ['GET', '/api/sessions/ID/bot'],
    ['GET', '/api/replies?sessionId=ID'],
  ])('another seller\u2019s show is a 404: %s %s', async (method, template) => {
    const route = (id: string): string => template.replace('ID', id);
    const res = await call(method, route(aliceShow), bobToken);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('session_not_found');
    // ...exactly like a session that does not exist
    expect((await call(method, route('no-such-show'), bobToken)).body.error.code).toBe('session_not_found');
    // ...while the owner gets it
    expect((await call(method, route(aliceShow), aliceToken)).status).not.toBe(404);
  });

  test('changing bot settings or stopping another seller\u2019s show is a 404 and changes nothing', async () => {
    const put = await call('PUT', `/api/sessions/${aliceShow}/bot`, bobToken, { delivery: 'send' });
    expect(put.status).toBe(404);
    const stop = await call('POST', '/api/stop-monitoring', bobToken, { sessionId: aliceShow });
    expect(stop.status).toBe(404);
    expect(stop.body.error.code).toBe('session_not_found');
    expect((await call('GET', `/api/sessions/${aliceShow}`, aliceToken)).body.status).not.toBe('stopped');
    expect((await call('GET', `/api/sessions/${aliceShow}/bot`, aliceToken)).body.delivery).not.toBe('send');
  });

  test('a search across shows reads only the caller\u2019s shows; naming another seller\u2019s show is a 404', async () => {
    // Both watch the demo, so the same words are stored in both shows: each seller finds only their own.
    const hits = await until(
      async () => {
        const [a, b] = await Promise.all([call('GET', '/api/messages?q=Levi', aliceToken), call('GET', '/api/messages?q=Levi', bobToken)]);
        return a.body.messages?.length > 0 && b.body.messages?.length > 0 ? { a: a.body, b: b.body } : undefined;
      },
      'the demo to be stored for both sellers',
      60_000,
    );
    expect(new Set(hits.a.messages.map((m: { sessionId: string }) => m.sessionId))).toEqual(new Set([aliceShow]));
    expect(new Set(hits.b.messages.map((m: { sessionId: string }) => m.sessionId))).toEqual(new Set([bobShow]));
    expect(hits.a).toMatchObject({ q: 'Levi', shows: 1, moreShows: false });
    expect((await call('GET', '/api/messages', aliceToken)).body.error.code).toBe('invalid_body');
    const put = await call('PUT', `/api/sessions/${aliceShow}/title`, bobToken, { title: 'mine now' });
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe('session_not_found');
    expect((await call('GET', `/api/sessions/${aliceShow}`, aliceToken)).body.title).not.toBe('mine now');
  });

  test('an explicit session id another seller already uses is refused without showing their show', async () => {
    const res = await call('POST', '/api/start-monitoring', bobToken, { url: `${service.url}/demo/live`, sessionId: aliceShow });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain(alice.id);
  });

  test('knowledge-base documents and commands are per seller', async () => {
    const doc = await call('POST', '/api/kb/documents', aliceToken, { title: 'Alice FAQ', text: 'We ship to Canada from Austin.' });
    expect(doc.status).toBe(201);
    const cmd = await call('POST', '/api/commands', aliceToken, { name: 'shipping', response: 'Alice ships on Fridays' });
    expect(cmd.status).toBe(201);
    expect((await call('GET', '/api/kb/documents', aliceToken)).body.map((d: { title: string }) => d.title)).toEqual(['Alice FAQ']);
    expect((await call('GET', '/api/kb/documents', bobToken)).body).toEqual([]);
    expect((await call('GET', '/api/commands', bobToken)).body).toEqual([]);
    expect((await call('DELETE', `/api/kb/documents/${doc.body.id}`, bobToken)).status).toBe(404);
    expect((await call('GET', '/api/kb/documents', aliceToken)).body).toHaveLength(1);
    expect((await call('POST', '/api/kb/ask', bobToken, { question: 'do you ship to Canada?' })).body.answer).toBeNull();
  });

  test('the quota view lists only one\u2019s own sessions', async () => {
    const quota = await call('GET', '/api/quota', bobToken);
    expect(quota.status).toBe(200);
    expect(Object.keys(quota.body.bySession)).not.toContain(aliceShow);
  });

  test('/ws: "*" is all of mine, another seller\u2019s show cannot be subscribed to', async () => {
    const a = await Socket.open(`?access_token=${encodeURIComponent(aliceToken)}`);
    // Bob signs in with a first frame instead of the query.
    const b = await Socket.open();
    try {
      b.send({ type: 'auth', token: bobToken });
      await b.until(() => b.frames.some((f) => f.type === 'authenticated'));
      b.send({ type: 'subscribe', sessionId: aliceShow });
      await b.until(() => b.frames.some((f) => f.type === 'error'));
      expect(b.frames.find((f) => f.type === 'error').error.code).toBe('session_not_found');

      a.send({ type: 'subscribe', sessionId: '*' });
      b.send({ type: 'subscribe', sessionId: '*' });
      const count = (s: Socket, id: string): number => s.frames.filter((f) => f.type === 'new_message' && f.sessionId === id).length;
      await a.until(() => count(a, aliceShow) >= 3, 40_000);
      await b.until(() => count(b, bobShow) >= 3, 40_000);
      expect(count(a, bobShow)).toBe(0);
      expect(count(b, aliceShow)).toBe(0);
      const others = (s: Socket, own: string): unknown[] => s.frames.filter((f) => f.seq > 0 && f.sessionId !== own);
      expect(others(a, aliceShow)).toEqual([]);
      expect(others(b, bobShow)).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  test('/ws without a token: frames other than auth are refused and the socket closes with 4401', async () => {
    const s = await Socket.open();
    s.send({ type: 'subscribe', sessionId: '*' });
    await s.until(() => s.closed !== null);
    expect(s.frames[0]).toMatchObject({ type: 'error', error: { code: 'unauthorized' } });
    expect(s.closed).toEqual({ code: AUTH_CLOSE_CODE, reason: 'unauthorized' });
  });

  test('a token that expires while connected closes the socket with 4401 token_expired', async () => {
    const shortLived = await auth.tokenFor(alice, { exp: Math.floor(Date.now() / 1000) + 2 });
    const s = await Socket.open(`?access_token=${encodeURIComponent(shortLived)}`);
    s.send({ type: 'subscribe', sessionId: aliceShow });
    await s.until(() => s.frames.some((f) => f.type === 'subscribed'));
    await s.until(() => s.closed !== null, 15_000);
    expect(s.closed).toEqual({ code: AUTH_CLOSE_CODE, reason: 'token_expired' });
  });

  test('the owner stops their own show', async () => {
    const stop = await call('POST', '/api/stop-monitoring', bobToken, { sessionId: bobShow });
    expect(stop.body).toEqual({ sessionId: bobShow, status: 'stopped' });
  });
});

describe('HS256 secret mode (a project\u2019s legacy JWT secret)', () => {
  const SECRET = 'hs256-test-secret-of-at-least-32-characters!';
  let hsAuth: FakeSupabaseAuth;
  let hs: Service;

  beforeAll(async () => {
    hsAuth = await startFakeSupabaseAuth({ secret: SECRET });
    hs = await startTestService({ AUTH_JWT_SECRET: SECRET });
  });
  afterAll(async () => {
    await hs?.close();
    await hsAuth?.close();
  });

  test('accepts the project\u2019s HS256 tokens and refuses asymmetric ones it has no keys for', async () => {
    const user = hsAuth.addUser('carol@example.test', 'pw');
    const good = await hsAuth.tokenFor(user);
    const ok = await fetch(`${hs.url}/api/sessions`, { headers: { authorization: `Bearer ${good}` } });
    expect(ok.status).toBe(200);
    const forged = await hsAuth.tokenFor(user, {}, { alg: 'HS256', key: new TextEncoder().encode(`${SECRET}x`) });
    const es = await auth.tokenFor(alice);
    for (const token of [forged, es]) {
      const res = await fetch(`${hs.url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('unauthorized');
    }
  });
});
