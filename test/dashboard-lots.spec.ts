/**
 * Running a show from the dashboard, in real Chromium against the real service: the Lots view follows
 * the ledger (current lot, winner, waitlist, price), corrections are made in place and stored, buyer
 * totals carry paid/packed/shipped, the auto-answer switch is stored, search reads the stored history,
 * notices never cover content, the tab title counts buyers while the tab is away, and past shows list
 * their totals. Screenshots (desktop 1280x800, phone 390x844) go to /tmp/earshot-shots/lots-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'puppeteer-core';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { call, post, startTestService } from './support/service.ts';
import type { Sql } from '../supabase/functions/_shared/db.ts';
import { launchBrowser, openPane } from './support/chromium.ts';
import { stopWarning } from '../web/src/ledger.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';
const SELECTORS = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
const ROOM = 'dash-lots';

let service: Awaited<ReturnType<typeof startTestService>>;
let fixtures: FixtureServer;
let browser: Browser;
let page: Page;



const api = async <T = any>(method: string, route: string, body?: unknown): Promise<T> => (await call(service.url, method, route, body)).body as T;

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

const lotsOf = (sessionId: string) => api<{ lots: any[] }>('GET', `/api/sessions/${sessionId}/lots`).then((r) => r.lots);
const textOf = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

/** Replaces an input's value as a person would, then presses Enter. */
async function typeInto(selector: string, value: string): Promise<void> {
  await page.click(selector);
  await page.$eval(selector, (el) => (el as HTMLInputElement).select());
  await page.keyboard.press('Backspace');
  await page.type(selector, value);
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  fixtures = await startFixtureServer();
  service = await startTestService();
  browser = await launchBrowser(service.config.chromeExecutablePath, { width: 1280, height: 800 });
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await fixtures?.close();
});

test('a seller runs a show from the Lots view: ledger, corrections in place, totals, search, notices, past shows', async () => {
  const url = fixtures.pageUrl(ROOM, { mode: 'plain' });
  const start = await post(service.url, '/api/start-monitoring', { url, selectors: SELECTORS, seller: 'hannah' });
  expect(start.status).toBe(201);
  const sessionId: string = start.body.sessionId;
  fixtures.room(ROOM).post([
    { author: 'hannah', text: "A1 Levi's 501 jeans $45" },
    { author: 'amy', text: 'sold' },
    { author: 'bob', text: 'sold' },
    { author: 'hannah', text: 'A1 goes to @amy, next up B7 Carhartt jacket 80 bucks' },
    { author: 'cat', text: 'B7 pls' },
    { author: 'dan', text: 'sold B7' },
  ]);
  await until(() => lotsOf(sessionId), (lots) => lots.length === 2 && lots[1].waitlist.length === 1, 'the ledger');

  await page.goto(service.url, { waitUntil: 'networkidle0' });
  await page.waitForSelector(`[data-session-id="${sessionId}"]`);
  await page.click(`[data-session-id="${sessionId}"]`);
  await page.waitForFunction(() => document.querySelector('[data-testid="current-winner"]')?.textContent === 'cat', { timeout: 15_000 });
  expect(await textOf('[data-testid="current-lot"]')).toMatch(/B7[\s\S]*Carhartt jacket[\s\S]*\$80/);
  expect(await textOf('[data-testid="waitlist"]')).toMatch(/dan/);
  expect(await page.$$eval('[data-testid="lot-row"]', (rows) => rows.map((r) => r.getAttribute('data-code')))).toEqual(['B7', 'A1']);
  const totals = await page.$$eval('[data-testid="buyer-total"]', (items) => items.map((i) => (i as HTMLElement).innerText.replace(/\s+/g, ' ')));
  expect(totals).toEqual([expect.stringMatching(/^amy \$45 /), expect.stringMatching(/^cat \$80 /)]);
  await page.screenshot({ path: path.join(SHOTS, 'lots-desktop.png') });

  // Corrections in place: price and winner of A1, the waitlisted viewer promoted on B7, void.
  await typeInto('[data-code="A1"] [data-testid="lot-price"]', '40');
  await until(() => lotsOf(sessionId), (lots) => lots[0].price === 40, 'the price correction');
  await typeInto('[data-code="A1"] [data-testid="lot-winner"]', 'bob');
  await until(() => lotsOf(sessionId), (lots) => lots[0].winner?.username === 'bob', 'the winner correction');
  await page.click('[data-testid="waitlist"] button');
  await until(() => lotsOf(sessionId), (lots) => lots[1].winner?.username === 'dan', 'the waitlisted viewer made winner');
  await page.waitForFunction(() => document.querySelector('[data-testid="current-winner"]')?.textContent === 'dan');

  // Paid on a buyer marks every lot they won.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="buyer-total"]')].some((li) => li.textContent?.startsWith('bob')));
  const bobPaid = await page.evaluateHandle(
    () => [...document.querySelectorAll('[data-testid="buyer-total"]')].find((li) => li.textContent?.startsWith('bob'))!.querySelector('input[type="checkbox"]')!,
  );
  await (bobPaid as any).click();
  await until(() => lotsOf(sessionId), (lots) => lots[0].paid === true, 'paid');
  await page.click('[data-code="B7"] [data-testid="lot-void"]');
  await until(() => lotsOf(sessionId), (lots) => lots[1].status === 'void', 'void');

  // The answer mode is stored for the session: Suggest is auto-answer on, delivery suggest.
  expect((await api('GET', `/api/sessions/${sessionId}/bot`)).autoAnswer).toBe(false);
  await page.click('[data-testid="auto-answer"][data-mode="suggest"]');
  await until(() => api('GET', `/api/sessions/${sessionId}/bot`), (s) => s.autoAnswer === true && s.delivery === 'suggest', 'auto-answer on');
  await page.waitForSelector('[data-testid="auto-answer"][data-mode="suggest"][aria-checked="true"]');

  // A suggested answer can be sent (the service is asked; this one has no stored reply) or dismissed.
  service.sessions.publish(sessionId, {
    type: 'answer',
    messageId: 'q-1',
    question: 'ship to Canada?',
    answer: 'Yes, 5 to 7 days.',
    status: 'suggested',
    sources: [],
    replyId: '00000000-0000-4000-8000-000000000001',
  });
  await page.waitForSelector('[data-testid="answer-send"]');
  await page.click('[data-testid="answer-send"]');
  await page.waitForFunction(() => /No reply|reply/i.test(document.querySelector('.questions .inline-error')?.textContent ?? ''));
  // Dismissing a reply the outbox does not know is refused and the answer stays.
  await page.click('[data-testid="answer-dismiss"]');
  await page.waitForFunction(() => /No reply/i.test(document.querySelector('.questions .inline-error')?.textContent ?? ''));
  expect(await page.$$('[data-testid="answer"]')).toHaveLength(1);

  // A stored suggestion dismissed from the dashboard is dismissed in the outbox (never sent) and hidden.
  const [stored] = await (service.backend as unknown as { sql: Sql }).sql.query<{ id: string }>(
    `insert into public.bot_replies (stream_session_id, kind, username, question, text, status)
     values ($1, 'answer', 'amy', 'returns?', 'Free returns for 30 days.', 'suggested') returning id::text as id`,
    [sessionId],
  );
  service.sessions.publish(sessionId, {
    type: 'answer',
    messageId: 'q-2',
    question: 'returns?',
    answer: 'Free returns for 30 days.',
    status: 'suggested',
    sources: [],
    replyId: stored!.id,
  });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="answer"]').length === 2);
  await page.evaluate(() => {
    const item = [...document.querySelectorAll('[data-testid="answer"]')].find((li) => li.textContent?.includes('Free returns'));
    (item!.querySelector('[data-testid="answer-dismiss"]') as HTMLButtonElement).click();
  });
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="answer"]')].some((li) => li.textContent?.includes('Free returns')));
  const dismissedReplies = await api('GET', `/api/replies?sessionId=${sessionId}&status=dismissed`);
  expect(dismissedReplies.map((r: { id: string }) => r.id)).toEqual([stored!.id]);

  // Search reads the stored history.
  await page.type('[data-testid="history-q"]', 'Carhartt');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="history-hit"]');
  expect(await textOf('[data-testid="history-results"]')).toMatch(/hannah[\s\S]*Carhartt jacket/);
  // The same box over all the seller's shows: each hit says which show it is from.
  await page.select('[data-testid="search-scope"]', 'all');
  await page.focus('[data-testid="history-q"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /in your show/.test(document.querySelector('[data-testid="history-results"]')?.textContent ?? ''), { timeout: 15_000 });
  expect(await textOf('[data-testid="history-hit"] .history-show')).toContain(`Room ${ROOM}`);
  await page.click('[data-testid="history-results"] button');
  await page.waitForFunction(() => !document.querySelector('[data-testid="history-results"]'));

  // A buyer notice sits in its own strip: it covers nothing. The tab title counts buyers while away.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  });
  fixtures.room(ROOM).post([{ author: 'hannah', text: 'C3 band tee bundle $30' }, { author: 'erin', text: 'mine' }]);
  await page.waitForSelector('[data-testid="toast"]', { timeout: 20_000 });
  expect(await textOf('[data-testid="toast"]')).toMatch(/erin · C3/);
  const boxes = await page.evaluate(() => {
    const rect = (s: string) => document.querySelector(s)!.getBoundingClientRect().toJSON() as DOMRect;
    return { toast: rect('[data-testid="toast"]'), layout: rect('.layout'), viewport: window.innerHeight };
  });
  expect(boxes.toast.top).toBeGreaterThanOrEqual(boxes.layout.bottom - 0.5);
  expect(boxes.toast.bottom).toBeLessThanOrEqual(boxes.viewport + 0.5);
  await page.waitForFunction(() => document.title === '(1) Earshot');
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForFunction(() => document.title === 'Earshot');
  await page.screenshot({ path: path.join(SHOTS, 'lots-desktop-notice.png') });

  // Desktop: the Lots view gives the ledger the centre column's height instead of a box beside the chat.
  await page.click('[data-testid="view-lots"]');
  await page.waitForSelector('.col-feed [data-testid="lots-panel"]', { visible: true });
  expect(await page.$('.col-side [data-testid="lots-panel"]')).toBeNull();
  const room = await page.$eval('.col-feed [data-testid="lots-panel"]', (el) => el.getBoundingClientRect().height / window.innerHeight);
  expect(room).toBeGreaterThan(0.6);
  await page.screenshot({ path: path.join(SHOTS, 'lots-desktop-view.png') });
  await page.click('[data-testid="view-chat"]');
  await page.waitForSelector('.col-feed [data-testid="feed"]', { visible: true });

  // Phone: the Lots tab holds the ledger; the tabs sit at the bottom, and every control there is a
  // touch target of at least 44 x 44 px.
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  await openPane(page, 'Lots');
  await page.waitForSelector('[data-testid="lots-panel"]', { visible: true });
  const tabsBottom = await page.$eval('.pane-tabs', (el) => window.innerHeight - el.getBoundingClientRect().bottom);
  expect(Math.abs(tabsBottom)).toBeLessThanOrEqual(1);
  const small = await page.$$eval('.lots-panel button, .lots-panel .mark, .pane-tabs button', (els) =>
    els
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => ({ what: (el.textContent ?? '').trim().slice(0, 30), ...el.getBoundingClientRect().toJSON() }))
      .filter((r) => r.width < 44 || r.height < 44),
  );
  expect(small).toEqual([]);
  expect(await page.$eval('.buyers', (el) => (el as HTMLElement).offsetParent === null)).toBe(true);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(SHOTS, 'lots-phone.png') });

  // Stop asks first and says what settlement does to the open lots; the show then leaves the running
  // list for Past shows (listed once, by its title, not its id).
  await page.setViewport({ width: 1280, height: 800 });
  // The show is titled by its page (the fixture's document title) and renamed in place; bad titles are
  // refused with a code, another show is 404.
  await until(() => api('GET', `/api/sessions/${sessionId}`), (info) => info.title === `Room ${ROOM}` && info.titleBy === 'page', 'the page title');
  await page.waitForFunction((want) => document.querySelector('[data-testid="show-title"]')?.textContent === want, { timeout: 15_000 }, `Room ${ROOM}`);
  await page.click('[data-testid="show-title-rename"]');
  await page.waitForSelector('#show-title-input');
  await page.type('#show-title-input', 'Friday denim drop');
  await page.keyboard.press('Enter');
  await until(() => api('GET', `/api/sessions/${sessionId}`), (info) => info.title === 'Friday denim drop' && info.titleBy === 'seller', 'the new title');
  await page.waitForFunction(() => /Friday denim drop/.test(document.querySelector(`.sessions`)?.textContent ?? ''), { timeout: 15_000 });
  const putTitle = (id: string, body: unknown) =>
    fetch(`${service.url}/api/sessions/${id}/title`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      code: ((await r.json()) as { error?: { code?: string } }).error?.code,
    }));
  expect(await putTitle(sessionId, { title: '   ' })).toEqual({ status: 400, code: 'invalid_body' });
  expect(await putTitle(sessionId, { title: 'x'.repeat(201) })).toEqual({ status: 400, code: 'invalid_body' });
  expect(await putTitle(sessionId, { name: 'x' })).toEqual({ status: 400, code: 'invalid_body' });
  expect(await putTitle('no-such-show', { title: 'x' })).toEqual({ status: 404, code: 'session_not_found' });
  expect((await api('GET', `/api/sessions/${sessionId}`)).title).toBe('Friday denim drop');

  await page.click(`.sessions li:has([data-session-id="${sessionId}"]) .stop`);
  await page.waitForSelector('[data-testid="stop-confirm"]', { visible: true });
  // It names the lots the service will settle (C3 is open with a winner here).
  const warning = stopWarning(await lotsOf(sessionId));
  expect(warning).toMatch(/open lot/);
  await page
    .waitForFunction((want) => document.querySelector('[data-testid="stop-confirm"] p')?.textContent === want, { timeout: 15_000 }, warning)
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the confirmation read: ${await textOf('[data-testid="stop-confirm"] p')}`);
    });
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('stop-yes');
  await page.screenshot({ path: path.join(SHOTS, 'lots-stop-confirm.png') });
  expect((await api('GET', '/api/sessions')).find((x: any) => x.sessionId === sessionId).status).not.toBe('stopped');
  await page.click('[data-testid="stop-yes"]');
  await until(() => api('GET', '/api/sessions'), (list) => list.find((x: any) => x.sessionId === sessionId)?.status === 'stopped', 'the show stopped');
  await page.waitForSelector(`.past-shows [data-session-id="${sessionId}"]`, { timeout: 20_000 });
  expect(await page.$(`.sessions [data-session-id="${sessionId}"]`)).toBeNull();
  expect(await page.$eval(`.past-shows [data-session-id="${sessionId}"] .past-show-title`, (el) => el.textContent ?? '')).toBe('generic Friday denim drop');

  // The next show of this URL is a new session; the last one is listed with its totals.
  const next = await post(service.url, '/api/start-monitoring', { url, selectors: SELECTORS, seller: 'hannah' });
  expect(next.status).toBe(201);
  expect(next.body.sessionId).not.toBe(sessionId);
  await page.waitForSelector('[data-testid="past-show-totals"]', { timeout: 20_000 });
  await page
    .waitForFunction(() => /2 sold · 2 buyers · \$70/.test(document.querySelector('[data-testid="past-shows"]')?.textContent ?? ''), { timeout: 20_000 })
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}; past shows read: ${await textOf('[data-testid="past-shows"]')}`);
    });
  await page.screenshot({ path: path.join(SHOTS, 'lots-desktop-past.png') });
  await post(service.url, '/api/stop-monitoring', { sessionId: next.body.sessionId });
});
