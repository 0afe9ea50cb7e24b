/**
 * Watched pages are not painted (a measured 3x cut of Chromium's CPU per session, docs/PERFORMANCE.md),
 * yet capture works as before and a screenshot still shows the page.
 */
import type { Page } from 'puppeteer-core';
import { BrowserPool } from '../src/capture/browser/pool.ts';
import { BrowserSource } from '../src/capture/browser/browser-source.ts';
import { whatnot } from '../src/capture/platforms/whatnot/adapter.ts';
import { silentLogger } from '../src/log.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';

let fixtures: FixtureServer;
let pool: BrowserPool;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  pool = new BrowserPool({ logger: silentLogger() });
});

afterAll(async () => {
  await pool?.close();
  await fixtures?.close();
});

async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function pageShowing(room: string): Promise<Page> {
  const pages = await (await pool.getBrowser()).pages();
  const page = pages.find((p) => p.url().includes(`/rooms/${room}/`));
  if (!page) throw new Error(`no page for room ${room}`);
  return page;
}

test('captures from an unpainted page, and a screenshot paints it for that one picture', async () => {
  const texts: string[] = [];
  const source = new BrowserSource({
    sessionId: 'paint',
    url: fixtures.pageUrl('paint', { mode: 'virtual', window: 10 }),
    adapter: whatnot,
    pool,
    sink: { messages: (batch) => texts.push(...batch.map((m) => m.text)), deleted() {}, status() {} },
    logger: silentLogger(),
    sweepMs: 1_000,
    noChatTimeoutMs: 60_000,
    allowRequest: async () => true,
    idPrefix: 'p',
  });
  await source.start();
  try {
    const sent = Array.from({ length: 25 }, (_, i) => ({ author: `viewer${i % 4}`, text: `unpainted ${i}` }));
    await fixtures.emit('paint', sent, 100);
    await until(() => texts.length >= sent.length);
    expect(texts).toEqual(sent.map((m) => m.text));

    const page = await pageShowing('paint');
    const visibility = (): Promise<string> => page.evaluate(() => getComputedStyle(document.documentElement).visibility);
    expect(await visibility()).toBe('hidden');
    // What Chromium draws while capturing: the bare background, none of the chat.
    const blank = Buffer.from(await page.screenshot({ type: 'png' }));
    const shot = await source.screenshot();
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    expect(shot.equals(blank)).toBe(false);
    expect(shot.length).toBeGreaterThan(blank.length * 2);
    expect(await visibility()).toBe('hidden');
  } finally {
    await source.stop();
  }
});
