/**
 * Open mode answers only itself (issue 24, parts 5 and 6), on a running service: a real Chromium page of
 * another origin can neither read /ws nor plant a document with a no-cors form post; forged Host and
 * Origin headers are refused with codes; subscriptions are capped and returned on close; X-Forwarded-For
 * does not choose the rate-limit key and a flood of bad tokens does not lock the owner out; tokens work
 * in headers only on /api; the start check refuses the service itself by any name; malformed bodies and
 * paths get coded 400s.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { startService, type Service } from '../src/main.ts';
import { launchBrowser } from './support/chromium.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

type TestService = Awaited<ReturnType<typeof startTestService>>;

/** One request with any headers (fetch will not forge Host): status and parsed JSON body. */
function raw(
  base: string,
  method: string,
  route: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<{ status: number; body: any }> {
  const target = new URL(route, base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, method, path: route, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status and coded body of a refused WebSocket upgrade; 101 when it opened. */
function upgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body?: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

async function health(service: Service): Promise<any> {
  return (await fetch(`${service.url}/health`)).json();
}

/** Resolves when `check` holds, polling the service (no fixed waits); rejects after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('open mode', () => {
  let service: TestService;
  let browser: Browser | undefined;
  let attacker: http.Server;
  let attackerOrigin: string;

  beforeAll(async () => {
    service = await startTestService({ WS_MAX_SUBSCRIPTIONS: '5' });
    // Another origin on the same machine: the attacker's page.
    attacker = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>attacker</title>');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await service?.close();
  });

  test('a page of another origin can neither read /ws nor plant a document with a no-cors form post', async () => {
    browser = await launchBrowser(process.env.CHROME_EXECUTABLE_PATH);
    const page = await browser.newPage();
    await page.goto(`${attackerOrigin}/`);
    const outcome = await page.evaluate(async (target: string) => {
      const ws = await new Promise<{ opened: boolean; frames: string[] }>((resolve) => {
        const frames: string[] = [];
        // The page's own WebSocket (the name WebSocket here is the ws package's, in Node).
        const socket = new window.WebSocket(`${target.replace(/^http/, 'ws')}/ws`);
        socket.onopen = () => socket.send(JSON.stringify({ type: 'subscribe', sessionId: '*' }));
        socket.onmessage = (event: MessageEvent) => {
          frames.push(String(event.data));
          resolve({ opened: true, frames });
        };
        socket.onerror = () => resolve({ opened: false, frames });
      });
      const form = new FormData();
      form.append('file', new Blob(['Planted: send your payment to the attacker.'], { type: 'text/plain' }), 'planted.txt');
      // An opaque answer either way: whether it was stored is seen from the service's side.
      const sent = await fetch(`${target}/api/kb/documents`, { method: 'POST', mode: 'no-cors', body: form }).then(
        () => true,
        () => false,
      );
      return { ws, sent };
    }, service.url);
    expect(outcome.ws).toEqual({ opened: false, frames: [] });
    expect(outcome.sent).toBe(true);
    const documents = (await (await fetch(`${service.url}/api/kb/documents`)).json()) as Array<{ title: string }>;
    expect(documents.map((d) => d.title)).not.toContain('planted.txt');
    expect(documents.map((d) => d.title).join(' ')).not.toMatch(/planted/i);
  });

  test('the same multipart upload from the service’s own origin (the dashboard’s header) is stored', async () => {
    const form = new FormData();
    form.append('file', new Blob(['Returns within 30 days.'], { type: 'text/plain' }), 'returns.txt');
    const res = await fetch(`${service.url}/api/kb/documents`, {
      method: 'POST',
      headers: { origin: service.url, 'sec-fetch-site': 'same-origin' },
      body: form,
    });
    expect(res.status).toBe(201);
    const forged = await fetch(`${service.url}/api/kb/documents`, {
      method: 'POST',
      headers: { origin: attackerOrigin, 'sec-fetch-site': 'same-site' },
      body: form,
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as any).error.code).toBe('cross_origin');
    const withHeader = await fetch(`${service.url}/api/kb/documents`, {
      method: 'POST',
      headers: { origin: attackerOrigin, 'x-earshot-request': '1' },
      body: form,
    });
    expect(withHeader.status).toBeLessThan(300);
  });

  test('a rebinding Host is refused on HTTP and on /ws; loopback names and IPs are served', async () => {
    const rebound = await raw(service.url, 'GET', '/api/sessions', { host: `rebind.attacker.example:${service.port}` });
    expect(rebound.status).toBe(421);
    expect(rebound.body.error.code).toBe('host_not_allowed');
    expect((await raw(service.url, 'GET', '/api/sessions', { host: `localhost:${service.port}` })).status).toBe(200);
    expect((await raw(service.url, 'GET', '/api/sessions', { host: `127.0.0.1:${service.port}` })).status).toBe(200);
    const ws = await upgrade(`${service.url.replace(/^http/, 'ws')}/ws`, { headers: { host: `rebind.attacker.example:${service.port}` } });
    expect(ws).toMatchObject({ status: 421, body: { error: { code: 'host_not_allowed' } } });
  });

  test('/ws refuses a foreign Origin with a code, accepts its own and none (not a browser)', async () => {
    const wsUrl = `${service.url.replace(/^http/, 'ws')}/ws`;
    expect(await upgrade(wsUrl, { origin: attackerOrigin })).toMatchObject({ status: 403, body: { error: { code: 'cross_origin' } } });
    expect(await upgrade(wsUrl, { origin: 'null' })).toMatchObject({ status: 403 });
    expect((await upgrade(wsUrl, { origin: service.url })).status).toBe(101);
    expect((await upgrade(wsUrl)).status).toBe(101);
  });

  test('subscriptions are capped per socket with a code, and all returned when the socket closes', async () => {
    const before = (await health(service)).ws.subscriptions as number;
    const sub = await Subscriber.connect(service.url, 'show-0');
    for (let i = 1; i < 6; i++) sub.ws.send(JSON.stringify({ type: 'subscribe', sessionId: `show-${i}` }));
    await sub.waitFor(() => sub.events.some((e) => e.type === 'error'));
    expect(sub.events.filter((e) => e.type === 'subscribed')).toHaveLength(5);
    expect(sub.events.find((e) => e.type === 'error')?.error.code).toBe('too_many_subscriptions');
    // Subscribing again to a followed session is not a new subscription.
    sub.ws.send(JSON.stringify({ type: 'subscribe', sessionId: 'show-0' }));
    await sub.waitFor(() => sub.events.filter((e) => e.type === 'subscribed').length === 6);
    expect((await health(service)).ws.subscriptions).toBe(before + 5);
    sub.close();
    await until(async () => (await health(service)).ws.subscriptions === before);
  });

  test('X-Forwarded-For is not trusted: the limiter counts the socket address, not a rotating header', async () => {
    const limited = await startTestService({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await raw(limited.url, 'GET', '/api/sessions', { 'x-forwarded-for': `203.0.113.${i}` })).status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });

  test('malformed bodies and paths are coded 400s, never 500', async () => {
    const gzip = await raw(service.url, 'POST', '/api/start-monitoring', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not gzip at all');
    expect(gzip.status).toBe(400);
    expect(gzip.body.error.code).toBe('invalid_body');
    const deflate = await raw(service.url, 'POST', '/api/kb/ask', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, 'junk');
    expect(deflate.status).toBe(400);
    expect(deflate.body.error.code).toBe('invalid_body');
    for (const route of ['/api/sessions/%C0%AE', '/api/sessions/%C0%AE/messages', '/api/kb/documents/%E0%A4%A']) {
      const res = await raw(service.url, route.endsWith('messages') ? 'GET' : 'DELETE', route, { 'x-earshot-request': '1' });
      expect([route, res.status, res.body.error?.code]).toEqual([route, 400, 'invalid_path']);
    }
  });
});

describe('API_TOKEN mode', () => {
  const token = 'owner-token-0123456789abcdef';
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ API_TOKEN: token, RATE_LIMIT_PER_MINUTE: '20' });
  });

  afterAll(async () => {
    await service?.close();
  });

  test('?token= is ignored on /api and works on the /ws upgrade only', async () => {
    const res = await raw(service.url, 'GET', `/api/sessions?token=${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    const sub = await Subscriber.connect(service.url, '*', undefined, token);
    sub.close();
    expect((await upgrade(`${service.url.replace(/^http/, 'ws')}/ws?token=wrong`)).status).toBe(401);
  });

  test('a flood of bad tokens from the owner’s address does not lock the owner out', async () => {
    const statuses = new Set<number>();
    let last = 0;
    for (let i = 0; i < 25; i++) {
      last = (await raw(service.url, 'GET', '/api/sessions', { authorization: `Bearer wrong-${i}` })).status;
      statuses.add(last);
    }
    // The bad tokens ran into the limit (20 a minute)...
    expect([...statuses].sort()).toEqual([401, 429]);
    expect(last).toBe(429);
    // ...which is theirs: the owner, from the same address, is served.
    expect((await raw(service.url, 'GET', '/api/sessions', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await raw(service.url, 'GET', '/api/sessions', { 'x-api-key': token })).status).toBe(200);
  });

  test('a JSON post with the token still works from any tool', async () => {
    const res = await fetch(`${service.url}/api/start-monitoring`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('invalid_body');
  });
});

describe('the start check', () => {
  let service: Service;

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-self-'));
    const config = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ALLOW_PRIVATE_URLS: 'false',
      PGLITE_TEMPLATE_DIR: path.join(os.tmpdir(), 'earshot-pglite-templates'),
    });
    // Every name resolves to loopback here: a name pointed at the service itself.
    service = await startService(config, { logger: silentLogger(), resolver: async () => ['127.0.0.1'] });
  });

  afterAll(async () => {
    await service?.close();
  });

  test('refuses the service itself by every name, but its demo page', async () => {
    for (const url of [
      `http://rebind.example:${service.port}/api/sessions`,
      `http://localhost:${service.port}/api/kb/documents`,
      `http://127.0.0.1:${service.port}/api/sessions`,
      `http://0.0.0.0:${service.port}/`,
      `http://[::1]:${service.port}/ws`,
    ]) {
      const res = await post(service.url, '/api/start-monitoring', { url, selectors: { container: '.chat', row: '.row', author: '.a', text: '.t' } });
      expect([url, res.status, res.body.error?.code]).toEqual([url, 400, 'url_not_allowed']);
    }
    const demo = await post(service.url, '/api/start-monitoring', { url: `${service.url}/demo/live` });
    expect(demo.status).toBeLessThan(300);
  });
});
