/**
 * The OpenAPI document against the running service: served at GET /api/openapi.json behind the API token,
 * valid OpenAPI 3.1 (swagger-parser), naming exactly the routes the app serves, and describing what the
 * service really answers: a show run by real Chromium on a fixture page is read through every route and
 * its /ws frames, and each answer is validated against the document's schema for its status.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { openApiPath, servedRoutes } from '../src/http/openapi.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { startTestService, Subscriber } from './support/service.ts';

const TOKEN = 'openapi-spec-token-0123456789';
let fixtures: FixtureServer;
let service: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  service = await startTestService({ API_TOKEN: TOKEN });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await fixtures?.close();
});

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components: { schemas: Record<string, object> };
  'x-websocket': { serverFrames: object };
};

async function call(method: string, route: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers['x-api-key'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${service.url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** Validates answers against the document's schemas (refs resolve to its components). */
class Checker {
  private readonly ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  constructor(readonly doc: Doc) {
    this.ajv.addSchema({ $id: 'doc', components: doc.components });
  }

  compile(schema: object): ValidateFunction {
    const text = JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/');
    return this.ajv.compile(JSON.parse(text));
  }

  /** Expects `answer` to be what the document says `method path` answers with its status. */
  answer(method: string, path: string, answer: { status: number; body: unknown }): void {
    const response = this.doc.paths[path]?.[method.toLowerCase()]?.responses[String(answer.status)];
    expect({ route: `${method} ${path}`, status: answer.status, documented: Boolean(response) }).toEqual({
      route: `${method} ${path}`,
      status: answer.status,
      documented: true,
    });
    const schema = response!.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${method} ${path} ${answer.status} has no JSON schema`);
    const validate = this.compile(schema);
    const ok = validate(answer.body);
    expect({ route: `${method} ${path}`, errors: ok ? null : validate.errors }).toEqual({ route: `${method} ${path}`, errors: null });
  }
}

test('GET /api/openapi.json: behind the API token, valid OpenAPI 3.1, and exactly the routes the app serves', async () => {
  const refused = await call('GET', '/api/openapi.json', undefined, null);
  expect(refused.status).toBe(401);
  expect(refused.body.error.code).toBe('unauthorized');

  const got = await call('GET', '/api/openapi.json');
  expect(got.status).toBe(200);
  await SwaggerParser.validate(structuredClone(got.body));
  const doc = got.body as Doc;

  // The dashboard's own routes (index.html and its client-side fallback) are the page, not the API.
  const dashboard = (path: string): boolean => path === '/' || path === '/index.html' || path.startsWith('/^');
  const served = servedRoutes(service.app)
    .filter((r) => !dashboard(r.path))
    .map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`);
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
  expect({ servedButNotDocumented: served.filter((r) => !documented.includes(r)) }).toEqual({ servedButNotDocumented: [] });
  expect({ documentedButNotServed: documented.filter((r) => !served.includes(r)) }).toEqual({ documentedButNotServed: [] });
});

test("a show's real answers and /ws frames match the document", async () => {
  const doc = (await call('GET', '/api/openapi.json')).body as Doc;
  const check = new Checker(doc);

  for (const path of ['/health', '/health/live', '/health/ready', '/api/config', '/api/quota', '/api/sessions']) {
    check.answer('GET', path, await call('GET', path));
  }
  // Refusals are answers too: coded errors of the route's own list.
  check.answer('POST', '/api/start-monitoring', await call('POST', '/api/start-monitoring', { url: 'https://x.test', extra: 1 }));
  check.answer('GET', '/api/sessions/{id}', await call('GET', '/api/sessions/no-such-show'));
  check.answer('GET', '/api/sessions', await call('GET', '/api/sessions', undefined, 'wrong-token'));

  const url = fixtures.pageUrl('openapi-show', { mode: 'plain' });
  const selectors = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
  const start = await call('POST', '/api/start-monitoring', { url, selectors, seller: '@Hannah' });
  expect(start.status).toBe(201);
  check.answer('POST', '/api/start-monitoring', start);
  const id: string = start.body.sessionId;
  const sub = await Subscriber.connect(service.url, id, undefined, TOKEN);
  fixtures.room('openapi-show').post([
    { author: 'hannah', text: 'A1 wool beanie $18' },
    { author: 'amy', text: 'sold' },
    { author: 'bob', text: 'A1 pls' },
  ]);
  await sub.waitFor(() => sub.events.some((e) => e.type === 'lot_update' && e.lot.waitlist.length === 1));
  await sub.waitFor(() => sub.events.some((e) => e.type === 'buyer_detected'));

  const routes = [
    '/api/sessions',
    `/api/sessions/${id}`,
    `/api/sessions/${id}/messages?limit=2`,
    `/api/sessions/${id}/buyers`,
    `/api/sessions/${id}/lots`,
    `/api/sessions/${id}/picklist`,
    `/api/sessions/${id}/bot`,
    `/api/replies?sessionId=${id}`,
    '/api/kb/documents',
    '/api/commands',
  ];
  for (const route of routes) {
    const path = route.replace(id, '{id}').replace(/\?.*$/, '');
    check.answer('GET', path, await call('GET', route));
  }
  check.answer('PATCH', '/api/sessions/{id}/lots/{code}', await call('PATCH', `/api/sessions/${id}/lots/A1`, { price: 20, paid: true }));
  check.answer('PATCH', '/api/sessions/{id}/lots/{code}', await call('PATCH', `/api/sessions/${id}/lots/Z9`, { price: 1 }));
  check.answer('POST', '/api/kb/documents', await call('POST', '/api/kb/documents', { title: 'Shipping', text: 'We ship on Fridays.' }));
  check.answer('POST', '/api/kb/ask', await call('POST', '/api/kb/ask', { question: 'When do you ship?' }));
  check.answer('POST', '/api/commands', await call('POST', '/api/commands', { name: 'ship', response: 'Fridays, {user}' }));
  check.answer('POST', '/api/stop-monitoring', await call('POST', '/api/stop-monitoring', { sessionId: id }));
  // The stop's status frame and the HTTP answer travel on two connections: wait for the frame.
  await sub.waitFor(() => sub.events.some((e) => e.type === 'session_status'));

  // Every frame the hub sent (events and notices) is one the document describes.
  const frames = check.compile(doc['x-websocket'].serverFrames);
  const types = new Set(sub.events.map((e) => e.type));
  expect([...types]).toEqual(expect.arrayContaining(['subscribed', 'new_message', 'buyer_detected', 'lot_update', 'session_status']));
  for (const event of sub.events) {
    expect({ type: event.type, errors: frames(event) ? null : frames.errors }).toEqual({ type: event.type, errors: null });
  }
  sub.close();
}, 120_000);
