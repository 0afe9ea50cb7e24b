/**
 * The YouTube Data API source against a fake Data API on loopback: paging, timing (on a virtual clock),
 * every error reason, quota exhaustion and reset, server streaming with dropped connections, OAuth, and
 * the real service streaming a YouTube session's messages to a /ws subscriber.
 */
import { YouTubeClient } from '../src/capture/youtube-api/client.ts';
import { RefreshTokenAuth } from '../src/capture/youtube-api/oauth.ts';
import { QuotaLedger } from '../src/capture/youtube-api/quota.ts';
import { BACKOFF, YouTubeApiSource, type YouTubeApiSourceOptions } from '../src/capture/youtube-api/source.ts';
import type { SourceSink } from '../src/capture/source.ts';
import type { ChatMessage, SessionStatus } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { startFakeYouTubeApi, yt, type FakeChat, type FakeYouTubeApi } from './fakes/youtube-api-server.ts';
import { VirtualClock, waitUntil } from './fakes/virtual-clock.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

const KEY = 'test-api-key';
const OAUTH = { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'rtoken' };

/** Records what a source hands to the session. */
class RecordingSink implements SourceSink {
  readonly batches: ChatMessage[][] = [];
  readonly deletedIds: string[] = [];
  readonly statuses: Array<{ status: SessionStatus; detail?: string }> = [];
  messages(batch: ChatMessage[]): void {
    this.batches.push(batch);
  }
  deleted(ids: string[]): void {
    this.deletedIds.push(...ids);
  }
  status(status: SessionStatus, detail?: string): void {
    this.statuses.push(detail === undefined ? { status } : { status, detail });
  }
  get all(): ChatMessage[] {
    return this.batches.flat();
  }
  get ids(): string[] {
    return this.all.map((m) => m.id);
  }
  get last(): { status: SessionStatus; detail?: string } | undefined {
    return this.statuses[this.statuses.length - 1];
  }
  waitForMessages(count: number): Promise<void> {
    return waitUntil(() => this.all.length >= count, 10_000, `${count} messages (have ${this.all.length})`);
  }
  waitForStatus(status: SessionStatus): Promise<void> {
    return waitUntil(() => this.statuses.some((s) => s.status === status), 10_000, `status ${status} (have ${JSON.stringify(this.statuses)})`);
  }
}

interface Harness {
  fake: FakeYouTubeApi;
  chat: FakeChat;
  clock: VirtualClock;
  quota: QuotaLedger;
  client: YouTubeClient;
  sink: RecordingSink;
  source: YouTubeApiSource;
}

let fake: FakeYouTubeApi | undefined;
const sources: YouTubeApiSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await fake?.close();
  fake = undefined;
});

async function setup(
  options: {
    pollingIntervalMillis?: number;
    pageSize?: number;
    dailyLimit?: number;
    auth?: 'key' | 'oauth';
    source?: Partial<YouTubeApiSourceOptions>;
    random?: number;
  } = {},
): Promise<Harness> {
  fake = await startFakeYouTubeApi({ apiKey: KEY, oauth: OAUTH });
  fake.video('vid1', { liveChatId: 'chat1' });
  const chat = fake.chat('chat1', { pollingIntervalMillis: options.pollingIntervalMillis ?? 2_000, pageSize: options.pageSize });
  const clock = new VirtualClock();
  const quota = new QuotaLedger({ dailyLimit: options.dailyLimit ?? 10_000, clock });
  const oauth =
    options.auth === 'oauth' ? new RefreshTokenAuth({ ...OAUTH, tokenUrl: fake.tokenUrl, clock }) : undefined;
  const client = new YouTubeClient({ baseUrl: fake.baseUrl, apiKey: options.auth === 'oauth' ? undefined : KEY, oauth, quota });
  const sink = new RecordingSink();
  const source = newSource({ client, quota, sink, clock, random: options.random, extra: options.source });
  return { fake, chat, clock, quota, client, sink, source };
}

function newSource(parts: {
  client: YouTubeClient;
  quota: QuotaLedger;
  sink: SourceSink;
  clock: VirtualClock;
  random?: number;
  extra?: Partial<YouTubeApiSourceOptions>;
}): YouTubeApiSource {
  const source = new YouTubeApiSource({
    sessionId: 's1',
    videoId: 'vid1',
    api: parts.client,
    quota: parts.quota,
    sink: parts.sink,
    logger: silentLogger(),
    clock: parts.clock,
    random: () => parts.random ?? 0,
    ...parts.extra,
  });
  sources.push(source);
  return source;
}

const texts = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => yt.text(`${prefix} ${i + 1}`, {}, `${prefix}-${i + 1}`));

describe('YouTube API source: paging and timing', () => {
  it('reads every page once in order, the first page as backfill, resuming each call from nextPageToken', async () => {
    const h = await setup({ pageSize: 2 });
    h.chat.post(...texts('old', 5));
    h.clock.onSleep = (_ms, index) => {
      if (index === 3) h.chat.post(...texts('new', 3));
    };
    h.clock.maxSleeps = 6; // park the source after its 7th call so the counts below are exact
    await h.source.start();
    expect(h.sink.statuses[0]).toEqual({ status: 'live' });
    await h.sink.waitForMessages(8);
    await waitUntil(() => h.fake.calls('list').length === 7);
    await h.source.stop();

    expect(h.sink.ids).toEqual(['old-1', 'old-2', 'old-3', 'old-4', 'old-5', 'new-1', 'new-2', 'new-3']);
    expect(h.sink.all.map((m) => m.backfill)).toEqual([true, true, false, false, false, false, false, false]);
    const tokens = h.fake.calls('list').map((r) => r.pageToken);
    expect(tokens.slice(0, 6)).toEqual([undefined, 'p2', 'p4', 'p5', 'p5', 'p7']);
    expect(h.fake.calls('videos')).toHaveLength(1);
    expect(h.fake.calls('list').every((r) => r.auth === 'key' && r.query.part === 'snippet,authorDetails')).toBe(true);
    // The key travels in a header, never in a URL that could be logged.
    expect(h.fake.requests.some((r) => 'key' in r.query)).toBe(false);
    // 1 unit for videos.list, 5 per list call.
    expect(h.quota.snapshot().bySession.s1).toBe(1 + 5 * h.fake.calls('list').length);
  });

  it('waits what pollingIntervalMillis says between calls, and never under 2 s', async () => {
    const h = await setup({ pollingIntervalMillis: 3_000 });
    h.chat.post(yt.text('hi'));
    h.clock.onSleep = (_ms, index) => {
      h.chat.post(yt.text(`keep busy ${index}`));
      if (index === 0) h.chat.pollingIntervalMillis = 7_000;
      if (index === 1) h.chat.pollingIntervalMillis = 500;
    };
    await h.source.start();
    await h.clock.waitForSleeps(4);
    await h.source.stop();
    expect(h.clock.sleeps.slice(0, 4)).toEqual([3_000, 7_000, 2_000, 2_000]);
  });

  it('slows down ×4 after 3 empty polls (capped at 30 s) and is fast again at the first message', async () => {
    const h = await setup({ pollingIntervalMillis: 2_000 });
    h.clock.onSleep = (_ms, index) => {
      if (index === 4) h.chat.post(yt.text('finally someone talks'));
    };
    await h.source.start();
    await h.clock.waitForSleeps(7);
    await h.source.stop();
    expect(h.clock.sleeps.slice(0, 7)).toEqual([2_000, 2_000, 8_000, 8_000, 8_000, 2_000, 2_000]);
    expect(h.sink.ids).toHaveLength(1);
  });

  it('caps the idle wait at 30 s when the API interval is long', async () => {
    const h = await setup({ pollingIntervalMillis: 10_000 });
    await h.source.start();
    await h.clock.waitForSleeps(4);
    await h.source.stop();
    expect(h.clock.sleeps.slice(0, 4)).toEqual([10_000, 10_000, 30_000, 30_000]);
    expect(h.source.describe()).toMatchObject({ idle: true, path: 'polling', liveChatId: 'chat1' });
  });

  it('passes deletions on and maps paid and membership items', async () => {
    const h = await setup();
    h.chat.post(yt.text('spam', {}, 'spam-1'), yt.superChat('ill take it', '20000000', 'USD', '$20.00', { name: 'Big', member: true }, 'sc-1'));
    h.clock.onSleep = (_ms, index) => {
      if (index === 0) h.chat.post(yt.deleted('spam-1'), yt.banned('spammer'), yt.newSponsor('Gold', {}, 'ns-1'));
    };
    await h.source.start();
    await h.sink.waitForMessages(3);
    await waitUntil(() => h.sink.deletedIds.length === 1);
    expect(h.sink.deletedIds).toEqual(['spam-1']);
    expect(h.sink.all.find((m) => m.id === 'sc-1')).toMatchObject({
      kind: 'paid',
      paid: { amount: 20, currency: 'USD', display: '$20.00' },
      author: { name: 'Big', badges: ['member'] },
    });
    expect(h.sink.all.find((m) => m.id === 'ns-1')).toMatchObject({ kind: 'membership' });
  });

  it('continues from the saved page token after a restart instead of reading the backfill again', async () => {
    const h = await setup();
    h.chat.post(...texts('a', 3));
    await h.source.start();
    await h.sink.waitForMessages(3);
    await h.source.stop();
    const saved = h.source.saveState();
    expect(saved).toMatchObject({ liveChatId: 'chat1', pageToken: 'p3', delivered: true });

    h.chat.post(...texts('b', 2));
    const sink = new RecordingSink();
    const second = newSource({ client: h.client, quota: h.quota, sink, clock: h.clock, extra: { resumeState: JSON.parse(JSON.stringify(saved)) } });
    const before = h.fake.calls('list').length;
    await second.start();
    await sink.waitForMessages(2);
    await second.stop();
    expect(sink.ids).toEqual(['b-1', 'b-2']);
    expect(sink.all.every((m) => !m.backfill)).toBe(true);
    expect(h.fake.calls('list')[before]!.pageToken).toBe('p3');
  });
});

describe('YouTube API source: errors', () => {
  it('ends the session at offlineAt after delivering the last page', async () => {
    const h = await setup();
    h.chat.post(...texts('last', 2));
    h.chat.offlineAt = '2026-03-10T18:30:00.000Z';
    await h.source.start();
    await h.sink.waitForStatus('ended');
    expect(h.sink.ids).toEqual(['last-1', 'last-2']);
    expect(h.sink.last).toEqual({ status: 'ended', detail: 'the stream went offline at 2026-03-10T18:30:00.000Z' });
    expect(h.fake.calls('list')).toHaveLength(1);
  });

  it('ends the session on liveChatEnded', async () => {
    const h = await setup();
    h.chat.condition = { status: 403, reason: 'liveChatEnded' };
    await h.source.start();
    await h.sink.waitForStatus('ended');
    expect(h.sink.last).toEqual({ status: 'ended', detail: 'liveChatEnded' });
  });

  it('ends the session when the video has no active live chat any more', async () => {
    const h = await setup();
    h.fake.video('vid1', { actualEndTime: '2026-03-10T17:00:00Z' });
    await h.source.start();
    expect(h.sink.last).toEqual({ status: 'ended', detail: 'no active live chat: the stream ended at 2026-03-10T17:00:00Z' });
    expect(h.fake.calls('list')).toHaveLength(0);
  });

  it('fails the session with keyInvalid when the API key is wrong', async () => {
    const h = await setup();
    const client = new YouTubeClient({ baseUrl: h.fake.baseUrl, apiKey: 'wrong', quota: h.quota });
    await newSource({ client, quota: h.quota, sink: h.sink, clock: h.clock }).start();
    expect(h.sink.last).toEqual({ status: 'error', detail: 'keyInvalid' });
  });

  it('fails the session when the video does not exist', async () => {
    const h = await setup();
    const source = newSource({ client: h.client, quota: h.quota, sink: h.sink, clock: h.clock, extra: { videoId: 'nope' } });
    await source.start();
    expect(h.sink.last).toEqual({ status: 'error', detail: 'videoNotFound' });
  });

  it.each([
    [403, 'liveChatDisabled'],
    [403, 'forbidden'],
    [404, 'liveChatNotFound'],
  ])('fails the session on %i %s with the reason as detail, and stops calling', async (status, reason) => {
    const h = await setup();
    h.chat.post(yt.text('hello'));
    h.clock.onSleep = (_ms, index) => {
      if (index === 0) h.fake.failNext('list', { status, reason });
    };
    await h.source.start();
    await h.sink.waitForStatus('error');
    expect(h.sink.last).toEqual({ status: 'error', detail: reason });
    const calls = h.fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.fake.requests.length).toBe(calls);
    expect(h.clock.sleeps).toEqual([2_000]);
  });

  it('backs off exponentially on rateLimitExceeded, then carries on', async () => {
    const h = await setup();
    h.fake.failNext('list', { status: 403, reason: 'rateLimitExceeded', domain: 'youtube.liveChat' }, 3);
    h.chat.post(yt.text('patience'));
    h.clock.maxSleeps = 3; // park after the first successful page
    await h.source.start();
    await h.sink.waitForMessages(1);
    await h.source.stop();
    expect(h.clock.sleeps.slice(0, 3)).toEqual([BACKOFF.rateLimitBaseMs, BACKOFF.rateLimitBaseMs * 2, BACKOFF.rateLimitBaseMs * 4]);
    expect(h.fake.calls('list')).toHaveLength(4);
  });

  it('retries 5xx and network failures with growing, jittered backoff (never a tight loop), then recovers', async () => {
    const h = await setup({ random: 0.5 });
    h.fake.failNext('list', { status: 503, reason: 'backendError' }, 7);
    h.fake.failNext('list', 'network');
    h.chat.post(yt.text('back again'));
    await h.source.start();
    await h.sink.waitForMessages(1);
    await h.source.stop();
    const base = [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000];
    expect(h.clock.sleeps.slice(0, 8)).toEqual(base.map((ms) => ms * 1.125));
    expect(h.sink.statuses.map((s) => s.status)).toEqual(['live', 'recovering', 'recovering', 'live']);
    expect(h.sink.statuses[1]).toEqual({ status: 'recovering', detail: 'backendError' });
    expect(h.sink.statuses[2]).toEqual({ status: 'recovering', detail: 'network' });
  });

  it('retries a failing videos.list too before it knows the chat', async () => {
    const h = await setup();
    h.fake.failNext('videos', { status: 500, reason: 'internalError' }, 2);
    await h.source.start();
    await h.sink.waitForStatus('live');
    expect(h.clock.sleeps.slice(0, 2)).toEqual([2_000, 4_000]);
    expect(h.fake.calls('videos')).toHaveLength(3);
  });
});

describe('YouTube API source: quota', () => {
  it('on quotaExceeded stops every call until midnight Pacific, then resumes', async () => {
    const h = await setup();
    h.fake.failNext('list', { status: 403, reason: 'quotaExceeded', domain: 'youtube.quota' });
    const resetsAt = h.quota.resetsAt();
    let callsWhileExhausted = -1;
    let statusWhileExhausted: string | undefined;
    h.clock.onSleep = (_ms, index) => {
      if (index !== 0) return;
      statusWhileExhausted = h.sink.last?.status;
      callsWhileExhausted = h.fake.requests.length;
      h.chat.post(yt.text('good morning'));
    };
    await h.source.start();
    await h.sink.waitForMessages(1);
    await h.source.stop();

    expect(statusWhileExhausted).toBe('quota_exhausted');
    expect(h.sink.statuses[1]!.detail).toBe(`quotaExceeded: resumes after ${new Date(resetsAt).toISOString()}`);
    expect(h.clock.sleeps[0]).toBe(resetsAt - Date.parse('2026-03-10T18:00:00Z') + BACKOFF.quotaResetMarginMs);
    expect(callsWhileExhausted).toBe(2);
    expect(h.sink.last).toEqual({ status: 'live' });
    expect(h.quota.snapshot()).toMatchObject({ exhausted: false, day: '2026-03-11' });
  });

  it('makes no call at all for a session started while the quota is exhausted', async () => {
    const h = await setup();
    h.quota.markExhausted();
    h.clock.maxSleeps = 0; // hold the source in its wait for the reset
    await h.source.start();
    await h.sink.waitForStatus('quota_exhausted');
    expect(h.fake.requests).toHaveLength(0);
    expect(h.sink.statuses.map((s) => s.status)).toEqual(['quota_exhausted']);
  });

  it('stops at the local daily limit without Google having to say so', async () => {
    const h = await setup({ dailyLimit: 1 + 5 * 2 });
    h.clock.maxSleeps = 2; // the third wait (for the reset) holds
    await h.source.start();
    await h.sink.waitForStatus('quota_exhausted');
    expect(h.fake.calls('list')).toHaveLength(2);
    expect(h.quota.snapshot()).toMatchObject({ used: 11, remaining: 0 });
  });

  it('hands over to the fallback hook instead of waiting when one is given', async () => {
    const hooked: string[] = [];
    const h = await setup({ source: { onQuotaExhausted: (detail) => hooked.push(detail) } });
    h.fake.failNext('list', { status: 403, reason: 'quotaExceeded', domain: 'youtube.quota' });
    await h.source.start();
    await waitUntil(() => hooked.length > 0);
    expect(hooked).toEqual(['quotaExceeded: switching to the browser source']);
    expect(h.sink.last).toEqual({ status: 'quota_exhausted', detail: 'quotaExceeded: switching to the browser source' });
    expect(h.clock.sleeps).toEqual([]);
    expect(h.fake.calls('list')).toHaveLength(1);
  });
});

describe('YouTube API source: server streaming', () => {
  it('reads pushed pages and resumes from the last token after a dropped connection, nothing lost or repeated', async () => {
    const h = await setup({ source: { streaming: true } });
    h.chat.post(...texts('a', 3));
    await h.source.start();
    await h.sink.waitForMessages(3);
    h.chat.post(...texts('b', 2));
    await h.sink.waitForMessages(5);
    h.chat.dropStreams();
    h.chat.post(...texts('c', 2)); // posted while disconnected
    await h.sink.waitForMessages(7);
    h.chat.post(...texts('d', 1));
    await h.sink.waitForMessages(8);
    await h.source.stop();

    expect(h.sink.ids).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'b-2', 'c-1', 'c-2', 'd-1']);
    expect(h.sink.all.filter((m) => m.backfill).map((m) => m.id)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(h.fake.calls('stream').map((r) => r.pageToken)).toEqual([undefined, 'p5']);
    expect(h.fake.calls('list')).toHaveLength(0);
    expect(h.clock.sleeps).toEqual([BACKOFF.streamReconnectMs]);
    expect(h.source.describe()).toMatchObject({ path: 'streaming', reconnects: 1 });
    expect(h.quota.snapshot().bySession.s1).toBe(1 + 5 * 2);
  });

  it('survives a connection that drops after every page', async () => {
    const h = await setup({ pageSize: 1, source: { streaming: true } });
    h.fake.streaming.dropAfterObjects = 1;
    h.chat.post(...texts('x', 4));
    await h.source.start();
    await h.sink.waitForMessages(4);
    await h.source.stop();
    expect(h.sink.ids).toEqual(['x-1', 'x-2', 'x-3', 'x-4']);
    expect(h.fake.calls('stream').map((r) => r.pageToken).slice(0, 4)).toEqual([undefined, 'p1', 'p2', 'p3']);
  });

  it('reopens a stream the server closed cleanly', async () => {
    const h = await setup({ source: { streaming: true } });
    h.chat.post(yt.text('one', {}, 'one'));
    await h.source.start();
    await h.sink.waitForMessages(1);
    h.chat.endStreams();
    await waitUntil(() => h.fake.calls('stream').length === 2 && h.chat.streams.size === 1);
    h.chat.post(yt.text('two', {}, 'two'));
    await h.sink.waitForMessages(2);
    expect(h.sink.ids).toEqual(['one', 'two']);
    expect(h.fake.calls('stream')[1]!.pageToken).toBe('p1');
  });

  it('waits longer each time a stream keeps closing without chat (each connection costs quota)', async () => {
    const h = await setup({ source: { streaming: true } });
    h.fake.streaming.dropAfterObjects = 1; // every connection: one empty page, then cut
    await h.source.start();
    await h.clock.waitForSleeps(5);
    await h.source.stop();
    expect(h.clock.sleeps.slice(0, 5)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it.each([404, 501])('falls back to polling when the streaming endpoint answers %i', async (status) => {
    const h = await setup({ source: { streaming: true } });
    h.fake.streaming.available = false;
    h.fake.streaming.status = status;
    h.chat.post(...texts('p', 2));
    await h.source.start();
    await h.sink.waitForMessages(2);
    expect(h.fake.calls('stream')).toHaveLength(1);
    expect(h.fake.calls('list').length).toBeGreaterThanOrEqual(1);
    expect(h.source.describe()).toMatchObject({ path: 'polling' });
    expect(h.sink.all.every((m) => m.backfill)).toBe(true);
  });

  it('treats liveChatNotFound on the stream as the chat being gone, not as a missing endpoint', async () => {
    const h = await setup({ source: { streaming: true } });
    h.fake.failNext('stream', { status: 404, reason: 'liveChatNotFound' });
    await h.source.start();
    await h.sink.waitForStatus('error');
    expect(h.sink.last).toEqual({ status: 'error', detail: 'liveChatNotFound' });
  });
});

describe('YouTube API client: OAuth and sending', () => {
  it('reads with a bearer token from the refresh token, refreshing once after a 401', async () => {
    const h = await setup({ auth: 'oauth' });
    h.chat.post(yt.text('hi'));
    h.clock.onSleep = (_ms, index) => {
      if (index === 1) h.fake.revokeTokens();
      if (index === 2) h.chat.post(yt.text('after revoke'));
    };
    await h.source.start();
    await h.sink.waitForMessages(2);
    await h.source.stop();
    expect(h.fake.issuedTokens).toEqual(['at-1', 'at-2']);
    expect(h.fake.requests.filter((r) => r.route !== 'token').every((r) => r.auth === 'bearer')).toBe(true);
    expect(h.fake.calls('token')).toHaveLength(2);
  });

  it('fails the session when the refresh token is refused', async () => {
    fake = await startFakeYouTubeApi({ apiKey: KEY, oauth: OAUTH });
    fake.video('vid1', { liveChatId: 'chat1' });
    const clock = new VirtualClock();
    const quota = new QuotaLedger({ dailyLimit: 100, clock });
    const oauth = new RefreshTokenAuth({ ...OAUTH, refreshToken: 'revoked', tokenUrl: fake.tokenUrl, clock });
    const client = new YouTubeClient({ baseUrl: fake.baseUrl, oauth, quota });
    const sink = new RecordingSink();
    await newSource({ client, quota, sink, clock }).start();
    expect(sink.last).toEqual({ status: 'error', detail: 'oauthRefused' });
  });

  it('inserts a chat message with OAuth (50 units) and records the body; refuses without OAuth', async () => {
    const h = await setup({ auth: 'oauth' });
    const sent = await h.client.insertMessage('chat1', 'Yes, size M is in stock!', { sessionId: 's1' });
    expect(sent.id).toBe('inserted-1');
    expect(h.fake.inserted).toEqual([
      {
        liveChatId: 'chat1',
        text: 'Yes, size M is in stock!',
        accessToken: 'at-1',
        body: { snippet: { liveChatId: 'chat1', type: 'textMessageEvent', textMessageDetails: { messageText: 'Yes, size M is in stock!' } } },
      },
    ]);
    expect(h.quota.snapshot().bySession.s1).toBe(50);

    const keyOnly = new YouTubeClient({ baseUrl: h.fake.baseUrl, apiKey: KEY, quota: h.quota });
    await expect(keyOnly.insertMessage('chat1', 'hi')).rejects.toMatchObject({ reason: 'oauthRequired' });
  });
});

describe('YouTube API source in the service', () => {
  it('streams a YouTube URL started with source "api" to /ws subscribers and shows quota', async () => {
    fake = await startFakeYouTubeApi({ apiKey: KEY });
    fake.video('LIVEvid0001', { liveChatId: 'chat-e2e' });
    const chat = fake.chat('chat-e2e', { pollingIntervalMillis: 2_000 });
    chat.post(yt.text('first!', { name: 'Ann' }, 'e2e-1'), yt.superChat('sold 2 size M', '10000000', 'USD', '$10.00', { name: 'Bo' }, 'e2e-2'));
    const service = await startTestService({ YOUTUBE_API_BASE_URL: fake.baseUrl, YOUTUBE_API_KEY: KEY });
    let sub: Subscriber | undefined;
    try {
      sub = await Subscriber.connect(service.url, 'yt-e2e');
      const started = await post(service.url, '/api/start-monitoring', {
        url: 'https://www.youtube.com/watch?v=LIVEvid0001',
        source: 'api',
        sessionId: 'yt-e2e',
      });
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({ sessionId: 'yt-e2e', platform: 'youtube', source: 'api', status: 'live' });
      await sub.waitFor(() => sub!.messages('yt-e2e').length >= 2, 10_000);
      chat.post(yt.text('is shipping free?', { name: 'Cy' }, 'e2e-3'));
      await sub.waitFor(() => sub!.messages('yt-e2e').length >= 3, 10_000);

      const received = sub.messages('yt-e2e').map((e) => e.message);
      expect(received.map((m) => m.id)).toEqual(['e2e-1', 'e2e-2', 'e2e-3']);
      expect(received[1]).toMatchObject({ platform: 'youtube', author: { name: 'Bo' }, kind: 'paid', paid: { amount: 10, currency: 'USD' }, backfill: true });
      expect(received[2]).toMatchObject({ text: 'is shipping free?', backfill: false });

      const quota = await fetch(`${service.url}/api/quota`).then((r) => r.json());
      expect(quota).toMatchObject({ dailyLimit: 10_000, exhausted: false });
      // videos.list (1) + liveChatMessages.list (5 each, at least two so far)
      expect(quota.bySession['yt-e2e']).toBe(quota.used);
      expect(quota.used % 5).toBe(1);
      expect(quota.used).toBeGreaterThanOrEqual(11);
      const health = await fetch(`${service.url}/health`).then((r) => r.json());
      expect(health.youtubeQuota).toMatchObject({ dailyLimit: 10_000, exhausted: false });
      expect(health.youtubeQuota.used).toBeGreaterThanOrEqual(quota.used);

      // YouTube URLs default to the API when a key is configured; other platforms cannot use it.
      const byDefault = await post(service.url, '/api/start-monitoring', { url: 'https://youtu.be/LIVEvid0001', sessionId: 'yt-default' });
      expect(byDefault.body).toMatchObject({ source: 'api', status: 'live' });
      const twitch = await post(service.url, '/api/start-monitoring', { url: 'https://www.twitch.tv/somebody', source: 'api' });
      expect(twitch.status).toBe(400);
      expect(twitch.body.error.code).toBe('unsupported_platform');
    } finally {
      sub?.close();
      await service.close();
    }
  });
});
