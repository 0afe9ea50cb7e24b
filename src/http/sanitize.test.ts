import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { scrubDeep, scrubRequest } from './sanitize.ts';

describe('scrubDeep', () => {
  test('scrubs every string of a nested value, keys included, and keeps everything else', () => {
    const body = JSON.parse('{"seller":"x\\u0000y","list":["a\\ud800b",{"k\\u0000ey":"\\udc00v"}],"n":3,"ok":true,"nil":null,"pair":"😀"}');
    expect(scrubDeep(body)).toEqual({ seller: 'xy', list: ['ab', { key: 'v' }], n: 3, ok: true, nil: null, pair: '😀' });
    expect(scrubDeep('\u0000')).toBe('');
    expect(scrubDeep(7)).toBe(7);
  });

  test('a key named __proto__ stays a plain property, never the prototype', () => {
    const body = JSON.parse('{"__proto__":{"polluted":"y\\u0000es"},"__pro\\u0000to__":{"polluted":"again"}}') as Record<string, unknown>;
    scrubDeep(body);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(body, '__proto__')?.value).toEqual({ polluted: 'again' });
  });

  test('walks a body nested far deeper than the call stack allows', () => {
    const depth = 200_000;
    const body = JSON.parse(`${'['.repeat(depth)}"a\\u0000"${']'.repeat(depth)}`) as unknown;
    scrubDeep(body);
    let inner: unknown = body;
    for (let i = 0; i < depth; i += 1) inner = (inner as unknown[])[0];
    expect(inner).toBe('a');
  });
});

describe('scrubRequest', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(express.json({ strict: false }));
    app.use(scrubRequest);
    app.all('/echo', (req, res) => {
      // Read twice: express 5 parses the query at every read of its getter.
      void req.query;
      res.json({ body: req.body as unknown, query: req.query });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('routes see the body and the query without NUL or lone surrogates', async () => {
    const res = await fetch(`${base}/echo?q=a%00b&bef%00ore=x%00&list=1%00&list=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"seller":"x\\u0000y","trigger":"\\ud83d@bot","allowedUsers":["amy\\u0000"]}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      body: { seller: 'xy', trigger: '@bot', allowedUsers: ['amy'] },
      query: { q: 'ab', before: 'x', list: ['1', '2'] },
    });
  });

  test('a JSON body that is a bare string is scrubbed too', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"\\u0000hi"' });
    expect(await res.json()).toEqual({ body: 'hi', query: {} });
  });
});
