/**
 * Reply delivery to YouTube through liveChatMessages.insert against the fake YouTube Data API: the worker
 * over a real outbox (embedded PGlite) with a virtual clock (sent, retried, failed, no transport, session
 * gone), and the whole service answering a YouTube API session's viewer in the chat as the bot account.
 */
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import { YouTubeClient } from '../src/capture/youtube-api/client.ts';
import { RefreshTokenAuth } from '../src/capture/youtube-api/oauth.ts';
import { QuotaLedger } from '../src/capture/youtube-api/quota.ts';
import type { SessionEventBody } from '../src/domain/events.ts';
import { silentLogger } from '../src/log.ts';
import { DeliveryError, type DeliveryTarget, type ReplyTransport } from '../src/delivery/types.ts';
import { ReplyDeliveryWorker } from '../src/delivery/worker.ts';
import { YouTubeReplyTransport } from '../src/delivery/youtube.ts';
import { createKbHook, createKnowledgeBase, type KnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { VirtualClock } from './fakes/virtual-clock.ts';
import { startFakeYouTubeApi, yt, type FakeYouTubeApi } from './fakes/youtube-api-server.ts';
import { chat, openEmbedded } from './support/backend.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

const OAUTH = { clientId: 'bot-client', clientSecret: 'bot-secret', refreshToken: 'bot-refresh' };
const FAQ = 'Shipping\n\nWe ship to the US and Canada. Orders ship within 2 business days.\n\nReturns\n\nWe accept returns within 30 days.';

describe('reply delivery worker', () => {
  let backend: EmbeddedBackend;
  let kb: KnowledgeBase;
  let fake: FakeYouTubeApi;
  const clock = new VirtualClock();
  const events: Array<{ sessionId: string; body: SessionEventBody }> = [];
  /** Sessions the worker sees as running. */
  const running = new Map<string, Omit<DeliveryTarget, 'profile'>>();

  beforeAll(async () => {
    fake = await startFakeYouTubeApi({ oauth: OAUTH });
    fake.video('VIDlive0001', { liveChatId: 'chat-1' });
    fake.chat('chat-1');
    backend = await openEmbedded({ answer: createKbHook({ trigger: '@earshot', now: () => clock.now(), maxRepliesPerMinute: 50 }) });
    kb = createKnowledgeBase(backend.sql, { now: () => clock.now() });
    await kb.addDocument({ title: 'faq.txt', sourceType: 'txt', text: FAQ, byteSize: FAQ.length });
  });
  afterAll(async () => {
    await backend.close();
    await fake.close();
  });

  function worker(transports: ReplyTransport[]): ReplyDeliveryWorker {
    return new ReplyDeliveryWorker({
      kb,
      transports,
      targetOf: (sessionId) => running.get(sessionId),
      publish: (sessionId, body) => events.push({ sessionId, body }),
      logger: silentLogger(),
      clock,
      pollMs: 1_000,
      minIntervalMs: 1_500,
      maxAgeMs: 120_000,
      maxAttempts: 3,
    });
  }

  function youtubeTransport(): YouTubeReplyTransport {
    const quota = new QuotaLedger({ dailyLimit: 10_000, clock });
    const oauth = new RefreshTokenAuth({ ...OAUTH, tokenUrl: fake.tokenUrl, clock });
    return new YouTubeReplyTransport({ api: new YouTubeClient({ baseUrl: fake.baseUrl, oauth, quota }) });
  }

  async function ask(sessionId: string, ...questions: string[]): Promise<string[]> {
    // A minute on: the same answer as an earlier test's would otherwise stay a suggestion (duplicate).
    clock.advance(61_000);
    await kb.putSettings(sessionId, { delivery: 'send' });
    const results = await backend.ingest(sessionId, questions.map((q) => chat(`@earshot ${q}`)));
    expect(results.map((r) => r.answer?.status)).toEqual(questions.map(() => 'pending'));
    return results.map((r) => r.answer!.replyId!);
  }

  function statuses(replyId: string): string[] {
    return events.flatMap((e) => (e.body.type === 'reply_status' && e.body.replyId === replyId ? [`${e.body.status}${e.body.detail ? `:${e.body.detail}` : ''}`] : []));
  }

  test('sends pending replies as the bot account, spaced per chat, and records the platform id', async () => {
    running.set('yt-1', { sessionId: 'yt-1', url: 'https://www.youtube.com/watch?v=VIDlive0001', platform: 'youtube', source: 'api' });
    const [first, second] = await ask('yt-1', 'do you ship to Canada?', 'do you take returns?');
    const w = worker([youtubeTransport()]);
    const sleepsBefore = clock.sleeps.length;
    await w.tick();
    await w.settle();

    expect(fake.inserted.map((m) => [m.liveChatId, m.text, m.accessToken])).toEqual([
      ['chat-1', expect.stringContaining('Canada'), 'at-1'],
      ['chat-1', expect.stringContaining('30 days'), 'at-1'],
    ]);
    expect(fake.inserted[0]!.body).toMatchObject({ snippet: { liveChatId: 'chat-1', type: 'textMessageEvent' } });
    // The second reply waited the minimum interval after the first.
    expect(clock.sleeps.slice(sleepsBefore)).toEqual([1_500]);
    expect(statuses(first!)).toEqual(['sent']);
    expect(await kb.getReply(second!)).toMatchObject({ status: 'sent', platformReplyId: 'inserted-2', attempts: 1 });
    expect(fake.calls('videos')).toHaveLength(1);
  });

  test('retries a transient failure with backoff, and fails for good on a final one', async () => {
    const [flaky, doomed] = await ask('yt-1', 'when do you ship?', 'what is the return policy?');
    fake.failNext('insert', { status: 503, reason: 'backendError' });
    const w = worker([youtubeTransport()]);
    await w.tick();
    await w.settle();
    expect(statuses(flaky!)).toEqual(['pending:backendError']);
    expect(statuses(doomed!)).toEqual(['sent']);

    fake.failNext('insert', { status: 403, reason: 'liveChatEnded' });
    clock.advance(2_000);
    await w.tick();
    await w.settle();
    expect(statuses(flaky!)).toEqual(['pending:backendError', 'failed:liveChatEnded']);
    expect(await kb.getReply(flaky!)).toMatchObject({ status: 'failed', reason: 'liveChatEnded', attempts: 2 });
  });

  test('keeps a reply as a suggestion when nothing can deliver it, and fails it when the session is gone', async () => {
    running.set('whatnot-1', { sessionId: 'whatnot-1', url: 'https://www.whatnot.com/live/x', platform: 'whatnot', source: 'browser' });
    const [suggested] = await ask('whatnot-1', 'do you ship to Canada?');
    const [orphan] = await ask('gone-1', 'do you ship to Canada?');
    const sent: string[] = [];
    const typing: ReplyTransport = {
      name: 'typing',
      accepts: (t) => t.platform === 'twitch',
      send: async (_t, text) => {
        sent.push(text);
        return {};
      },
    };
    const w = worker([youtubeTransport(), typing]);
    await w.tick();
    await w.settle();
    expect(statuses(suggested!)).toEqual(['suggested:no_transport']);
    expect(statuses(orphan!)).toEqual(['failed:session_not_running']);
    expect(sent).toEqual([]);

    // A transport that keeps failing transiently gives up after maxAttempts.
    running.set('twitch-1', { sessionId: 'twitch-1', url: 'https://www.twitch.tv/x', platform: 'twitch', source: 'browser' });
    const [stuck] = await ask('twitch-1', 'do you take returns?');
    const broken: ReplyTransport = {
      name: 'broken',
      accepts: () => true,
      send: async () => {
        throw new DeliveryError('page_error', true);
      },
    };
    const w2 = worker([broken]);
    for (let i = 0; i < 4; i++) {
      await w2.tick();
      await w2.settle();
      clock.advance(40_000);
    }
    expect(statuses(stuck!)).toEqual(['pending:page_error', 'pending:page_error', 'failed:page_error']);
  });
});

describe('replies in a YouTube API session of the running service', () => {
  test('a viewer addressing the bot gets the answer in the live chat, sent through liveChatMessages.insert', async () => {
    const fake = await startFakeYouTubeApi({ apiKey: 'key-1', oauth: OAUTH });
    fake.video('VIDkbe2e001', { liveChatId: 'chat-kb' });
    const liveChat = fake.chat('chat-kb', { pollingIntervalMillis: 500 });
    const service = await startTestService({
      YOUTUBE_API_BASE_URL: fake.baseUrl,
      YOUTUBE_API_KEY: 'key-1',
      YOUTUBE_OAUTH_CLIENT_ID: OAUTH.clientId,
      YOUTUBE_OAUTH_CLIENT_SECRET: OAUTH.clientSecret,
      YOUTUBE_OAUTH_REFRESH_TOKEN: OAUTH.refreshToken,
      YOUTUBE_OAUTH_TOKEN_URL: fake.tokenUrl,
      REPLY_POLL_MS: '100',
    });
    const sub = await Subscriber.connect(service.url, 'yt-kb');
    const events = (): Array<Record<string, any>> => sub.events as Array<Record<string, any>>;
    try {
      await fetch(`${service.url}/api/kb/documents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'FAQ', text: FAQ }),
      });
      const bot = await fetch(`${service.url}/api/sessions/yt-kb/bot`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ delivery: 'send' }),
      });
      expect(bot.status).toBe(200);
      const started = await post(service.url, '/api/start-monitoring', { url: 'https://www.youtube.com/watch?v=VIDkbe2e001', source: 'api', sessionId: 'yt-kb' });
      expect(started.status).toBe(201);
      await sub.waitFor(() => events().some((e) => e.type === 'session_status' && e.status === 'live'));
      // The first page is history (backfill); the question comes live after it.
      liveChat.post(yt.text('hello!', { name: 'Ann' }));
      await sub.waitFor(() => sub.messages().length >= 1);
      liveChat.post(yt.text('@earshot do you ship to Canada?', { name: 'Bo' }, 'yt-q-1'));

      await sub.waitFor(() => events().some((e) => e.type === 'reply_status' && e.status === 'sent'), 20_000);
      const answer = events().find((e) => e.type === 'answer')!;
      expect(answer).toMatchObject({ messageId: 'yt-q-1', status: 'pending', answer: expect.stringContaining('Canada') });
      expect(fake.inserted).toEqual([expect.objectContaining({ liveChatId: 'chat-kb', text: answer.answer, accessToken: 'at-1' })]);
      const replies = await fetch(`${service.url}/api/replies?sessionId=yt-kb`).then((r) => r.json());
      expect(replies[0]).toMatchObject({ status: 'sent', platformReplyId: 'inserted-1', messageId: 'yt-q-1' });
    } finally {
      sub.close();
      await service.close();
      await fake.close();
    }
  });
});
