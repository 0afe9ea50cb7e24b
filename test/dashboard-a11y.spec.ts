/**
 * Accessibility of the dashboard, in real Chromium against the real service with a show running:
 * axe-core (WCAG 2.1 A and AA, and its best practices) reports no violation on the live view, the Lots
 * view, the knowledge base and webhooks screens on a desktop, and on every phone tab; a keyboard alone
 * reaches every action of the live view with the focus visible; a new buyer is announced once.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'puppeteer-core';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService } from './support/service.ts';
import { launchBrowser, openPane } from './support/chromium.ts';
import { until } from './support/wait.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';
const SELECTORS = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
const ROOM = 'dash-a11y';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true };
/** What axe checks: WCAG 2.1 A and AA, and the rules axe ships as best practice. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let service: Awaited<ReturnType<typeof startTestService>>;
let fixtures: FixtureServer;
let browser: Browser;
let page: Page;
let sessionId: string;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** axe over the page as it is now; the violations, each with where it is (for a readable failure). */
async function axeViolations(target: Page): Promise<Array<{ id: string; impact: string | null; help: string; where: string[] }>> {
  // Runtime.evaluate is not subject to the page's CSP: axe runs without loosening the policy under test.
  if (!(await target.evaluate(() => 'axe' in window))) await target.evaluate(AXE_SOURCE);
  const violations = (await target.evaluate(
    (tags) => (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: unknown[] }> } }).axe
      .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      .then((r) => r.violations),
    TAGS,
  )) as Violation[];
  return violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    where: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`),
  }));
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  fixtures = await startFixtureServer();
  service = await startTestService();
  browser = await launchBrowser(service.config.chromeExecutablePath, DESKTOP);
  page = await browser.newPage();
  await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);

  // A show with lots, a winner, a waitlist, a buyer and a suggested answer: every panel has content.
  const start = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl(ROOM, { mode: 'plain' }), selectors: SELECTORS, seller: 'hannah' });
  expect(start.status).toBe(201);
  sessionId = start.body.sessionId;
  fixtures.room(ROOM).post([
    { author: 'hannah', text: "A1 Levi's 501 jeans $45" },
    { author: 'amy', text: 'sold' },
    { author: 'bob', text: 'sold' },
    { author: 'carla', text: 'do you ship to Canada?' },
  ]);
  await until(
    async () => ((await (await fetch(`${service.url}/api/sessions/${sessionId}/lots`)).json()) as { lots: Array<{ winner: unknown }> }).lots[0]?.winner,
    'the ledger to hold A1 with a winner',
  );
  service.sessions.publish(sessionId, { type: 'answer', messageId: 'q-a11y', question: 'do you ship to Canada?', answer: 'Yes, 5 to 7 days.', status: 'suggested', sources: [] });
  await page.goto(service.url, { waitUntil: 'networkidle0' });
  await page.waitForSelector(`[data-session-id="${sessionId}"]`);
  await page.click(`[data-session-id="${sessionId}"]`);
  await page.waitForSelector('[data-testid="message"]');
  await page.waitForSelector('[data-testid="answer"]');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await fixtures?.close();
});

test('axe finds no violation on the desktop views: live, Lots view, knowledge base, webhooks', async () => {
  await page.setViewport(DESKTOP);
  expect(await axeViolations(page)).toEqual([]);
  await page.click('[data-testid="view-lots"]');
  await page.waitForSelector('.col-feed [data-testid="lots-panel"]');
  expect(await axeViolations(page)).toEqual([]);
  await page.click('[data-testid="view-chat"]');
  for (const route of ['kb', 'webhooks']) {
    await page.evaluate((r) => (location.hash = `#/${r}`), route);
    await page.waitForFunction(() => !document.querySelector('[data-testid="feed"]'));
    // The screen loads its lists once: axe reads it when those answers are in.
    await page.waitForNetworkIdle({ idleTime: 500 });
    expect({ route, violations: await axeViolations(page) }).toEqual({ route, violations: [] });
  }
  await page.evaluate(() => (location.hash = '#/'));
  await page.waitForSelector('[data-testid="feed"]');
  // The dark theme too (the light one is what the checks above saw).
  await page.emulateMediaFeatures([
    { name: 'prefers-reduced-motion', value: 'reduce' },
    { name: 'prefers-color-scheme', value: 'dark' },
  ]);
  expect({ theme: 'dark', violations: await axeViolations(page) }).toEqual({ theme: 'dark', violations: [] });
  await page.screenshot({ path: path.join(SHOTS, 'a11y-desktop-dark.png') });
  await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
}, 120_000);

test('axe finds no violation on any phone tab', async () => {
  await page.setViewport(PHONE);
  for (const tab of ['Sessions', 'Chat', 'Buyers', 'Q&A', 'Lots']) {
    await openPane(page, tab);
    expect({ tab, violations: await axeViolations(page) }).toEqual({ tab, violations: [] });
  }
  await page.screenshot({ path: path.join(SHOTS, 'a11y-phone-lots.png') });
  await page.setViewport(DESKTOP);
}, 120_000);

test('a keyboard alone reaches every action of the live view, with the focus visible', async () => {
  await page.setViewport(DESKTOP);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.focus('body');
  // Every control a seller uses in a show, by what names it (the suggested answer has no stored reply,
  // so it offers Dismiss and Copy, not Send).
  const wanted = ['try-demo', 'session', 'view-lots', 'lot-winner', 'lot-price', 'lot-void', 'lot-undo', 'lot-history-toggle', 'auto-answer', 'answer-dismiss'];
  const reached = new Set<string>();
  const hidden: string[] = [];
  for (let i = 0; i < 250 && wanted.some((w) => !reached.has(w)); i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { id: el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.tagName, visible, keyboard: el.matches(':focus-visible') };
    });
    if (!focus) continue;
    reached.add(focus.id);
    if (!focus.visible || !focus.keyboard) hidden.push(focus.id);
  }
  expect(wanted.filter((w) => !reached.has(w))).toEqual([]);
  expect(hidden).toEqual([]);
}, 120_000);

test('a new buyer is announced once: one live region says it, the feed does not repeat it', async () => {
  await page.setViewport(DESKTOP);
  fixtures.room(ROOM).post([
    { author: 'hannah', text: 'B7 Carhartt jacket $80' },
    { author: 'dora', text: 'sold B7' },
  ]);
  await page.waitForFunction(() => /New buyer: dora/.test(document.querySelector('.toasts')?.textContent ?? ''), { timeout: 30_000 });
  const announcing = await page.evaluate(() =>
    [...document.querySelectorAll('[aria-live], [role="status"], [role="alert"], [role="log"]')]
      .filter((el) => {
        const live = el.getAttribute('aria-live') ?? (el.getAttribute('role') === 'alert' ? 'assertive' : el.getAttribute('role') === 'log' || el.getAttribute('role') === 'status' ? 'polite' : 'off');
        return live !== 'off' && /dora/.test(el.textContent ?? '');
      })
      .map((el) => el.className || el.tagName),
  );
  expect(announcing).toEqual(['toasts']);
}, 60_000);
