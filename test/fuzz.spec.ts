/**
 * Property-based fuzzing (fast-check) of a running service: arbitrary HTTP bodies, content types, path
 * segments and query strings on every /api route, and arbitrary /ws frames. Nothing may crash the
 * service or answer 5xx; every refusal is a coded 4xx ({error: {code}}), every bad frame a coded error
 * frame on a socket that stays open.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { startTestService } from './support/service.ts';

type Service = Awaited<ReturnType<typeof startTestService>>;
let service: Service;

beforeAll(async () => {
  // Private URLs refused: a fuzzed URL that happens to parse must not open a page.
  // No rate limit: every fuzzed request must reach its route, not a 429.
  service = await startTestService({ ALLOW_PRIVATE_URLS: 'false', RATE_LIMIT_PER_MINUTE: '0' });
});

afterAll(async () => {
  await service?.close();
});

const CODE = /^[a-z][a-z0-9_]*$/;

/** Values that stress validators: wrong types, huge and odd numbers, prototype keys, hostile strings. */
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    -1,
    0,
    1e308,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    '\u0000',
    '\uD800',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:1/',
    'http://10.0.0.1/',
    'a'.repeat(5000),
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
);

/** Objects with the keys the routes look for, holding anything. */
const keyed = fc.dictionary(
  fc.constantFrom(
    'url', 'sessionId', 'platform', 'source', 'selectors', 'fallback', 'title', 'text', 'format', 'question',
    'name', 'response', 'enabled', 'cooldownGlobalSec', 'allowedRoles', 'autoAnswer', 'delivery', 'trigger',
    '__proto__', 'constructor',
  ),
  nasty,
  { maxKeys: 6 },
);

const body = fc.oneof(
  keyed.map((v) => JSON.stringify(v)),
  nasty.map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"url":', '[1,2', '\u0000\u0001', '{"a":1}{"b":2}', 'null', '{"__proto__":{"x":1}}'),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'multipart/form-data',
  undefined,
);

const segment = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('..', '%', '%00', '%2e%2e', 'a'.repeat(300)));

const route = fc.oneof(
  fc.constant({ method: 'POST', path: '/api/start-monitoring' }),
  fc.constant({ method: 'POST', path: '/api/stop-monitoring' }),
  fc.constant({ method: 'POST', path: '/api/kb/ask' }),
  fc.constant({ method: 'POST', path: '/api/kb/documents' }),
  fc.constant({ method: 'POST', path: '/api/commands' }),
  segment.map((id) => ({ method: 'GET', path: `/api/sessions/${encodeURIComponent(id)}` })),
  segment.map((id) => ({ method: 'GET', path: `/api/sessions/${encodeURIComponent(id)}/screenshot` })),
  segment.map((id) => ({ method: 'PUT', path: `/api/sessions/${encodeURIComponent(id)}/bot` })),
  segment.map((id) => ({ method: 'PATCH', path: `/api/commands/${encodeURIComponent(id)}` })),
  segment.map((id) => ({ method: 'DELETE', path: `/api/kb/documents/${encodeURIComponent(id)}` })),
  segment.map((id) => ({ method: 'POST', path: `/api/replies/${encodeURIComponent(id)}/send` })),
  fc
    .tuple(segment, fc.constantFrom('messages', 'buyers'), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
    .map(([id, what, limit, before]) => ({
      method: 'GET',
      path: `/api/sessions/${encodeURIComponent(id)}/${what}?limit=${encodeURIComponent(limit)}&before=${encodeURIComponent(before)}&q=${encodeURIComponent(before)}`,
    })),
  fc.string({ maxLength: 20 }).map((q) => ({ method: 'GET', path: `/api/replies?status=${encodeURIComponent(q)}&limit=${encodeURIComponent(q)}` })),
  fc.tuple(fc.constantFrom('GET', 'POST', 'DELETE'), segment).map(([method, s]) => ({ method, path: `/api/${encodeURIComponent(s)}` })),
  // Percent-encodings that do not decode, sent as they are.
  fc
    .tuple(fc.constantFrom('GET', 'DELETE'), fc.constantFrom('%C0%AE', '%E0%A4%A', '%FF%FE', '%'))
    .map(([method, raw]) => ({ method, path: method === 'GET' ? `/api/sessions/${raw}/messages` : `/api/kb/documents/${raw}` })),
);

/** A declared body encoding: the body is never actually compressed, so gzip, deflate and br are garbled. */
const contentEncoding = fc.constantFrom(undefined, undefined, 'gzip', 'deflate', 'br', 'identity');

test('arbitrary HTTP requests to /api get a coded 4xx or a success, never a 5xx or a crash', async () => {
  const codes = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(route, body, contentType, contentEncoding, async (target, payload, type, encoding) => {
      const hasBody = target.method !== 'GET';
      const headers: Record<string, string> = {};
      if (type && hasBody) headers['content-type'] = type;
      if (encoding && hasBody) headers['content-encoding'] = encoding;
      const res = await fetch(`${service.url}${target.path}`, {
        method: target.method,
        headers,
        body: hasBody ? payload : undefined,
      });
      const text = await res.text();
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        const parsed = JSON.parse(text) as { error?: { code?: unknown } };
        expect(typeof parsed.error?.code).toBe('string');
        expect(parsed.error!.code).toMatch(CODE);
        const code = String(parsed.error!.code);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }),
    { numRuns: 400 },
  );
  // The requests reached the validators (not one blanket refusal).
  expect([...codes.keys()]).toEqual(expect.arrayContaining(['invalid_json', 'invalid_body', 'session_not_found', 'not_found']));
  const health = await fetch(`${service.url}/health`);
  expect(health.status).toBe(200);
  expect(service.sessions.activeCount).toBe(0);
});

/** A /ws client that hands back the next frame it receives. */
async function openSocket(): Promise<{ ws: WebSocket; next(): Promise<{ type: string; error?: { code?: unknown } }> }> {
  const ws = new WebSocket(`${service.url.replace(/^http/, 'ws')}/ws`);
  const queue: string[] = [];
  const waiting: Array<(frame: string) => void> = [];
  ws.on('message', (data) => {
    const waiter = waiting.shift();
    if (waiter) waiter(String(data));
    else queue.push(String(data));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    next: () =>
      new Promise((resolve, reject) => {
        const take = (frame: string): void => resolve(JSON.parse(frame));
        const queued = queue.shift();
        if (queued !== undefined) return take(queued);
        const timer = setTimeout(() => reject(new Error('no reply frame')), 5_000);
        waiting.push((frame) => {
          clearTimeout(timer);
          take(frame);
        });
      }),
  };
}

const frame = fc.oneof(
  fc
    .record(
      { type: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'auth', 'SUBSCRIBE', ''), nasty), sessionId: nasty, since: nasty, token: nasty },
      { requiredKeys: ['type'] },
    )
    .map((v) => ({ text: JSON.stringify(v) })),
  nasty.map((v) => ({ text: JSON.stringify(v) ?? '' })),
  fc.string({ maxLength: 100 }).map((text) => ({ text })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ binary: Buffer.from(bytes) })),
);

const REPLIES = new Set(['error', 'pong', 'subscribed', 'unsubscribed', 'gap']);

test('arbitrary /ws frames get one coded answer each and the socket stays open', async () => {
  const socket = await openSocket();
  try {
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        if ('binary' in f) socket.ws.send(f.binary, { binary: true });
        else socket.ws.send(f.text);
        const reply = await socket.next();
        expect(REPLIES.has(reply.type)).toBe(true);
        if (reply.type === 'error') expect(String(reply.error?.code)).toMatch(CODE);
        expect(socket.ws.readyState).toBe(WebSocket.OPEN);
      }),
      { numRuns: 300 },
    );
    // Still a working subscription after all that.
    socket.ws.send(JSON.stringify({ type: 'ping' }));
    expect((await socket.next()).type).toBe('pong');
  } finally {
    socket.ws.terminate();
  }
  expect((await fetch(`${service.url}/health`)).status).toBe(200);
});
