/**
 * The dashboard with accounts, in real Chromium against the running service and the local stand-in for
 * Supabase Auth: it learns the project at run time (GET /api/config), signs in with email and password
 * (and with a magic link), keeps the session across a reload, sends the access token to /api and /ws,
 * shows the seller's own shows only, and signs out.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type Browser, type Page } from 'puppeteer-core';
import WebSocket from 'ws';
import { FeedConnection, type SocketLike } from '../web/src/feed/connection.ts';
import { FeedStore } from '../web/src/feed/store.ts';
import { startFakeSupabaseAuth, type FakeAuthUser, type FakeSupabaseAuth } from './fakes/supabase-auth-server.ts';
import { startTestService } from './support/service.ts';
import { launchBrowser } from './support/chromium.ts';

const ROOT = path.resolve(__dirname, '..');



let auth: FakeSupabaseAuth;
let service: Awaited<ReturnType<typeof startTestService>>;
let browser: Browser;
let alice: FakeAuthUser;
let bob: FakeAuthUser;
let aliceShow: string;

async function startShow(user: FakeAuthUser): Promise<string> {
  const res = await fetch(`${service.url}/api/start-monitoring`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await auth.tokenFor(user)}` },
    body: JSON.stringify({ url: `${service.url}/demo/live` }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

async function signInScreen(page: Page): Promise<void> {
  await page.waitForSelector('#signin-email', { timeout: 15_000 });
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  auth = await startFakeSupabaseAuth();
  alice = auth.addUser('alice@example.test', 'alice-password');
  bob = auth.addUser('bob@example.test', 'bob-password');
  service = await startTestService({ AUTH_URL: auth.url, SUPABASE_ANON_KEY: 'anon-key-for-tests' });
  browser = await launchBrowser();
  aliceShow = await startShow(alice);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await auth?.close();
});

test('signs in with email and password, sees own shows live, stays signed in across a reload, signs out', async () => {
  const page = await browser.newPage();
  const apiAuth: string[] = [];
  const sockets: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/sessions') apiAuth.push(req.headers().authorization ?? '');
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', (event: { url: string }) => sockets.push(event.url));
  try {
    await page.goto(service.url, { waitUntil: 'load' });
    await signInScreen(page);

    // A wrong password is refused on the screen.
    await page.type('#signin-email', alice.email);
    await page.type('#signin-password', 'not-her-password');
    await page.click('[data-testid="signin-submit"]');
    await page.waitForSelector('[data-testid="signin-error"]', { timeout: 10_000 });

    await page.click('#signin-password', { count: 3 });
    await page.type('#signin-password', alice.password);
    await page.click('[data-testid="signin-submit"]');
    await page.waitForSelector('[data-testid="account-email"]', { timeout: 15_000 });
    expect(await page.$eval('[data-testid="account-email"]', (el) => el.textContent)).toBe(alice.email);

    // Her show is listed and its chat arrives over /ws.
    await page.waitForSelector(`[data-session-id="${aliceShow}"]`, { timeout: 15_000 });
    await page.waitForFunction(
      (id) => ((window as any).__earshot?.snapshot(id)?.messageIds?.length ?? 0) >= 2,
      { timeout: 40_000 },
      aliceShow,
    );
    expect(apiAuth.some((h) => /^Bearer ey/.test(h))).toBe(true);
    expect(sockets.some((u) => new URL(u).searchParams.get('access_token')?.startsWith('ey'))).toBe(true);
    // Embedded backend: the rows are not in the Supabase project, so no Realtime socket is opened there.
    expect(sockets.filter((u) => u.includes('/realtime/'))).toEqual([]);
    // The token never shows in the page's own URL.
    expect(page.url()).not.toContain('access_token');

    // The session is kept: a reload comes back signed in.
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('[data-testid="account-email"]', { timeout: 15_000 });

    // Signing out reloads the page: wait for that load, not for a selector in the page being torn down.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('[data-testid="sign-out"]')]);
    await signInScreen(page);
    expect(await page.evaluate(() => localStorage.getItem('earshot.auth'))).toBeNull();
  } finally {
    await page.close();
  }
});

test('signs in with a magic link, and another seller sees none of the first one\u2019s shows', async () => {
  const bobShow = await startShow(bob);
  const page = await browser.newPage();
  try {
    await page.goto(service.url, { waitUntil: 'load' });
    await signInScreen(page);
    await page.type('#signin-email', bob.email);
    await page.click('[data-testid="signin-magic"]');
    await page.waitForSelector('[data-testid="signin-notice"]', { timeout: 10_000 });
    const link = auth.magicLinkFor(bob.email);
    expect(link).toBeDefined();
    // Following the link (as from the email) lands back on the dashboard, signed in.
    await page.goto(link!, { waitUntil: 'load' });
    await page.waitForSelector('[data-testid="account-email"]', { timeout: 15_000 });
    expect(await page.$eval('[data-testid="account-email"]', (el) => el.textContent)).toBe(bob.email);
    await page.waitForSelector(`[data-session-id="${bobShow}"]`, { timeout: 15_000 });
    expect(await page.$(`[data-session-id="${aliceShow}"]`)).toBeNull();
    expect(await page.evaluate((id) => (window as any).__earshot?.snapshot(id)?.messageIds?.length ?? 0, aliceShow)).toBe(0);
  } finally {
    await page.close();
  }
});

describe('the dashboard\u2019s socket and token expiry', () => {
  const wsUrl = (token: string): string => `${service.url.replace(/^http/, 'ws')}/ws?access_token=${encodeURIComponent(token)}`;
  const shortLived = (user: FakeAuthUser): Promise<string> => auth.tokenFor(user, { exp: Math.floor(Date.now() / 1000) + 2 });

  function connection(url: () => string, onUnauthorized?: () => void): { conn: FeedConnection; states: string[]; store: FeedStore } {
    const store = new FeedStore();
    const states: string[] = [];
    const conn = new FeedConnection({
      url,
      createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
      onFrame: (frame) => store.handleFrame(frame),
      sinceFor: (id) => store.sinceFor(id),
      onState: (state) => states.push(state.phase === 'waiting' ? `waiting:${state.lastClose}` : state.phase),
      onUnauthorized,
      minDelayMs: 50,
      maxDelayMs: 200,
    });
    return { conn, states, store };
  }

  async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  test('closed with 4401 token_expired, it asks for a fresh sign-in and reconnects with the new token', async () => {
    let token = await shortLived(alice);
    let refreshed = 0;
    const { conn, states } = connection(
      () => wsUrl(token),
      () => {
        refreshed++;
        void auth.tokenFor(alice).then((fresh) => (token = fresh));
      },
    );
    conn.subscribe(aliceShow);
    conn.start();
    try {
      await until(() => states.includes('waiting:token_expired'));
      expect(refreshed).toBe(1);
      await until(() => states.filter((s) => s === 'open').length >= 2);
      expect(conn.subscriptions.has(aliceShow)).toBe(true);
    } finally {
      conn.stop();
    }
  });

  test('a refreshed token handed to the open socket keeps it open past the old expiry', async () => {
    const token = await shortLived(alice);
    const { conn, states } = connection(() => wsUrl(token));
    conn.start();
    try {
      await until(() => states.includes('open'));
      conn.authenticate(await auth.tokenFor(alice));
      await new Promise((r) => setTimeout(r, 3_500));
      expect(states.filter((s) => s.startsWith('waiting'))).toEqual([]);
    } finally {
      conn.stop();
    }
  });
});
