/**
 * Answers in a busy show (issue 28), in real Chromium against the real service: the three answer modes
 * (Off, Suggest, Send automatically) are stored and say the rate cap in words; two viewers asking the
 * same question are one suggestion "asked by amy and bob", and Reply to all stores one reply @mentioning
 * both; a reply that cannot be posted says why in words and leaves "Sending…". Screenshots (desktop
 * 1280x800, phone 390x844) go to /tmp/earshot-shots/answers-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'puppeteer-core';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { call, post, startTestService } from './support/service.ts';
import { launchBrowser, openPane } from './support/chromium.ts';
import { until } from './support/wait.ts';
import type { Sql } from '../supabase/functions/_shared/db.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';
const SELECTORS = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
const ROOM = 'dash-answers';
const FAQ = `## Shipping
We ship every Monday and Thursday from Austin.

## Returns
Returns are accepted within 30 days of delivery.
`;

let service: Awaited<ReturnType<typeof startTestService>>;
let fixtures: FixtureServer;
let browser: Browser;
let page: Page;
let sessionId: string;

const api = async <T = any>(method: string, route: string, body?: unknown): Promise<T> => (await call(service.url, method, route, body)).body as T;

const bot = () => api<{ autoAnswer: boolean; delivery: string; repliesPerMinute: number }>('GET', `/api/sessions/${sessionId}/bot`);
const replies = () => api<Array<{ id: string; text: string; status: string; reason: string | null; askers: string[] }>>('GET', `/api/replies?sessionId=${sessionId}`);
const checkedMode = () => page.$eval('[data-testid="auto-answer"][aria-checked="true"]', (el) => el.getAttribute('data-mode')).catch(() => null);
const noteText = () => page.$eval('[data-testid="answer-mode-note"]', (el) => (el as HTMLElement).innerText);

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  fixtures = await startFixtureServer();
  service = await startTestService({ REPLY_RATE_PER_MINUTE: '4' });
  browser = await launchBrowser(service.config.chromeExecutablePath, { width: 1280, height: 800 });
  page = await browser.newPage();
  const start = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl(ROOM, { mode: 'plain' }), selectors: SELECTORS, seller: 'hannah' });
  expect(start.status).toBe(201);
  sessionId = start.body.sessionId;
  // Chat already on the page when capture starts is backfill (never answered): questions come after this.
  fixtures.room(ROOM).post([{ author: 'hannah', text: 'welcome in everyone' }]);
  await until(async () => (await api('GET', `/api/sessions/${sessionId}/messages`)).messages.length > 0, 'capture running');
  expect((await post(service.url, '/api/kb/documents', { title: 'faq.md', text: FAQ, format: 'md' })).status).toBe(201);
  await page.goto(service.url, { waitUntil: 'networkidle0' });
  await page.waitForSelector(`[data-session-id="${sessionId}"]`);
  await page.click(`[data-session-id="${sessionId}"]`);
  await page.waitForSelector('[data-testid="auto-answer"][aria-checked="true"]');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await fixtures?.close();
});

test('the three answer modes are stored, reachable by keyboard, and say the rate cap in words', async () => {
  expect(await checkedMode()).toBe('off');
  expect(await noteText()).toMatch(/^Only messages that address .* get an answer, suggested here for you to send\./);
  expect(await page.$$eval('[data-testid="auto-answer"]', (els) => els.map((e) => [e.textContent, e.getAttribute('role'), e.getAttribute('tabindex')]))).toEqual([
    ['Off', 'radio', '0'],
    ['Suggest', 'radio', '-1'],
    ['Send automatically', 'radio', '-1'],
  ]);
  // 44 px targets.
  const sizes = await page.$$eval('[data-testid="auto-answer"]', (els) => els.map((e) => e.getBoundingClientRect().height));
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(44);

  await page.click('[data-testid="auto-answer"][data-mode="send"]');
  await until(async () => {
    const s = await bot();
    return s.autoAnswer && s.delivery === 'send';
  }, 'Send automatically stored');
  await until(async () => (await checkedMode()) === 'send', 'Send automatically shown');
  expect(await noteText()).toBe('Every question is answered in the chat for you: at most 4 answers a minute; the rest wait here for you to send.');
  expect((await bot()).repliesPerMinute).toBe(4);

  // Arrow left from the chosen mode chooses Suggest, as a radio group does.
  await page.focus('[data-testid="auto-answer"][data-mode="send"]');
  await page.keyboard.press('ArrowLeft');
  await until(async () => {
    const s = await bot();
    return s.autoAnswer && s.delivery === 'suggest';
  }, 'Suggest stored');
  await until(async () => (await checkedMode()) === 'suggest', 'Suggest shown');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-mode'))).toBe('suggest');
  expect(await noteText()).toBe('Every question gets a suggested answer here. Nothing is posted until you send it.');
  await page.screenshot({ path: path.join(SHOTS, 'answers-modes-desktop.png') });
}, 60_000);

test('two viewers asking the same question are one suggestion; Reply to all stores one reply mentioning both', async () => {
  fixtures.room(ROOM).post([
    { author: 'amy', text: 'when do you ship?' },
    { author: 'bob', text: 'When do you ship??' },
  ]);
  await page.waitForSelector('[data-testid="answer-askers"]', { timeout: 20_000 });
  // Both asked in one batch: either may be first.
  await until(
    async () => /^asked by (amy and bob|bob and amy)$/.test((await page.$eval('[data-testid="answer-askers"]', (el) => el.textContent)) ?? ''),
    'asked by amy and bob',
  );
  const shown = await page.$$eval('[data-testid="answer"]', (items) => items.map((i) => (i as HTMLElement).innerText));
  expect(shown).toHaveLength(1);
  expect(shown[0]).toMatch(/Monday/);
  const stored = await replies();
  expect(stored.map((r) => [r.status, [...r.askers].sort()])).toEqual([['suggested', ['amy', 'bob']]]);
  await page.screenshot({ path: path.join(SHOTS, 'answers-merged-desktop.png') });

  await page.click('[data-testid="answer-send-all"]');
  // One reply, once, with both names (the fixture page has no chat the service can type into, so it goes
  // back to being a suggestion with the reason, the mentions kept).
  const sent = await until(async () => {
    const all = await replies();
    return all.length === 1 && /^@(amy @bob|bob @amy) /.test(all[0]!.text) ? all[0] : undefined;
  }, 'one reply mentioning amy and bob');
  expect(sent.text).toMatch(/^@(amy @bob|bob @amy) We ship every Monday and Thursday from Austin\.$/);
  await until(async () => (await replies())[0]!.reason === 'no_transport', 'no transport for the fixture chat');
  await until(
    async () => /Earshot cannot post in this chat: copy the answer and post it yourself\./.test(await page.$eval('[data-testid="answer"]', (el) => (el as HTMLElement).innerText)),
    'the reason in words',
  );
  expect(await page.$$('[data-testid="answer-send-all"]')).toHaveLength(1);
}, 60_000);

test('a reply that failed says what happened in words and offers to try again', async () => {
  const [stored] = await (service.backend as unknown as { sql: Sql }).sql.query<{ id: string }>(
    `insert into public.bot_replies (stream_session_id, kind, username, question, text, status, askers)
     values ($1, 'answer', 'cy', 'returns?', 'Returns are accepted within 30 days of delivery.', 'suggested', '["cy"]') returning id::text as id`,
    [sessionId],
  );
  service.sessions.publish(sessionId, {
    type: 'answer',
    messageId: 'q-returns',
    question: 'returns?',
    answer: 'Returns are accepted within 30 days of delivery.',
    status: 'suggested',
    sources: [],
    replyId: stored!.id,
    askers: ['cy'],
  });
  await until(async () => (await page.$$('[data-testid="answer"]')).length === 2, 'the second answer');
  // The worker's failure, as the reply_status event announces it.
  service.sessions.publish(sessionId, { type: 'reply_status', replyId: stored!.id, messageId: 'q-returns', status: 'failed', detail: 'no_chat_input' });
  const failure = await until(async () => {
    const texts = await page.$$eval('[data-testid="answer"]', (items) => items.map((i) => (i as HTMLElement).innerText));
    return texts.find((t) => t.includes('30 days') && /failed/i.test(t));
  }, 'the failure shown');
  expect(failure).toContain("Earshot opened the show's page but found no chat box to type into (signed out, or the chat is closed): copy the answer and post it yourself.");
  expect(failure).not.toContain('no_chat_input');
  expect(failure).not.toContain('Sending');
  expect(failure).toContain('Try again');
  await page.screenshot({ path: path.join(SHOTS, 'answers-failed-desktop.png') });
}, 60_000);

test('on a phone the answers fit the screen: no sideways scrolling, 44 px targets', async () => {
  await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await openPane(page, 'Q&A');
  await page.waitForSelector('[data-testid="answer-askers"]', { visible: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const small = await page.$$eval('.questions button', (buttons) =>
    buttons
      .filter((b) => (b as HTMLElement).offsetParent !== null)
      .map((b) => [b.textContent, Math.round(b.getBoundingClientRect().height)] as const)
      .filter(([, h]) => h < 44),
  );
  expect(small).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, 'answers-phone.png') });
  await page.setViewport({ width: 1280, height: 800 });
}, 60_000);
