/**
 * The React dashboard (web/) in a real browser against the real service: the demo fills the feed,
 * buyers fill the panel and export the right CSV, hostile chat stays inert text, a dropped WebSocket
 * reconnects without a gap, the list stays virtualized with tens of thousands of messages. Screenshots
 * (desktop and phone) go to /tmp/earshot-shots/. The first block tests the dashboard's pure logic in Node.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import WebSocket from 'ws';
import type { ChatMessage } from '../src/domain/message.ts';
import { buyersCsv, csvCell, toCsv } from '../web/src/csv.ts';
import { backoffDelay, FeedConnection, type SocketLike } from '../web/src/feed/connection.ts';
import { SessionFeed } from '../web/src/feed/session-feed.ts';
import { FeedStore } from '../web/src/feed/store.ts';
import type { Buyer } from '../web/src/feed/types.ts';
import { detectPlatform } from '../web/src/platform.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';
import { launchBrowser, openPane } from './support/chromium.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';

type TestService = Awaited<ReturnType<typeof startTestService>>;

function chatMessage(id: string, text: string, author = 'tester'): ChatMessage {
  return { id, platform: 'whatnot', author: { name: author, badges: [] }, text, capturedAt: new Date().toISOString(), backfill: false };
}

/** A minimal RFC 4180 reader, independent of the dashboard's writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('dashboard logic', () => {
  test('CSV cells are quoted per RFC 4180 and formula starts are neutralized', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell('\tTAB')).toBe("'\tTAB");
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(45)).toBe('45');
    expect(toCsv([['a', 'b'], ['c', 'd']])).toBe('a,b\r\nc,d\r\n');
  });

  test('a buyers CSV reads back to the same cells', () => {
    const buyer: Buyer = {
      messageId: 'm1',
      username: 'comma, "quoted"',
      message: 'line1\nline2',
      confidence: 0.75,
      item: '=evil()',
      detectedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
      origin: 'ws',
    };
    const rows = parseCsv(buyersCsv('s1', [buyer]));
    expect(rows[1]).toEqual(['2026-01-02T03:04:05.000Z', 'comma, "quoted"', "'=evil()", '', '', '', '0.75', 'line1\nline2', 'm1', 's1']);
  });

  test('the feed merges by id and ignores replayed sequence numbers', () => {
    const feed = new SessionFeed('s');
    const event = (seq: number, id: string) => ({ type: 'new_message' as const, sessionId: 's', seq, message: chatMessage(id, `text ${id}`) });
    feed.markSubscribed(0);
    feed.applyEvent(event(1, 'a'));
    feed.applyEvent(event(2, 'b'));
    feed.applyEvent(event(2, 'b'));
    feed.applyEvent(event(1, 'a'));
    expect(feed.messages.map((m) => m.id)).toEqual(['a', 'b']);
    // The same message from another path (history, realtime) is kept once.
    expect(feed.mergeMessage({ ...feed.messages[0]!, origin: 'realtime' })).toBe(false);
    feed.applyEvent(event(5, 'c'));
    expect(feed.holes).toEqual([{ from: 3, to: 4, reason: 'sequence' }]);
    feed.applyEvent({ type: 'buyer_detected', sessionId: 's', seq: 6, messageId: 'a', buyer: { username: 'x', message: 'sold', confidence: 0.9 } });
    feed.applyEvent({ type: 'buyer_detected', sessionId: 's', seq: 7, messageId: 'a', buyer: { username: 'x', message: 'sold', confidence: 0.9, item: 'A1' } });
    expect(feed.buyers).toHaveLength(1);
    expect(feed.buyerFor('a')?.item).toBe('A1');
    feed.applyEvent({ type: 'message_deleted', sessionId: 's', seq: 8, messageId: 'b' });
    expect(feed.message('b')?.deleted).toBe(true);
  });

  test('a restarted server (lower seq on subscribe) resets the resume point', () => {
    const feed = new SessionFeed('s');
    feed.markSubscribed(0);
    feed.applyEvent({ type: 'session_status', sessionId: 's', seq: 40, status: 'live' });
    expect(feed.markSubscribed(3)).toBe(true);
    expect(feed.lastSeq).toBe(0);
    expect(feed.markSubscribed(3)).toBe(false);
  });

  test('only buyers issued after subscribing are live (cue), replays are not', () => {
    const store = new FeedStore({ schedule: (flush) => flush() });
    const heard: string[] = [];
    store.onBuyer((_s, b) => heard.push(b.messageId));
    const buyer = (seq: number, messageId: string) => ({
      type: 'buyer_detected' as const,
      sessionId: 's',
      seq,
      messageId,
      buyer: { username: 'u', message: 'sold', confidence: 0.9 },
    });
    store.handleFrame({ type: 'subscribed', sessionId: 's', seq: 1 });
    store.handleFrame(buyer(1, 'old'));
    store.handleFrame(buyer(2, 'new'));
    expect(heard).toEqual(['new']);
  });

  test('reconnect delays double up to a cap, with jitter', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4_000);
    expect(backoffDelay(30, () => 1)).toBe(15_000);
  });

  test('platform detection from a pasted URL', () => {
    const origin = 'http://127.0.0.1:3001';
    expect(detectPlatform('https://www.whatnot.com/live/abc', origin).platform).toBe('whatnot');
    expect(detectPlatform('youtu.be/xyz', origin).platform).toBe('youtube');
    expect(detectPlatform('https://www.twitch.tv/foo', origin).platform).toBe('twitch');
    expect(detectPlatform('kick.com/foo', origin).platform).toBe('kick');
    expect(detectPlatform('https://www.tiktok.com/@a/live', origin).platform).toBe('tiktok');
    expect(detectPlatform(`${origin}/demo/live`, origin).platform).toBe('demo');
    expect(detectPlatform('https://shop.example/live', origin).platform).toBe('generic');
    expect(detectPlatform('javascript:alert(1)', origin).problem).toBeDefined();
  });
});

// ---------------------------------------------------------------------------------------------------
// Real service, real browser.

let service: TestService;
let fixtures: FixtureServer;
let browser: Browser;
let page: Page;
let downloads: string;

/** Builds web/dist when it is missing or older than its sources (CI starts from a clean clone). */
function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
}



interface Snapshot {
  lastSeq: number;
  holes: Array<{ from: number; to: number; reason: string }>;
  messageIds: string[];
  buyers: Array<{ messageId: string; username: string }>;
  status: string;
  reconnects: number;
}

function snapshot(target: Page, sessionId: string): Promise<Snapshot | null> {
  return target.evaluate((id) => (window as unknown as { __earshot: { snapshot(id: string): Snapshot | null } }).__earshot.snapshot(id), sessionId);
}

async function shoot(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: path.join(SHOTS, `${name}.png`) as `${string}.png` });
}

/** Opens a session in the dashboard by clicking it in the sessions list. */
async function openSession(target: Page, sessionId: string): Promise<void> {
  const selector = `[data-session-id="${sessionId}"]`;
  const tabs = await target.$('.pane-tabs');
  // Phone layout: the list lives in the Sessions tab.
  if (tabs && (await tabs.isVisible())) await openPane(target, 'Sessions');
  // The list refreshes every few seconds; a session started elsewhere appears with the next refresh.
  await target.waitForSelector(selector, { visible: true, timeout: 15_000 });
  await target.click(selector);
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  ensureDashboardBuilt();
  fixtures = await startFixtureServer();
  service = await startTestService();
  browser = await launchBrowser(service.config.chromeExecutablePath);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-downloads-'));
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true });
  page = await browser.newPage();
  // The knowledge-base page confirms deletions with window.confirm.
  page.on('dialog', (dialog) => void dialog.accept());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await fixtures?.close();
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

describe('the dashboard in a browser', () => {
  let shopId: string;
  let listener: Subscriber;
  const ids = new Map<string, string>();

  test('the connection resubscribes with since after a drop and misses nothing (Node, real hub)', async () => {
    const sessionId = 'conn-test';
    const store = new FeedStore({ schedule: (flush) => flush() });
    store.feed(sessionId);
    const connection = new FeedConnection({
      url: () => `${service.url.replace(/^http/, 'ws')}/ws`,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      onFrame: (frame) => store.handleFrame(frame),
      sinceFor: (id) => store.sinceFor(id),
      minDelayMs: 20,
      maxDelayMs: 100,
    });
    connection.subscribe(sessionId);
    connection.start();
    try {
      const feed = store.feed(sessionId);
      const waitUntil = async (predicate: () => boolean): Promise<void> => {
        for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 20));
        expect(predicate()).toBe(true);
      };
      await waitUntil(() => connection.state.phase === 'open' && feed.liveAfterSeq !== Number.POSITIVE_INFINITY);
      service.hub.publish(sessionId, { type: 'new_message', message: chatMessage('c1', 'before') });
      await waitUntil(() => feed.messages.length === 1);
      service.hub.dropClients();
      service.hub.publish(sessionId, { type: 'new_message', message: chatMessage('c2', 'during 1') });
      service.hub.publish(sessionId, { type: 'new_message', message: chatMessage('c3', 'during 2') });
      await waitUntil(() => feed.messages.length === 3);
      expect(feed.messages.map((m) => m.text)).toEqual(['before', 'during 1', 'during 2']);
      expect(feed.holes).toEqual([]);
      expect(connection.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      connection.stop();
    }
  });

  test('"Try the demo" starts the demo and the feed fills', async () => {
    await page.goto(service.url, { waitUntil: 'load' });
    await page.waitForSelector('[data-testid="try-demo"]');
    await shoot(page, 'desktop-empty');
    await page.click('[data-testid="try-demo"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed"] [data-testid="message"]').length >= 5, {
      timeout: 45_000,
    });
    const status = await page.$eval('[data-testid="session-status"]', (el) => el.textContent);
    expect(status).toBe('Live');
    const authors = await page.$$eval('[data-testid="feed"] [data-testid="author"]', (els) => els.map((e) => e.textContent));
    expect(authors.every((a) => a && a.length > 0)).toBe(true);
    expect(await page.$eval('[data-testid="connection"]', (el) => el.textContent)).toBe('Connected');
    // An open local service asks for no token: no Token button to puzzle over.
    expect(await page.$('.topbar [aria-label="API token"]')).toBeNull();
    await shoot(page, 'desktop-demo');
  });

  /** Clears the start field through the native setter, so React sees the change. */
  const clearStartUrl = () =>
    page.$eval('#start-url', (el) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, '');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });

  test('typing a URL shows the detected platform', async () => {
    await page.click('#start-url');
    await page.type('#start-url', 'https://www.twitch.tv/somechannel');
    expect(await page.$eval('[data-testid="detected-platform"]', (el) => el.textContent)).toBe('Twitch');
    // Without a scheme the form still takes it (the browser's own URL check once refused it).
    await clearStartUrl();
    await page.type('#start-url', 'whatnot.com/live/abc-123');
    expect(await page.$eval('[data-testid="detected-platform"]', (el) => el.textContent)).toBe('Whatnot');
    expect(await page.$eval('#start-url', (el) => (el as HTMLInputElement).checkValidity())).toBe(true);
    expect(await page.$eval('.start-form button[type="submit"]', (el) => (el as HTMLButtonElement).disabled)).toBe(false);
    // A channel name instead of a URL: the platforms it may be on, and a tap fills in the page.
    await clearStartUrl();
    await page.type('#start-url', '@somechannel');
    await page.waitForSelector('[data-testid="channel-kick"]');
    await page.click('[data-testid="channel-kick"]');
    await page.waitForFunction(() => (document.querySelector('#start-url') as HTMLInputElement).value === 'https://kick.com/somechannel');
    expect(await page.$eval('[data-testid="detected-platform"]', (el) => el.textContent)).toBe('Kick');
    await clearStartUrl();
  });

  test('an XSS payload in chat shows literally and runs nothing', async () => {
    const started = await post(service.url, '/api/start-monitoring', { url: fixtures.pageUrl('shop'), platform: 'whatnot' });
    expect(started.status).toBe(201);
    shopId = started.body.sessionId;
    listener = await Subscriber.connect(service.url, shopId, 0);
    await openSession(page, shopId);
    await page.waitForFunction((id) => (window as any).__earshot.snapshot(id)?.status === 'live', { timeout: 30_000 }, shopId);

    const payloads = ['<img src=x onerror=window.__pwned=1>', '<script>window.__pwned=2</script>', '"><svg onload=window.__pwned=3>'];
    fixtures.room('shop').post([
      { author: 'denimdaisy', text: 'hello from the test' },
      { author: '<b onmouseover=window.__pwned=4>eve</b>', text: payloads[0]! },
      { author: 'mallory', text: payloads[1]! },
      { author: 'trent', text: payloads[2]! },
      { author: 'sneakerhead_mo', text: 'great show tonight' },
      { author: 'kicksqueen', text: 'that color tho' },
    ]);
    await listener.waitFor(() => listener.texts(shopId).includes('that color tho'));
    for (const e of listener.messages(shopId)) ids.set(e.message.text, e.message.id);
    await page.waitForFunction(
      (texts) => {
        const shown = [...document.querySelectorAll('[data-testid="feed"] [data-testid="text"]')].map((e) => e.textContent);
        return texts.every((t: string) => shown.includes(t));
      },
      { timeout: 20_000 },
      payloads,
    );
    const authors = await page.$$eval('[data-testid="feed"] [data-testid="author"]', (els) => els.map((e) => e.textContent));
    expect(authors).toContain('<b onmouseover=window.__pwned=4>eve</b>');
    const injected = await page.evaluate(() => ({
      pwned: (window as any).__pwned,
      elements: document.querySelectorAll('[data-testid="feed"] img, [data-testid="feed"] script, [data-testid="feed"] svg, [data-testid="feed"] b').length,
    }));
    expect(injected).toEqual({ pwned: undefined, elements: 0 });
    await shoot(page, 'desktop-xss');
  });

  test('buyers fill the panel with a cue and export the right CSV', async () => {
    const hello = ids.get('hello from the test')!;
    const great = ids.get('great show tonight')!;
    const color = ids.get('that color tho')!;
    // Stand-ins for the backend's verdicts (published the way the forwarder does), with hostile fields.
    service.sessions.publish(shopId, {
      type: 'buyer_detected',
      messageId: hello,
      buyer: { username: 'denimdaisy', message: 'sold 2 size M', confidence: 0.93, item: "Levi's 501", price: 45, quantity: 2, size: 'M' },
    });
    service.sessions.publish(shopId, {
      type: 'buyer_detected',
      messageId: great,
      buyer: { username: '=HYPERLINK("http://evil","x")', message: '+cmd|calc!A0', confidence: 0.8, item: '@SUM(1)', price: 120, quantity: 1 },
    });
    service.sessions.publish(shopId, {
      type: 'buyer_detected',
      messageId: color,
      buyer: { username: 'comma, "quoted"', message: 'line1\nline2', confidence: 0.75, item: '-5 jeans' },
    });
    // The same verdict again (a forwarder retry) must not add a row.
    service.sessions.publish(shopId, {
      type: 'buyer_detected',
      messageId: hello,
      buyer: { username: 'denimdaisy', message: 'sold 2 size M', confidence: 0.93 },
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="claims-count"]')?.textContent === '3', { timeout: 15_000 });
    // Claims the ledger holds no lot for are not buyers: the Buyers count stays at 0.
    expect(await page.$eval('[data-testid="buyer-count"]', (el) => el.textContent)).toBe('0');
    expect(await page.$$eval('[data-testid="buyer-row"]', (rows) => rows.length)).toBe(3);
    const toast = await page.waitForSelector('[data-testid="toast"]', { timeout: 5_000 });
    expect(await toast!.evaluate((el) => el.textContent)).toMatch(/^New buyer: /);
    expect(await page.$$eval('[data-testid="buyer-row"].fresh', (rows) => rows.length)).toBe(3);
    await shoot(page, 'desktop-buyers');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await shoot(page, 'desktop-buyers-dark');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);

    await page.click('[data-testid="export-csv"]');
    let file: string | undefined;
    for (let i = 0; i < 200 && !file; i++) {
      file = fs.readdirSync(downloads).find((f) => f.endsWith('.csv'));
      if (!file) await new Promise((r) => setTimeout(r, 50));
    }
    expect(file).toMatch(/^earshot-buyers-.+\.csv$/);
    const raw = fs.readFileSync(path.join(downloads, file!), 'utf8');
    expect(raw.startsWith('\uFEFF')).toBe(true);
    const text = raw.slice(1);
    expect(text.split('\r\n')).toHaveLength(5); // header, three rows, and the final CRLF
    expect(text).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['detected_at', 'username', 'item', 'quantity', 'price', 'size', 'confidence', 'message', 'message_id', 'session_id']);
    const body = rows.slice(1).map((r) => {
      expect(Number.isNaN(Date.parse(r[0]!))).toBe(false);
      return r.slice(1);
    });
    expect(body).toEqual([
      ['denimdaisy', "Levi's 501", '2', '45', 'M', '0.93', 'sold 2 size M', hello, shopId],
      [`'=HYPERLINK("http://evil","x")`, "'@SUM(1)", '1', '120', '', '0.8', "'+cmd|calc!A0", great, shopId],
      ['comma, "quoted"', "'-5 jeans", '', '', '', '0.75', 'line1\nline2', color, shopId],
    ]);
  });

  test('a dropped WebSocket reconnects and replays without a gap', async () => {
    const before = (await snapshot(page, shopId))!;
    expect(before.holes).toEqual([]);
    // Cut every client socket from the server side, as a proxy restart or a network blip would.
    service.hub.dropClients();
    // Events issued while the dashboard is away: only a resubscribe with `since` can deliver them.
    const blip = ['blip-1', 'blip-2', 'blip-3'];
    for (const id of blip) service.sessions.publish(shopId, { type: 'new_message', message: chatMessage(id, `sent during the blip ${id}`) });
    service.sessions.publish(shopId, { type: 'answer', messageId: blip[0]!, question: 'q?', answer: 'We ship in 2 days.', status: 'suggested', sources: [] });
    fixtures.room('shop').post([{ author: 'late', text: 'captured around the reconnect' }]);

    await page.waitForFunction(
      (id, expected) => {
        const s = (window as any).__earshot.snapshot(id);
        return s && s.reconnects > 0 && expected.every((m: string) => s.messageIds.includes(m)) && (window as any).__earshot.connection().phase === 'open';
      },
      { timeout: 20_000 },
      shopId,
      blip,
    );
    await page.waitForFunction(
      (id, seq) => (window as any).__earshot.snapshot(id).lastSeq >= seq,
      { timeout: 20_000 },
      shopId,
      service.hub.lastSeq(shopId),
    );
    const after = (await snapshot(page, shopId))!;
    expect(after.holes).toEqual([]);
    expect(after.lastSeq).toBe(service.hub.lastSeq(shopId));
    expect(new Set(after.messageIds).size).toBe(after.messageIds.length);
    // Every message the hub ever published for the session is on the dashboard, once.
    const replay = await Subscriber.connect(service.url, shopId, 0);
    try {
      await replay.waitFor(() => replay.events.some((e) => e.type !== 'subscribed' && e.seq === service.hub.lastSeq(shopId)));
      const published = replay.messages(shopId).map((e) => e.message.id);
      expect(published.filter((id) => !after.messageIds.includes(id))).toEqual([]);
    } finally {
      replay.close();
    }
    await page.waitForSelector('[data-testid="answer"]');
    expect(await page.$eval('[data-testid="connection"]', (el) => el.textContent)).toBe('Connected');
  });

  test('tens of thousands of messages stay virtualized; reading older ones pauses auto-scroll', async () => {
    const total = 20_000;
    const before = (await snapshot(page, shopId))!.messageIds.length;
    // In bursts of 1,000 that the socket drains in between: one burst of 20,000 would (rightly) trip the
    // hub's slow-consumer limit, which is the hub's behaviour, not the dashboard's.
    for (let start = 0; start < total; start += 1_000) {
      for (let i = start; i < start + 1_000; i++) {
        service.sessions.publish(shopId, { type: 'new_message', message: chatMessage(`bulk-${i}`, `bulk message number ${i}`, `viewer${i % 50}`) });
      }
      await page.waitForFunction(
        (id, seq) => (window as any).__earshot.snapshot(id).lastSeq >= seq,
        { timeout: 30_000, polling: 100 },
        shopId,
        service.hub.lastSeq(shopId),
      );
    }
    const after = (await snapshot(page, shopId))!;
    expect(after.messageIds.length).toBe(before + total);
    expect(after.holes).toEqual([]);
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="feed"] [data-testid="text"]')].some((e) => e.textContent === 'bulk message number 19999'),
      { timeout: 10_000 },
    );
    const rendered = await page.$$eval('[data-testid="feed"] [data-testid="message"]', (els) => els.length);
    expect(rendered).toBeLessThan(120);

    // The reader scrolls up: new messages must not pull them back down.
    await page.$eval('[data-testid="feed"]', (el) => el.scrollBy(0, -4_000));
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="feed"]')!;
      return el.scrollHeight - el.scrollTop - el.clientHeight > 1_000;
    });
    for (let i = 0; i < 7; i++) service.sessions.publish(shopId, { type: 'new_message', message: chatMessage(`later-${i}`, `later ${i}`) });
    // The seven frames may reach the page over more than one render: wait until the count says 7
    // (a busy machine once read "1 new message" here), then check it says exactly that.
    const button = await page.waitForSelector('.new-messages', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('.new-messages')?.textContent?.startsWith('7 '), { timeout: 10_000 });
    expect(await button!.evaluate((el) => el.textContent)).toBe('7 new messages ↓');
    const distance = await page.$eval('[data-testid="feed"]', (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(distance).toBeGreaterThan(1_000);
    await shoot(page, 'desktop-paused');
    await button!.click();
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="feed"] [data-testid="text"]')].some((e) => e.textContent === 'later 6'),
      { timeout: 10_000 },
    );
    await page.waitForFunction(() => !document.querySelector('.new-messages'));

    // Filters: text search and buyers only.
    await page.type('.feed-tools input[type="search"]', 'number 19998');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed"] [data-testid="message"]').length === 1);
    await page.$eval('.feed-tools input[type="search"]', (el) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, '');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const [buyersToggle] = await page.$$('.feed-tools .chip-toggle');
    await buyersToggle!.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed"] [data-testid="message"]').length === 3);
    await shoot(page, 'desktop-filter-buyers');
    await buyersToggle!.click();
  }, 120_000);

  test('phone layout: tabs for chat, buyers and answers', async () => {
    const phone = await browser.newPage();
    try {
      await phone.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
      await phone.goto(service.url, { waitUntil: 'load' });
      await shoot(phone, 'phone-start');
      await openSession(phone, shopId);
      await phone.waitForFunction(() => document.querySelectorAll('[data-testid="feed"] [data-testid="message"]').length > 5, { timeout: 20_000 });
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await shoot(phone, 'phone-feed');
      // This dashboard opened after 20,000 events: its buyers are the ones it sees live.
      service.sessions.publish(shopId, {
        type: 'buyer_detected',
        messageId: 'later-3',
        buyer: { username: 'tester', message: 'later 3', confidence: 0.9, item: 'B7', quantity: 1, price: 80, size: 'L' },
      });
      service.sessions.publish(shopId, { type: 'answer', messageId: 'later-4', question: 'later 4', answer: 'Ships Monday.', status: 'sent', sources: [] });
      await phone.waitForFunction(() => document.querySelector('.pane-tabs .tab-badge')?.textContent === '1', { timeout: 10_000 });
      await openPane(phone, 'Buyers');
      await phone.waitForSelector('[data-testid="buyer-row"]', { visible: true });
      await shoot(phone, 'phone-buyers');
      await openPane(phone, 'Q&A');
      await phone.waitForSelector('[data-testid="answer"]', { visible: true });
      await shoot(phone, 'phone-answers');
    } finally {
      await phone.close();
    }
  });

  test('no chat found shows the status and the page screenshot; the knowledge base uploads, lists and deletes', async () => {
    service.sessions.publish(shopId, { type: 'session_status', status: 'no_chat_found', detail: 'no chat container after 45 s' });
    await page.waitForFunction(() => document.querySelector('[data-testid="session-status"]')?.textContent === 'No chat found', {
      timeout: 10_000,
    });
    await page.waitForSelector('.screenshot img, .screenshot p:not(:empty)');
    await shoot(page, 'desktop-no-chat');
    service.sessions.publish(shopId, { type: 'session_status', status: 'live' });

    await page.goto(`${service.url}/#/kb`, { waitUntil: 'load' });
    await page.waitForSelector('.kb-upload');
    const doc = path.join(downloads, 'shipping-policy.md');
    fs.writeFileSync(doc, '# Shipping\n\nWe ship within 2 business days. Returns accepted for 14 days.\n');
    const input = (await page.$('#kb-file')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(doc);
    await page.click('.kb-upload button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('.kb-title')].some((e) => e.textContent === 'shipping-policy.md'), {
      timeout: 15_000,
    });
    await shoot(page, 'desktop-kb');
    await page.click('.kb-list .danger');
    await page.waitForFunction(() => document.querySelectorAll('.kb-title').length === 0, { timeout: 10_000 });
    listener.close();
  });

  test('with API_TOKEN set, the dashboard asks for the token and then connects with it', async () => {
    const guarded = await startTestService({ API_TOKEN: 'dashboard-secret-token' });
    const tab = await browser.newPage();
    try {
      const started = await fetch(`${guarded.url}/api/start-monitoring`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer dashboard-secret-token' },
        body: JSON.stringify({ url: fixtures.pageUrl('guarded'), platform: 'whatnot' }),
      });
      const { sessionId } = (await started.json()) as { sessionId: string };
      await tab.goto(guarded.url, { waitUntil: 'load' });
      await tab.waitForFunction(() => document.querySelector('.banner')?.textContent?.includes('requires an API token'), { timeout: 10_000 });
      // This service asks for a token, so the header has the button for it (an open one has none).
      expect(await tab.$('.topbar [aria-label="API token"]')).not.toBeNull();
      await tab.click('.banner button');
      await tab.type('#api-token', 'dashboard-secret-token');
      await tab.click('.token-form button[type="submit"]');
      await tab.waitForSelector(`[data-session-id="${sessionId}"]`, { timeout: 15_000 });
      await tab.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent === 'Connected', { timeout: 15_000 });
      fixtures.room('guarded').post([{ author: 'viewer', text: 'hello through the token' }]);
      await tab.waitForFunction(
        () => [...document.querySelectorAll('[data-testid="feed"] [data-testid="text"]')].some((e) => e.textContent === 'hello through the token'),
        { timeout: 20_000 },
      );
      // The token lives in this browser only, never in the page's URL.
      expect(tab.url()).not.toContain('dashboard-secret-token');
    } finally {
      await tab.evaluate(() => localStorage.removeItem('earshot.apiToken')).catch(() => undefined);
      await tab.close();
      await guarded.close();
    }
  });
});
