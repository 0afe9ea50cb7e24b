/**
 * The egress guard end to end: real Chromium behind Earshot's egress proxy, ALLOW_PRIVATE_URLS as a list
 * of origins. A page served from the one allowed origin tries to reach a second loopback server by every
 * road a page has (fetch, WebSocket, EventSource, iframe, worker): none gets there, each is counted for
 * its session. Names are resolved by the proxy only (Chromium resolves nothing), start-monitoring applies
 * the same ranges, and DNS failures are their own retryable code.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { startService, type Service } from '../src/main.ts';
import type { Resolver } from '../src/net/url-guard.ts';
import { startFakeYouTubeApi, type FakeYouTubeApi } from './fakes/youtube-api-server.ts';
import { post } from './support/service.ts';

interface Listening {
  server: http.Server;
  port: number;
  origin: string;
}

async function listen(host: string, handler: http.RequestListener): Promise<Listening> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, port, origin: `http://${host}:${port}` };
}

/** The page: every road out of a page to the forbidden server, each result reported home. */
function pageHtml(allowed: Listening, forbidden: Listening): string {
  const f = forbidden.origin;
  return `<!doctype html><html><body><div id="chat"><div class="row"><b>a</b><span>hi</span></div></div><script>
const report = (what, detail) => fetch('/report?what=' + what + '&detail=' + encodeURIComponent(detail)).catch(() => {});
fetch('${f}/fetch', { mode: 'no-cors' }).then((r) => report('fetch', 'status ' + r.status), () => report('fetch', 'error'));
const ws = new WebSocket('ws://127.0.0.2:${forbidden.port}/ws');
ws.onopen = () => report('ws', 'open');
ws.onerror = () => report('ws', 'error');
const es = new EventSource('${f}/sse');
es.onopen = () => report('sse', 'open');
es.onerror = () => { es.close(); report('sse', 'error'); };
const frame = document.createElement('iframe');
frame.src = '${f}/iframe';
frame.onload = () => report('iframe', 'load');
document.body.appendChild(frame);
const worker = new Worker('/worker.js');
worker.onmessage = (e) => report('worker', e.data);
// Positive controls: the allowed origin by a name only the proxy can resolve, and a WebSocket to it.
fetch('http://fixture.test:${allowed.port}/report?what=named&detail=ok', { mode: 'no-cors' }).catch(() => report('named', 'error'));
const ok = new WebSocket('ws://127.0.0.1:${allowed.port}/ws-ok');
ok.onopen = () => { report('ws-ok', 'open'); ok.close(); };
ok.onerror = () => report('ws-ok', 'error');
// The service itself (its API, its /ws) is not reachable from a session that is not the demo.
fetch('${service.url}/api/sessions', { mode: 'no-cors' }).then((r) => report('self', 'status ' + r.status), () => report('self', 'error'));
// A name that resolves (for the proxy) to the forbidden server.
fetch('http://rebind.test:${forbidden.port}/named', { mode: 'no-cors' }).then((r) => report('rebind', 'status ' + r.status), () => report('rebind', 'error'));
</script></body></html>`;
}

let allowed: Listening;
let forbidden: Listening;
let service: Service;
let youtube: FakeYouTubeApi;
const reports = new Map<string, string>();
/** Every request and upgrade the forbidden server saw: must stay empty. */
const forbiddenHits: string[] = [];
const lookups: string[] = [];
let answers: Record<string, string[]> = {};

// The proxy's (and start-monitoring's) resolver: two test names, and a DNS outage for everything else.
const resolver: Resolver = async (host) => {
  lookups.push(host);
  const answer = answers[host];
  if (answer) return answer;
  throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN' });
};

beforeAll(async () => {
  forbidden = await listen('127.0.0.2', (req, res) => {
    forbiddenHits.push(`${req.method} ${req.url}`);
    res.end('reached');
  });
  forbidden.server.on('upgrade', (req, socket) => {
    forbiddenHits.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  allowed = await listen('127.0.0.1', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/page') {
      res.setHeader('content-type', 'text/html');
      res.end(pageHtml(allowed, forbidden));
    } else if (url.pathname === '/worker.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(`fetch('${forbidden.origin}/worker', { mode: 'no-cors' }).then((r) => postMessage('status ' + r.status), () => postMessage('error'));`);
    } else if (url.pathname === '/report') {
      reports.set(url.searchParams.get('what') ?? '?', url.searchParams.get('detail') ?? '');
      res.setHeader('access-control-allow-origin', '*');
      res.end('ok');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  const wss = new WebSocketServer({ server: allowed.server, path: '/ws-ok' });
  wss.on('connection', (socket) => socket.send('hello'));
  youtube = await startFakeYouTubeApi({ apiKey: 'key-e' });
  youtube.video('VIDegress001', { liveChatId: 'chat-egress' });
  youtube.chat('chat-egress', { pollingIntervalMillis: 500 });
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-egress-')),
    // The production policy, with one exception: the fixture server's origin.
    ALLOW_PRIVATE_URLS: allowed.origin,
    LOG_LEVEL: 'silent',
    SWEEP_INTERVAL_MS: '1000',
    PGLITE_TEMPLATE_DIR: path.join(os.tmpdir(), 'earshot-pglite-templates'),
    YOUTUBE_API_KEY: 'key-e',
    YOUTUBE_API_BASE_URL: youtube.baseUrl,
  });
  service = await startService(config, { logger: silentLogger(), resolver });
});

afterAll(async () => {
  await service?.close();
  await youtube?.close();
  allowed?.server.closeAllConnections();
  allowed?.server.close();
  forbidden?.server.closeAllConnections();
  forbidden?.server.close();
});

beforeEach(() => {
  answers = { 'fixture.test': ['127.0.0.1'], 'rebind.test': ['127.0.0.2'] };
  lookups.length = 0;
});

async function until(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out; reports so far: ${JSON.stringify([...reports])}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a page on the one allowed origin', () => {
  test('cannot reach another loopback server by fetch, WebSocket, EventSource, iframe or worker; each refusal is counted for its session', async () => {
    const started = await post(service.url, '/api/start-monitoring', {
      url: `${allowed.origin}/page`,
      sessionId: 'egress-1',
      selectors: { container: '#chat', row: '.row', author: 'b', text: 'span' },
    });
    expect(started.status).toBe(201);
    const expected = ['fetch', 'ws', 'sse', 'iframe', 'worker', 'named', 'ws-ok', 'rebind', 'self'];
    await until(() => expected.every((what) => reports.has(what)));
    // Give late retries (there should be none) a moment to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(forbiddenHits).toEqual([]);
    expect(reports.get('ws')).toBe('error');
    expect(reports.get('sse')).toBe('error');
    // Plain http through a proxy: the refusal is the proxy's own 403, the target was never contacted.
    expect(reports.get('fetch')).toMatch(/^(error|status 0|status 403)$/);
    expect(reports.get('worker')).toMatch(/^(error|status 0|status 403)$/);
    expect(reports.get('rebind')).toMatch(/^(error|status 0|status 403)$/);
    expect(reports.get('self')).toMatch(/^(error|status 0|status 403)$/);
    // The allowed origin works through the proxy, by a name only the proxy resolved and over a WebSocket.
    expect(reports.get('named')).toBe('ok');
    expect(reports.get('ws-ok')).toBe('open');
    expect(lookups).toEqual(expect.arrayContaining(['fixture.test', 'rebind.test']));

    const info = (await (await fetch(`${service.url}/api/sessions/egress-1`)).json()) as any;
    // fetch, WebSocket, EventSource, iframe, worker, the name that resolved to the forbidden server, the service.
    expect(info.diagnostics.refusedRequests).toBe(7);
    await post(service.url, '/api/stop-monitoring', { sessionId: 'egress-1' });
  });

  test('pages of the default context (reply delivery) go through the proxy too, loopback included', async () => {
    const page = await service.pool.newPage();
    try {
      const before = service.egress.refused;
      const response = await page.goto(`${forbidden.origin}/direct`, { waitUntil: 'domcontentloaded' }).catch(() => null);
      expect(response === null || response.status() === 403).toBe(true);
      expect(forbiddenHits).toEqual([]);
      expect(service.egress.refused - before).toBe(1);
    } finally {
      await page.close();
    }
  });
});

describe('start-monitoring uses the same ranges', () => {
  // Regression: both were accepted (201) and a page was opened.
  test.each(['http://[::127.0.0.1]/', 'http://[2002:7f00:1::]/', 'http://[::ffff:127.0.0.2]/', 'http://[64:ff9b::7f00:1]/'])(
    'refuses %s with url_not_allowed',
    async (url) => {
      const res = await post(service.url, '/api/start-monitoring', { url, platform: 'twitch' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('url_not_allowed');
    },
  );

  test('another port of an allowed host is not allowed', async () => {
    const res = await post(service.url, '/api/start-monitoring', { url: `http://127.0.0.1:${forbidden.port}/page`, platform: 'twitch' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('url_not_allowed');
  });

  test('a host that does not resolve is dns_failed (503), not url_not_allowed', async () => {
    const res = await post(service.url, '/api/start-monitoring', { url: 'https://www.twitch.tv/somebody' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('dns_failed');
    expect(lookups).toEqual(['www.twitch.tv']);
  });

  test('a YouTube session with source "api" does not look up the watch page at all', async () => {
    const res = await post(service.url, '/api/start-monitoring', {
      url: 'https://www.youtube.com/watch?v=VIDegress001',
      source: 'api',
      sessionId: 'yt-egress',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'api', platform: 'youtube' });
    expect(lookups).toEqual([]);
    await post(service.url, '/api/stop-monitoring', { sessionId: 'yt-egress' });
  });
});
