/**
 * The on-stream overlay, in real Chromium against the real service (API_TOKEN set, so the API is locked):
 * an OBS-style page opened with the show's link follows the lot on screen, its winner and waitlist, the
 * last buyer and the message the seller features from the dashboard, on a transparent page that reads
 * over a dark and a light scene (screenshots in /tmp/earshot-shots/overlay-*.png). The link is a
 * credential for one show's overlay only: not another show's, not the API, not another show over /ws,
 * and not after a new link replaced it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import WebSocket from 'ws';
import { WsOverlayEvent } from '../supabase/functions/_shared/contract.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { launchBrowser } from './support/chromium.ts';
import { startTestService } from './support/service.ts';
import { until } from './support/wait.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';
const SELECTORS = { container: "[data-testid='virtuoso-item-list']", row: '[data-index]', author: 'strong', text: '.body' };
const API_TOKEN = 'overlay-spec-api-token';
const HOSTILE = 'does the jacket run small? <img src=x onerror="window.__pwned=1"> **ignore previous instructions**';

let service: Awaited<ReturnType<typeof startTestService>>;
let fixtures: FixtureServer;
let browser: Browser;

interface Answer {
  status: number;
  body: any;
}

async function call(method: string, route: string, options: { body?: unknown; headers?: Record<string, string>; apiToken?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.apiToken !== false) headers.authorization = `Bearer ${API_TOKEN}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${service.url}${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

async function startShow(room: string): Promise<string> {
  const started = await call('POST', '/api/start-monitoring', { body: { url: fixtures.pageUrl(room, { mode: 'plain' }), selectors: SELECTORS, seller: 'hannah' } });
  expect(started.status).toBe(201);
  return started.body.sessionId as string;
}

async function makeLink(sessionId: string): Promise<{ url: string; token: string }> {
  const made = await call('POST', `/api/sessions/${sessionId}/overlay-link`);
  expect(made.status).toBe(201);
  return made.body;
}

/** A raw /ws connection with the frames it received; `refused` holds an upgrade's refusal instead. */
async function socket(query: string): Promise<{ ws?: WebSocket; frames: any[]; closed?: { code: number; reason: string }; refused?: { status: number; body: any } }> {
  const ws = new WebSocket(`${service.url.replace(/^http/, 'ws')}/ws${query}`);
  const conn: { ws?: WebSocket; frames: any[]; closed?: { code: number; reason: string }; refused?: { status: number; body: any } } = { ws, frames: [] };
  ws.on('message', (data) => conn.frames.push(JSON.parse(String(data))));
  ws.on('close', (code, reason) => (conn.closed = { code, reason: String(reason) }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => {
        conn.refused = { status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null };
        delete conn.ws;
        resolve();
      });
    });
    ws.once('error', (error) => (conn.refused ? resolve() : reject(error)));
  });
  return conn;
}

const text = (page: Page, testId: string): Promise<string | null> =>
  page.$eval(`[data-testid="${testId}"]`, (el) => (el as HTMLElement).innerText).catch(() => null);

async function shoot(page: Page, name: string, color: { r: number; g: number; b: number }): Promise<void> {
  const cdp = await page.createCDPSession();
  // What OBS does: the page's transparent pixels show the scene under them (here one colour).
  await cdp.send('Emulation.setDefaultBackgroundColorOverride', { color: { ...color, a: 1 } });
  await page.screenshot({ path: path.join(SHOTS, name) });
  await cdp.detach();
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  fixtures = await startFixtureServer();
  service = await startTestService({ API_TOKEN });
  browser = await launchBrowser(service.config.chromeExecutablePath, { width: 1280, height: 720 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await fixtures?.close();
});

test('the overlay follows the show (lot, winner, waitlist, last buyer) and the message the seller features', async () => {
  const room = 'overlay-show';
  const sessionId = await startShow(room);
  const link = await makeLink(sessionId);
  expect(link.url).toBe(`${service.url}/overlay/${sessionId}?token=${link.token}`);
  expect((await call('GET', `/api/sessions/${sessionId}/overlay`)).body).toMatchObject({ hasLink: true, featured: null });

  const overlay = await browser.newPage();
  const served = await overlay.goto(link.url, { waitUntil: 'load' });
  expect(served?.headers()['content-security-policy']).toMatch(/default-src 'none'.*connect-src 'self'.*frame-ancestors 'none'/);
  await overlay.waitForFunction(() => document.documentElement.dataset.phase === 'live', { timeout: 15_000 });
  // Transparent: OBS composites the page over the scene.
  expect(await overlay.evaluate(() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor])).toEqual([
    'rgba(0, 0, 0, 0)',
    'rgba(0, 0, 0, 0)',
  ]);
  expect(await overlay.$('[data-testid="overlay-lot"]')).toBeNull();

  fixtures.room(room).post([
    { author: 'hannah', text: "A1 Levi's 501 jeans $45" },
    { author: 'amy', text: 'sold' },
    { author: 'bob', text: 'sold' },
  ]);
  await until(async () => (await text(overlay, 'overlay-line')) === 'amy has it · 1 waiting', 'A1 with its winner and waitlist on the overlay');
  expect(await text(overlay, 'overlay-code')).toBe('A1');
  expect(await text(overlay, 'overlay-title')).toBe("Levi's 501 jeans");
  expect(await text(overlay, 'overlay-price')).toBe('$45');
  expect(await text(overlay, 'overlay-buyer')).toMatch(/amy\s+A1 · \$45/);

  fixtures.room(room).post([
    { author: 'hannah', text: 'A1 goes to @amy, next up B7 Carhartt jacket 80 bucks' },
    { author: 'cat', text: 'B7 pls' },
    { author: 'dana', text: HOSTILE },
  ]);
  await until(async () => (await text(overlay, 'overlay-code')) === 'B7' && (await text(overlay, 'overlay-line')) === 'cat has it', 'B7 on screen with its winner');
  expect(await text(overlay, 'overlay-price')).toBe('$80');
  expect(await text(overlay, 'overlay-buyer')).toMatch(/cat\s+B7 · \$80/);

  // The seller features dana's message from the dashboard (the API token is in this browser, as after signing in).
  const dashboard = await browser.newPage();
  await dashboard.evaluateOnNewDocument((token) => localStorage.setItem('earshot.apiToken', token), API_TOKEN);
  await dashboard.goto(service.url, { waitUntil: 'networkidle0' });
  await dashboard.click(`[data-session-id="${sessionId}"]`);
  const danaRow = (await dashboard.waitForFunction(
    (hostile) => [...document.querySelectorAll('[data-testid="message"]')].find((row) => row.querySelector('[data-testid="text"]')?.textContent === hostile),
    { timeout: 15_000 },
    HOSTILE,
  )) as unknown as ElementHandle<Element>;
  await danaRow.hover();
  await (await danaRow.$('[data-testid="feature"]'))!.click();
  await until(async () => (await text(overlay, 'overlay-featured'))?.includes('dana'), 'the featured message on the overlay');
  // Chat text is text: the markup is shown, never made (no image, no handler ran).
  expect(await overlay.$eval('[data-testid="overlay-featured"] blockquote', (el) => el.textContent)).toBe(HOSTILE);
  expect(await overlay.$$('img')).toHaveLength(0);
  expect(await overlay.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await dashboard.waitForFunction(() => document.querySelector('[data-testid="overlay-featured"]')?.textContent?.includes('dana'));
  expect(await dashboard.$eval('[data-testid="message"].is-featured [data-testid="feature"]', (b) => b.getAttribute('aria-pressed'))).toBe('true');
  await dashboard.screenshot({ path: path.join(SHOTS, 'overlay-dashboard.png') });

  await shoot(overlay, 'overlay-dark.png', { r: 18, g: 20, b: 28 });
  await shoot(overlay, 'overlay-light.png', { r: 244, g: 244, b: 240 });

  // Cleared from the dashboard's overlay panel: gone from the stream, and stored so (a reload shows none).
  await dashboard.click('[data-testid="overlay-clear"]');
  await until(async () => (await overlay.$('[data-testid="overlay-featured"]')) === null, 'the featured message cleared');
  expect((await call('GET', `/api/sessions/${sessionId}/overlay`)).body.featured).toBeNull();

  // The host closes B7: it stays on screen as sold until the next lot opens.
  fixtures.room(room).post([{ author: 'hannah', text: 'B7 sold to @cat' }]);
  await until(async () => (await text(overlay, 'overlay-line'))?.startsWith('SOLD to cat'), 'B7 shown as sold');
  await overlay.reload({ waitUntil: 'load' });
  await until(async () => (await text(overlay, 'overlay-line'))?.startsWith('SOLD to cat'), 'the same picture after a reload (read from the state)');
  await dashboard.close();
  await overlay.close();
}, 120_000);

test('an overlay link opens its own show only: not another show, not the API, not another show over /ws, not after it is replaced', async () => {
  const mine = await startShow('overlay-mine');
  const other = await startShow('overlay-other');
  const link = await makeLink(mine);
  await makeLink(other);
  const refusal = { error: { code: 'invalid_overlay_token', message: expect.any(String) } };

  // Its own show's state, with the token as a header or in the query.
  const own = await call('GET', `/overlay/${mine}/state`, { headers: { 'x-overlay-token': link.token }, apiToken: false });
  expect(own.status).toBe(200);
  expect(own.body).toMatchObject({ sessionId: mine, status: expect.any(String), lots: [], featured: null });
  expect((await call('GET', `/overlay/${mine}/state?token=${link.token}`, { apiToken: false })).status).toBe(200);
  // Another show, a show that does not exist, a made-up token and none at all: one answer, so nothing is revealed.
  const answers = await Promise.all([
    call('GET', `/overlay/${other}/state`, { headers: { 'x-overlay-token': link.token }, apiToken: false }),
    call('GET', `/overlay/no-such-show/state`, { headers: { 'x-overlay-token': link.token }, apiToken: false }),
    call('GET', `/overlay/${mine}/state`, { headers: { 'x-overlay-token': `eso_${'A'.repeat(43)}` }, apiToken: false }),
    call('GET', `/overlay/${mine}/state`, { apiToken: false }),
  ]);
  for (const answer of answers) {
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(refusal);
  }
  expect(new Set(answers.map((a) => a.body.error.message)).size).toBe(1);

  // Not a key to the API, however it is presented.
  const presented: Array<Record<string, string>> = [{ authorization: `Bearer ${link.token}` }, { 'x-api-key': link.token }, { 'x-overlay-token': link.token }];
  for (const headers of presented) {
    const refused = await call('GET', '/api/sessions', { headers, apiToken: false });
    expect(refused.status).toBe(401);
  }
  expect((await call('GET', `/api/sessions/${mine}/lots?token=${link.token}`, { apiToken: false })).status).toBe(401);
  expect((await call('POST', `/api/sessions/${mine}/overlay-link`, { headers: { authorization: `Bearer ${link.token}` }, apiToken: false })).status).toBe(401);

  // Over /ws: its own show read-only, nothing else; without it the API token is still required.
  expect((await socket('')).refused?.status).toBe(401);
  expect((await socket(`?overlay_token=eso_${'B'.repeat(43)}`)).refused).toEqual({ status: 401, body: refusal });
  const conn = await socket(`?overlay_token=${encodeURIComponent(link.token)}`);
  const send = (frame: unknown): void => conn.ws!.send(JSON.stringify(frame));
  send({ type: 'subscribe', sessionId: other });
  send({ type: 'subscribe', sessionId: '*' });
  send({ type: 'auth', token: API_TOKEN });
  send({ type: 'subscribe', sessionId: mine, since: 0 });
  await until(() => conn.frames.some((f) => f.type === 'subscribed'), 'the subscription to its own show');
  expect(conn.frames.filter((f) => f.type === 'error').map((f) => f.error.code)).toEqual(['session_not_found', 'session_not_found', 'invalid_message']);
  expect(conn.frames.filter((f) => f.type === 'subscribed').map((f) => f.sessionId)).toEqual([mine]);

  fixtures.room('overlay-mine').post([
    { author: 'hannah', text: 'C3 denim vest $30' },
    { author: 'eve', text: 'sold' },
    { author: 'fay', text: 'sold' },
  ]);
  fixtures.room('overlay-other').post([{ author: 'hannah', text: 'Z9 secret lot $99' }]);
  await until(() => conn.frames.some((f) => f.type === 'lot_update' && f.lot.winner === 'eve' && f.lot.waitlistCount === 1), 'the overlay form of the lot');
  const events = conn.frames.filter((f) => typeof f.seq === 'number' && f.type !== 'subscribed');
  for (const event of events) expect(() => WsOverlayEvent.parse(event)).not.toThrow();
  // Only what the overlay draws: no chat, no buyers' marks or names on the waitlist, nothing of the other show.
  expect(events.map((e) => e.type).filter((type) => type !== 'lot_update' && type !== 'session_status')).toEqual([]);
  expect(events.every((e) => e.sessionId === mine)).toBe(true);
  const lot = events.at(-1)!.lot;
  expect(Object.keys(lot).sort()).toEqual(['announcedAt', 'code', 'ord', 'priceCents', 'status', 'title', 'waitlistCount', 'winner', 'wonAt']);
  expect(JSON.stringify(events)).not.toContain('fay');

  // A new link: the old page is closed, the old token refused everywhere, the new one works.
  const renewed = await makeLink(mine);
  await until(() => conn.closed, 'the old link closed');
  expect(conn.closed).toEqual({ code: 4401, reason: 'overlay_link_changed' });
  expect((await call('GET', `/overlay/${mine}/state`, { headers: { 'x-overlay-token': link.token }, apiToken: false })).status).toBe(401);
  expect((await socket(`?overlay_token=${encodeURIComponent(link.token)}`)).refused?.status).toBe(401);
  expect((await call('GET', `/overlay/${mine}/state`, { headers: { 'x-overlay-token': renewed.token }, apiToken: false })).status).toBe(200);
  const fresh = await socket(`?overlay_token=${encodeURIComponent(renewed.token)}`);
  expect(fresh.ws).toBeDefined();
  fresh.ws!.close();
  // The page says so instead of showing a stale picture.
  const page = await browser.newPage();
  await page.goto(link.url, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid="overlay-invalid"]', { timeout: 15_000 });
  await page.close();
}, 120_000);

test('featuring refuses what is not a message of the show, with codes', async () => {
  const sessionId = await startShow('overlay-bad-input');
  const put = (body: unknown): Promise<Answer> => call('PUT', `/api/sessions/${sessionId}/featured`, { body });
  expect(await put({ messageId: 'no-such-message' })).toMatchObject({ status: 404, body: { error: { code: 'message_not_found' } } });
  expect(await put({ messageId: '' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  expect(await put({ messageId: 'x'.repeat(5_000) })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  expect(await put({ message: 'hello' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  expect(await put(null)).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  expect(await call('PUT', '/api/sessions/no-such-show/featured', { body: { messageId: null } })).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
  expect(await call('POST', '/api/sessions/no-such-show/overlay-link')).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
  // Clearing what was never set is fine.
  expect(await put({ messageId: null })).toMatchObject({ status: 200, body: { featured: null } });
});

test("the overlay store keeps each seller's rows to that seller and never stores a token", async () => {
  const store = service.backend.overlays!;
  const alice = '00000000-0000-4000-8000-00000000a11c';
  const bob = '00000000-0000-4000-8000-000000000b0b';
  const hash = 'c'.repeat(64);
  await store.setLink('store-show', alice, hash);
  expect(await store.showOfLink(hash)).toEqual({ sessionId: 'store-show', ownerId: alice });
  // Another seller cannot take the show's row over, nor read it.
  await expect(store.setLink('store-show', bob, 'd'.repeat(64))).rejects.toThrow(/another owner/);
  await expect(store.setFeatured('store-show', bob, null)).rejects.toThrow(/another owner/);
  expect(await store.settings('store-show', bob)).toEqual({ sessionId: 'store-show', hasLink: false, linkCreatedAt: null, featured: null });
  expect(await store.showOfLink('d'.repeat(64))).toBeUndefined();
  expect((await store.settings('store-show', alice)).hasLink).toBe(true);
  // A new link replaces the old hash; something that is not a hash is never looked up.
  await store.setLink('store-show', alice, 'e'.repeat(64));
  expect(await store.showOfLink(hash)).toBeUndefined();
  expect(await store.showOfLink("' or 1=1 --")).toBeUndefined();
});
