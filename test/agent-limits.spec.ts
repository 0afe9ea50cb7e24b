/**
 * The in-page agent's limits end to end (issue 24), real Chromium against fixture pages:
 * - a page with 6,000 rows on screen arrives whole, in order, in bounded reports (none refused);
 * - a page that floods faster than the caps allow is bounded: every row is sent or counted as dropped;
 * - selectors the browser refuses are a 400 at start (and, past that check, an error at the first probe);
 * - a start URL that redirects to an address the egress proxy refuses fails at once with
 *   `url_not_allowed`, and nothing of the refusal page is stored as chat.
 * Every wait is on a condition (the session's counters, diagnostics.agent), never on time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrowserSource } from '../src/capture/browser/browser-source.ts';
import { genericAdapter } from '../src/capture/platforms/generic/adapter.ts';
import { REPORT_LIMITS } from '../src/capture/agent/types.ts';
import type { SessionStatus } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { addAgentPages, AGENT_PAGE_SELECTORS, rowText } from './fixtures/agent-pages.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

type TestService = Awaited<ReturnType<typeof startTestService>>;

let fixtures: FixtureServer;
let service: TestService;
/** A loopback server the proxy must refuse (only the fixture server's origin is allowed); counts its hits. */
let forbidden: { server: http.Server; origin: string; hits: number };

beforeAll(async () => {
  fixtures = await startFixtureServer();
  addAgentPages(fixtures.app);
  const hits = { count: 0 };
  const server = http.createServer((_req, res) => {
    hits.count++;
    res.setHeader('content-type', 'text/html');
    res.end('<div id="chat"><div class="row"><b>eve</b><span>from the private side</span></div></div>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  forbidden = {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() {
      return hits.count;
    },
  };
  service = await startTestService({ ALLOW_PRIVATE_URLS: fixtures.url, SWEEP_INTERVAL_MS: '500' });
});

afterAll(async () => {
  await service?.close();
  await fixtures?.close();
  await new Promise((resolve) => forbidden?.server.close(resolve));
});

interface SessionView {
  sessionId: string;
  status: SessionStatus;
  detail?: string;
  messageCount: number;
  diagnostics: {
    droppedReports: number;
    refusedRequests: number;
    agent: { sweeps: number; chunks: number; rowsSent: number; rowsDropped: number; rowsPending: number };
  };
}

async function session(sessionId: string): Promise<SessionView> {
  const res = await fetch(`${service.url}/api/sessions/${encodeURIComponent(sessionId)}`);
  return (await res.json()) as SessionView;
}

/** Polls the session until `predicate` holds; fails with the last view seen. */
async function until(sessionId: string, predicate: (s: SessionView) => boolean, timeoutMs = 90_000): Promise<SessionView> {
  const deadline = Date.now() + timeoutMs;
  let last = await session(sessionId);
  while (!predicate(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await session(sessionId);
  }
  return last;
}

async function stop(sessionId: string): Promise<void> {
  await post(service.url, '/api/stop-monitoring', { sessionId });
}

test('a page with 6,000 rows on screen arrives whole and in order, in reports the service accepts', async () => {
  const sessionId = 'many-rows';
  const sub = await Subscriber.connect(service.url, sessionId);
  try {
    const res = await post(service.url, '/api/start-monitoring', { url: `${fixtures.url}/agent/many?rows=6000`, sessionId, selectors: AGENT_PAGE_SELECTORS });
    expect(res.status).toBe(201);
    const done = await until(sessionId, (s) => s.messageCount >= 6_000 && s.diagnostics.agent.rowsPending === 0);
    expect(done.messageCount).toBe(6_000);
    expect(done.status).toBe('live');
    expect(done.diagnostics.droppedReports).toBe(0);
    expect(done.diagnostics.agent).toMatchObject({ rowsSent: 6_000, rowsDropped: 0 });
    // Cut into chunks: at least 6,000 / chunkRows reports, none near the service's cap.
    expect(done.diagnostics.agent.chunks).toBeGreaterThanOrEqual(6_000 / REPORT_LIMITS.chunkRows);
    // Chunking kept every row's place in the stream: one message each, in page order, all backfill.
    await sub.waitFor(() => sub.messages(sessionId).length >= 6_000);
    const messages = sub.messages(sessionId).map((e) => e.message);
    expect(messages.map((m) => m.text)).toEqual(Array.from({ length: 6_000 }, (_, i) => rowText(i)));
    expect(new Set(messages.map((m) => m.id)).size).toBe(6_000);
    expect(messages.every((m) => m.backfill)).toBe(true);
  } finally {
    sub.close();
    await stop(sessionId);
  }
});

test('a page that floods faster than the caps allow is bounded: each row is sent once or counted as dropped', async () => {
  const sessionId = 'flood';
  const total = 60_000;
  const res = await post(service.url, '/api/start-monitoring', {
    // 10,000 rows a task: far past the long-run rate however slow the machine is (a task that took even
    // a second would add five seconds' worth), so the cap must drop rows and count them.
    url: `${fixtures.url}/agent/flood?total=${total}&perTick=10000&keep=10000`,
    sessionId,
    selectors: AGENT_PAGE_SELECTORS,
  });
  expect(res.status).toBe(201);
  try {
    let mostPending = 0;
    const done = await until(sessionId, (s) => {
      const agent = s.diagnostics.agent;
      mostPending = Math.max(mostPending, agent.rowsPending);
      return agent.rowsPending === 0 && agent.rowsSent + agent.rowsDropped === total;
    });
    const agent = done.diagnostics.agent;
    expect(agent.rowsDropped).toBeGreaterThan(0);
    expect(agent.rowsSent).toBeGreaterThan(REPORT_LIMITS.burstRows);
    expect(mostPending).toBeLessThanOrEqual(REPORT_LIMITS.pendingRows);
    // What was sent was accepted and counted, one message per row: no report refused, none lost.
    expect(done.diagnostics.droppedReports).toBe(0);
    await until(sessionId, (s) => s.messageCount === agent.rowsSent);
  } finally {
    await stop(sessionId);
  }
});

test('selectors the browser refuses are a 400 invalid_selectors at start, and no show is created', async () => {
  const url = `${fixtures.url}/agent/many?rows=10`;
  const res = await post(service.url, '/api/start-monitoring', { url, sessionId: 'bad-selectors', selectors: { ...AGENT_PAGE_SELECTORS, container: 'div[' } });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('invalid_selectors');
  expect(res.body.error.message).toContain('container: div[');
  const list = (await (await fetch(`${service.url}/api/sessions`)).json()) as SessionView[];
  expect(list.find((s) => s.sessionId === 'bad-selectors')).toBeUndefined();
  // Valid selectors for the same page still start.
  const ok = await post(service.url, '/api/start-monitoring', { url, sessionId: 'good-selectors', selectors: AGENT_PAGE_SELECTORS });
  expect(ok.status).toBe(201);
  await until('good-selectors', (s) => s.messageCount === 10);
  await stop('good-selectors');
});

test("past the start check, the agent's first probe ends a show with invalid selectors as an error", async () => {
  const statuses: Array<{ status: SessionStatus; detail?: string }> = [];
  const source = new BrowserSource({
    sessionId: 'agent-invalid',
    url: `${fixtures.url}/agent/many?rows=10`,
    adapter: genericAdapter({ ...AGENT_PAGE_SELECTORS, text: 'span:has(' }),
    pool: service.pool,
    sink: { messages: () => undefined, deleted: () => undefined, status: (status, detail) => statuses.push({ status, detail }) },
    logger: silentLogger(),
    sweepMs: 500,
    // Far beyond the test: only the probe can end this show in time.
    noChatTimeoutMs: 600_000,
    idPrefix: 'inv',
  });
  try {
    await source.start();
    const deadline = Date.now() + 30_000;
    while (!statuses.some((s) => s.status === 'error') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(statuses).toEqual([{ status: 'error', detail: expect.stringMatching(/^invalid_selectors: .*text: span:has\(/) }]);
  } finally {
    await source.stop();
  }
});

test.each([
  ['http', () => `${forbidden.origin}/chat`],
  ['https', () => `https://127.0.0.1:${new URL(forbidden.origin).port}/chat`],
])('a start URL that redirects (302) to a refused %s target fails at once with url_not_allowed and stores nothing', async (_scheme, target) => {
  const sessionId = `redirect-${_scheme}`;
  // Selectors that would read any page's text as chat, the proxy's refusal text included.
  const selectors = { container: 'html', row: 'body', author: 'b', text: 'body' };
  const hitsBefore = forbidden.hits;
  const res = await post(service.url, '/api/start-monitoring', {
    url: `${fixtures.url}/agent/redirect?to=${encodeURIComponent(target())}`,
    sessionId,
    selectors,
  });
  // The answer itself already says so: the start waited for the page, which was refused.
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('error');
  const info = await session(sessionId);
  expect(info.status).toBe('error');
  expect(info.detail).toMatch(/^url_not_allowed: /);
  expect(info.messageCount).toBe(0);
  const stored = (await (await fetch(`${service.url}/api/sessions/${sessionId}/messages`)).json()) as { messages: unknown[] };
  expect(stored.messages).toEqual([]);
  expect(forbidden.hits).toBe(hitsBefore);
});

test('a live page that navigates to a refused address ends the show with url_not_allowed at once', async () => {
  const sessionId = 'leaves';
  const hitsBefore = forbidden.hits;
  const selectors = { container: 'html', row: 'body', author: 'b', text: 'body' };
  const res = await post(service.url, '/api/start-monitoring', {
    url: `${fixtures.url}/agent/leave?to=${encodeURIComponent(`${forbidden.origin}/chat`)}`,
    sessionId,
    selectors,
  });
  expect(res.status).toBe(201);
  await until(sessionId, (s) => s.status === 'live' && s.messageCount === 1);
  await fetch(`${fixtures.url}/agent/leave/go`, { method: 'POST' });
  const ended = await until(sessionId, (s) => s.status === 'error', 30_000);
  expect(ended.detail).toMatch(/^url_not_allowed: /);
  // The one real row (the whole body, by these selectors) and nothing of the refusal.
  expect(ended.messageCount).toBe(1);
  expect(forbidden.hits).toBe(hitsBefore);
});
