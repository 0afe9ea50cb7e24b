/** BrowserSource against a real Chromium: what the page may load, and what reaches the sink. */
import { BrowserPool } from '../src/capture/browser/pool.ts';
import { BrowserSource } from '../src/capture/browser/browser-source.ts';
import { whatnot } from '../src/capture/platforms/whatnot/adapter.ts';
import type { SourceSink } from '../src/capture/source.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';

let fixtures: FixtureServer;
let pool: BrowserPool;
const hits: string[] = [];

beforeAll(async () => {
  fixtures = await startFixtureServer();
  fixtures.app.use((req, _res, next) => {
    hits.push(req.path);
    next();
  });
  fixtures.app.get('/media-page', (_req, res) => {
    res.type('html').send(`<!doctype html><img src="/pic.png"><video src="/clip.mp4" autoplay></video>
      <style>@font-face { font-family: f; src: url(/font.woff2); } body { font-family: f; }</style>
      <script>fetch('/api-call').catch(() => {});</script><p>hello</p>`);
  });
  pool = new BrowserPool({ logger: silentLogger() });
});

afterAll(async () => {
  await pool?.close();
  await fixtures?.close();
});

function collector(): SourceSink & { messages_: ChatMessage[]; statuses: string[] } {
  const sink = {
    messages_: [] as ChatMessage[],
    statuses: [] as string[],
    messages(batch: ChatMessage[]) {
      sink.messages_.push(...batch);
    },
    deleted() {},
    status(status: string) {
      sink.statuses.push(status);
    },
  };
  return sink;
}

async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('images, media and fonts are never requested; other sub-requests load', async () => {
  const sink = collector();
  const source = new BrowserSource({
    sessionId: 'media',
    url: `${fixtures.url}/media-page`,
    adapter: whatnot,
    pool,
    sink,
    logger: silentLogger(),
    sweepMs: 500,
    noChatTimeoutMs: 60_000,
    allowRequest: async () => true,
    idPrefix: 't',
  });
  await source.start();
  await until(() => hits.includes('/api-call'));
  // Stop only once the two that reach the interceptor were refused (Blink's own image loading is off
  // too): a request still paused when the page closes would go out.
  await until(() => (source.describe().blockedRequests as number) >= 2);
  await source.stop();
  expect(hits).toContain('/media-page');
  expect(hits).not.toContain('/pic.png');
  expect(hits).not.toContain('/clip.mp4');
  expect(hits).not.toContain('/font.woff2');
});

test('sub-requests the guard refuses never leave the browser', async () => {
  const sink = collector();
  const refused: string[] = [];
  const source = new BrowserSource({
    sessionId: 'guarded',
    url: fixtures.pageUrl('guarded'),
    adapter: whatnot,
    pool,
    sink,
    logger: silentLogger(),
    sweepMs: 500,
    noChatTimeoutMs: 60_000,
    // the page itself is allowed; its chat stream (standing in for a private target) is not
    allowRequest: async (url) => {
      const blocked = url.includes('/stream');
      if (blocked) refused.push(url);
      return !blocked;
    },
    idPrefix: 't',
  });
  fixtures.room('guarded').post([{ author: 'a', text: 'should never be seen' }]);
  await source.start();
  await until(() => refused.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await source.stop();
  expect(hits.filter((p) => p.startsWith('/rooms/guarded/stream'))).toEqual([]);
  expect(sink.messages_).toEqual([]);
});
