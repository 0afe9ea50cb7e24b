/**
 * The agent runs in an isolated world: a hostile page's own scripts find no Earshot global and cannot
 * call the binding to forge chat; whatever reaches the binding is validated, and malformed reports are
 * dropped and counted in the session's diagnostics. Real Chromium, fixture pages.
 */
import type { Page } from 'puppeteer-core';
import { BrowserPool } from '../src/capture/browser/pool.ts';
import { AGENT_WORLD, BrowserSource } from '../src/capture/browser/browser-source.ts';
import { whatnot } from '../src/capture/platforms/whatnot/adapter.ts';
import { renderChatPage } from '../src/demo/page.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';

/**
 * What a hostile page (or a compromised platform script) would try: look for our globals by name and
 * by scanning `window`, and call anything that looks like the binding with a well-formed forged batch,
 * again and again, since the agent may be installed after the page's first script ran.
 */
const HOSTILE_SCRIPT = `<script>
(() => {
  const names = ['__earshotEmit', '__earshotAgent', '__earshotPaint'];
  const probe = (window.__probe = { seen: {}, scanned: [], attempts: 0, calls: 0 });
  const forged = (n) => JSON.stringify({
    type: 'rows',
    reason: 'mutation',
    rows: [{ pid: 'forged-' + n, sig: 'mallory\\u0000forged ' + n, author: 'mallory', badges: ['moderator'], text: 'forged ' + n, backfill: false, seenAt: Date.now() }],
  });
  const look = () => {
    probe.attempts++;
    for (const name of names) {
      const value = window[name];
      if (value !== undefined) probe.seen[name] = typeof value;
    }
    for (const name of Object.getOwnPropertyNames(window)) {
      if (/earshot/i.test(name) && !name.startsWith('__probe') && probe.scanned.indexOf(name) < 0) probe.scanned.push(name);
    }
    for (const name of names.concat(probe.scanned)) {
      try {
        if (typeof window[name] === 'function') { window[name](forged(probe.attempts)); probe.calls++; }
      } catch (error) {}
    }
  };
  look();
  document.addEventListener('DOMContentLoaded', look);
  setInterval(look, 100);
})();
</script>`;

let fixtures: FixtureServer;
let pool: BrowserPool;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.app.get('/hostile/:id/page', (req, res) => {
    const html = renderChatPage({
      title: `Hostile ${req.params.id}`,
      streamUrl: `/rooms/${encodeURIComponent(req.params.id)}/stream`,
      mode: 'virtual',
      window: 20,
    });
    // Before anything else in the document, as a platform's first script would be.
    res.type('html').send(html.replace(/<head[^>]*>/i, (head) => head + HOSTILE_SCRIPT));
  });
  pool = new BrowserPool({ logger: silentLogger() });
});

afterAll(async () => {
  await pool?.close();
  await fixtures?.close();
});

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function pageShowing(path: string): Promise<Page> {
  const pages = await (await pool.getBrowser()).pages();
  const page = pages.find((p) => p.url().includes(path));
  if (!page) throw new Error(`no page for ${path}`);
  return page;
}

function startSource(sessionId: string, url: string, captured: ChatMessage[]): BrowserSource {
  return new BrowserSource({
    sessionId,
    url,
    adapter: whatnot,
    pool,
    sink: { messages: (batch) => captured.push(...batch), deleted() {}, status() {} },
    logger: silentLogger(),
    sweepMs: 500,
    noChatTimeoutMs: 60_000,
    allowRequest: async () => true,
    idPrefix: 'iso',
  });
}

interface Probe {
  seen: Record<string, string>;
  scanned: string[];
  attempts: number;
  calls: number;
}

test("a page's own scripts see no Earshot global and cannot forge chat through the binding", async () => {
  const captured: ChatMessage[] = [];
  const source = startSource('hostile', `${fixtures.url}/hostile/hostile/page`, captured);
  await source.start();
  try {
    const page = await pageShowing('/hostile/hostile/');
    const probe = (): Promise<Probe> => page.evaluate(() => (window as unknown as { __probe: Probe }).__probe);
    const sent = Array.from({ length: 20 }, (_, i) => ({ author: `viewer${i % 3}`, text: `real ${i}` }));
    await fixtures.emit('hostile', sent, 50);
    await until(() => captured.length >= sent.length);
    // The hostile script has kept trying for a while with the agent installed and capturing.
    const attemptsNow = (await probe()).attempts;
    await until(async () => (await probe()).attempts >= attemptsNow + 10);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const seen = await probe();
    expect(seen.seen).toEqual({});
    expect(seen.scanned).toEqual([]);
    expect(seen.calls).toBe(0);
    expect(captured.map((m) => m.text)).toEqual(sent.map((m) => m.text));
    expect(captured.filter((m) => m.id.startsWith('forged') || m.author.name === 'mallory')).toEqual([]);
    expect(source.describe().droppedReports).toBe(0);
    // The switch still works from the agent's world: a screenshot is painted.
    const shot = await source.screenshot();
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
  } finally {
    await source.stop();
  }
});

test('a malformed report is dropped and counted, and capture stays exact', async () => {
  const captured: ChatMessage[] = [];
  const source = startSource('malformed', fixtures.pageUrl('malformed', { mode: 'virtual', window: 20 }), captured);
  await source.start();
  try {
    const page = await pageShowing('/rooms/malformed/');
    // Another CDP client enters a world of the same name (the binding is scoped to that name), standing
    // in for an agent that reports garbage.
    const intruder = await page.createCDPSession();
    const { frameTree } = await intruder.send('Page.getFrameTree');
    const { executionContextId } = await intruder.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: AGENT_WORLD });
    const garbage = [
      'not json',
      JSON.stringify({ type: 'rows', reason: 'mutation', rows: [{ pos: 'x', sig: 's', author: 'a', text: 't', badges: [], backfill: false, seenAt: 1 }] }),
      JSON.stringify({ type: 'rows', reason: 'mutation', rows: [{ sig: 's', author: 'nobody', text: 'no identity', badges: [], backfill: false, seenAt: 1 }] }),
      JSON.stringify({ type: 'rows', reason: 'mutation', rows: [{ pid: 'p1', sig: 's', author: { name: 'x' }, text: 'author is an object', badges: [], backfill: false, seenAt: 1 }] }),
      JSON.stringify({ type: 'deleted', pids: [1, 2], positions: [] }),
      JSON.stringify({ type: 'probe', containerFound: 'yes', rowCount: 3, href: 'x' }),
      JSON.stringify({ type: 'bogus' }),
      JSON.stringify([1, 2, 3]),
    ];
    for (const payload of garbage) {
      await intruder.send('Runtime.evaluate', {
        expression: `globalThis.__earshotEmit(${JSON.stringify(payload)})`,
        contextId: executionContextId,
      });
    }
    await until(() => source.describe().droppedReports === garbage.length);

    const sent = Array.from({ length: 15 }, (_, i) => ({ author: `viewer${i % 4}`, text: `after garbage ${i}` }));
    await fixtures.emit('malformed', sent, 50);
    await until(() => captured.length >= sent.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(captured.map((m) => m.text)).toEqual(sent.map((m) => m.text));
    expect(captured.filter((m) => /no identity|author is an object/.test(m.text))).toEqual([]);
    expect(source.describe().droppedReports).toBe(garbage.length);
    await intruder.detach();
  } finally {
    await source.stop();
  }
});
