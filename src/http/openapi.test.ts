import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Router } from 'express';
import { z } from 'zod';
import { silentLogger } from '../log.ts';
import { LotPatchBody } from '../../supabase/functions/_shared/contract.ts';
import { ERROR_STATUS } from '../../supabase/functions/_shared/errors.ts';
import { createApp } from './app.ts';
import { kbRoutes } from './kb.ts';
import { lotRoutes } from './lots.ts';
import { messageRoutes } from './messages.ts';
import { buildOpenApi, OPERATIONS, openapiRoutes, openApiPath, servedRoutes, type Operation } from './openapi.ts';
import { quotaRoutes } from './quota.ts';
import { screenshotRoutes } from './screenshot.ts';
import { sessionRoutes, StartBody } from './sessions.ts';
import { overlayRoutes } from './overlay.ts';
import { webhookRoutes } from './webhooks.ts';
import type { Shows } from '../pipeline/session-manager.ts';

type Doc = {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};
const doc = buildOpenApi() as unknown as Doc;

/** The app as main.ts builds it, with the same route factories (their dependencies are only used per request). */
function appLikeMain() {
  const unused = {} as never;
  const demo = Router();
  demo.get('/demo/live', () => undefined);
  demo.get('/demo/stream', () => undefined);
  return createApp({
    logger: silentLogger(),
    apiToken: 'secret',
    metrics: { render: async () => '', contentType: 'text/plain' },
    routers: [
      demo,
      sessionRoutes(unused as Shows),
      messageRoutes(unused, unused),
      lotRoutes({ backend: unused, sessions: unused, publish: () => undefined }),
      screenshotRoutes(unused),
      quotaRoutes(unused),
      kbRoutes({ kb: undefined, maxUploadBytes: 1, publish: () => undefined }),
      webhookRoutes({ store: undefined, allowPrivate: false, allowedOrigins: [], kick: () => undefined }),
      overlayRoutes({ store: undefined, sessions: unused, listLots: undefined, publish: () => undefined, lastSeq: () => 0, recentMessage: () => undefined, page: () => undefined }),
      openapiRoutes(),
    ],
    health: () => ({ status: 'ok', service: 'earshot', activeSessions: 0 }),
    ready: async () => ({ ready: true, checks: {} }),
  });
}

/** A JSON Schema validator over the document's components (refs resolve inside the document). */
function validatorFor(ref: string) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: doc.components } as object);
  return ajv.compile({ $ref: `doc${ref}` });
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (swagger-parser)', async () => {
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((api as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('lists every route the app serves, with the same method and path, and serves every route it lists', () => {
    const served = new Set(servedRoutes(appLikeMain()).map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`));
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    // Named one by one so a route added without its entry in OPERATIONS says which.
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    expect(served.size).toBeGreaterThan(30);
  });

  it('names the route a new router adds without a document entry', () => {
    const app = appLikeMain();
    const extra = Router();
    extra.delete('/api/sessions/:id/lots/:code/history', () => undefined);
    (app as unknown as { use: (r: Router) => void }).use(extra);
    const documented = new Set(OPERATIONS.map((o) => `${o.method} ${o.path}`));
    const missing = servedRoutes(app).filter((r) => !documented.has(`${r.method} ${openApiPath(r.path)}`));
    expect(missing).toEqual([{ method: 'delete', path: '/api/sessions/:id/lots/:code/history' }]);
  });

  it('reads routes of routers mounted under a path with that path', () => {
    const app = appLikeMain();
    const v2 = Router();
    v2.get('/invoices/:id', () => undefined);
    (app as unknown as { use: (path: string, r: Router) => void }).use('/api/v2/', v2);
    expect(servedRoutes(app)).toContainEqual({ method: 'get', path: '/api/v2/invoices/:id' });
  });

  it('lists only codes of ERROR_STATUS, each under its own status, as an enum', () => {
    for (const op of OPERATIONS) for (const code of op.errors) expect(Object.keys(ERROR_STATUS)).toContain(code);
    const stop = doc.paths['/api/stop-monitoring'].post.responses['404'] as { content: { 'application/json': { schema: { $ref: string } } } };
    const ref = stop.content['application/json'].schema.$ref;
    expect(doc.components.schemas[ref.replace('#/components/schemas/', '')]).toMatchObject({
      properties: { error: { properties: { code: { enum: ['session_not_found'] } } } },
    });
    // Common codes come with every /api route: 401 unauthorized, 429 rate_limited; bad JSON with bodies.
    const start = doc.paths['/api/start-monitoring'].post.responses;
    expect(Object.keys(start)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '421', '429', '500', '503']));
    expect(JSON.stringify(start['400'])).toContain('invalid_json');
    expect(doc.paths['/health'].get.responses['401']).toBeUndefined();
  });

  it("documents start-monitoring's body so that it refuses what the route refuses", () => {
    const ref = doc.paths['/api/start-monitoring'].post.requestBody!.content['application/json'].schema.$ref;
    const validate = validatorFor(ref);
    const samples: unknown[] = [
      { url: 'https://www.whatnot.com/live/abc' },
      { url: 'https://x.test/live', seller: ['@amy', 'bo'], selectors: { container: '#c', row: '.r', author: '.a', text: '.t' } },
      { url: 'https://x.test/live', platform: 'twitch', source: 'api', fallback: true, sessionId: 'show-1' },
      {},
      { url: '' },
      { url: 'https://x.test', extra: true },
      { url: 'https://x.test', sessionId: 'has space' },
      { url: 'https://x.test', platform: 'myspace' },
      { url: 'https://x.test', seller: [] },
      { url: 'https://x.test', selectors: { container: '#c' } },
      { url: 'https://x.test', fallback: 'yes' },
      { url: 'x'.repeat(2049) },
    ];
    const verdicts = samples.map((s) => [validate(s), StartBody.safeParse(s).success]);
    for (const [doc, route] of verdicts) expect(doc).toBe(route);
    expect(verdicts.filter(([, route]) => route)).toHaveLength(3);
  });

  it("documents the lot correction's body so that it refuses an empty or unknown-field patch, like the route", () => {
    const ref = doc.paths['/api/sessions/{id}/lots/{code}'].patch.requestBody!.content['application/json'].schema.$ref;
    const validate = validatorFor(ref);
    const samples: unknown[] = [{ price: 20 }, { winner: null, waitlist: ['amy'] }, {}, { price: -1 }, { colour: 'red' }, { paid: 'yes' }];
    for (const sample of samples) expect([sample, validate(sample)]).toEqual([sample, LotPatchBody.safeParse(sample).success]);
  });

  it('describes answers from the same schemas: a stored lot validates, a broken one does not', () => {
    const validate = validatorFor('#/components/schemas/Lot');
    const lot = {
      code: 'C3', baseCode: 'C3', title: 'beanie', priceCents: 1800, price: 18, status: 'sold', winner: { username: 'amy', messageId: 'm1', at: '2026-01-01T00:00:00Z' },
      waitlist: [], assignment: null, assignments: [], version: 3,
      paid: false, packed: false, shipped: false, announcedBy: 'host', announcedAt: '2026-01-01T00:00:00Z', ord: 1,
    };
    expect(validate(lot)).toBe(true);
    expect(validate({ ...lot, status: 'gone' })).toBe(false);
  });

  it('describes the /ws frames', () => {
    const ws = (buildOpenApi() as { 'x-websocket': { clientFrames: { $ref: string } } })['x-websocket'];
    const client = validatorFor(ws.clientFrames.$ref);
    expect(client({ type: 'subscribe', sessionId: '*', since: 3 })).toBe(true);
    expect(client({ type: 'subscribe' })).toBe(false);
    const events = validatorFor('#/components/schemas/WsSessionEvent');
    expect(events({ type: 'session_status', sessionId: 's', seq: 1, status: 'live' })).toBe(true);
    expect(events({ type: 'session_status', sessionId: 's', seq: 1, status: 'asleep' })).toBe(false);
  });

  it('takes a new operation as one entry', () => {
    const extra: Operation = { method: 'get', path: '/api/invoices', summary: 'Invoices', tags: ['invoices'], answers: { 200: z.object({ invoices: z.array(z.string()) }) }, errors: ['not_found'] };
    const more = buildOpenApi([...OPERATIONS, extra]) as unknown as Doc;
    expect(Object.keys(more.paths['/api/invoices'].get.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
  });
});
