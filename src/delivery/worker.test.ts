import type { SessionEventBody } from '../domain/events.ts';
import { silentLogger } from '../log.ts';
import type { Reply } from '../../supabase/functions/_shared/kb/index.ts';
import { retryDelayMs, ReplyDeliveryWorker, type ReplyDeliveryOptions } from './worker.ts';
import { chatInputSelector } from './chat-inputs.ts';
import { DeliveryError, type ReplyTransport } from './types.ts';

describe('delivery', () => {
  test('backs off exponentially with bounded jitter, at most about 30 s', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(2, () => 1)).toBe(2_500);
    expect(retryDelayMs(20, () => 0)).toBe(30_000);
  });

  test('types only where a chat input is known', () => {
    expect(chatInputSelector('whatnot')).toBe("[data-testid='chat-input']");
    expect(chatInputSelector('youtube')).toBeUndefined();
    expect(chatInputSelector('generic')).toBeUndefined();
  });
});

describe('reply delivery worker', () => {
  /** A clock that never waits: time moves only when a test says so. */
  const clock = { now: () => Date.parse('2026-03-10T18:00:00Z'), sleep: () => Promise.resolve() };

  function pendingReply(overrides: Partial<Reply> = {}): Reply {
    return {
      id: 'r1', sessionId: 's1', messageId: 'm1', kind: 'answer', commandId: null, username: 'amy', question: 'when do you ship?',
      text: 'We ship Mondays', sources: [], status: 'pending', reason: null, attempts: 1, nextAttemptAt: null, platformReplyId: null,
      createdAt: '2026-03-10T18:00:00.000Z', updatedAt: '2026-03-10T18:00:00.000Z', sentAt: null, askers: [], ...overrides,
    };
  }

  /** The outbox as a plain object: records what the worker decided. */
  function fakeOutbox(reply: Reply) {
    const calls: string[] = [];
    let handed = false;
    const kb: ReplyDeliveryOptions['kb'] = {
      claimDueReplies: () => {
        const claimed = handed ? [] : [reply];
        handed = true;
        return Promise.resolve({ claimed, expired: [] });
      },
      markSent: (id) => (calls.push(`sent ${id}`), Promise.resolve({ ...reply, status: 'sent' })),
      markFailed: (id, reason) => (calls.push(`failed ${id} ${reason}`), Promise.resolve({ ...reply, status: 'failed', reason })),
      retryLater: (id, _at, reason) => (calls.push(`retry ${id} ${reason}`), Promise.resolve({ ...reply, reason })),
      setStatus: (id, status, reason) => (calls.push(`${status} ${id} ${reason}`), Promise.resolve({ ...reply, status, reason: reason ?? null })),
      getSettings: (sessionId) =>
        Promise.resolve({ sessionId, autoAnswer: true, delivery: 'send', trigger: null, profile: null, updatedAt: null, inheritedFrom: null }),
    };
    return { kb, calls };
  }

  function workerWith(kb: ReplyDeliveryOptions['kb'], transport: ReplyTransport, events: SessionEventBody[]): ReplyDeliveryWorker {
    return new ReplyDeliveryWorker({
      kb,
      transports: [transport],
      targetOf: (sessionId) => ({ sessionId, url: 'https://www.whatnot.com/live/s1', platform: 'whatnot', source: 'browser' }),
      publish: (_sessionId, body) => void events.push(body),
      logger: silentLogger(),
      clock,
      pollMs: 1_000,
      minIntervalMs: 0,
      maxAgeMs: 60_000,
      maxAttempts: 3,
    });
  }

  test('no chat input on the page fails the reply on its first attempt and says so (regression: ~50 s at "Sending…")', async () => {
    const { kb, calls } = fakeOutbox(pendingReply({ askers: ['amy', 'bob'] }));
    let sends = 0;
    const transport: ReplyTransport = {
      name: 'browser',
      accepts: () => true,
      send: () => {
        sends++;
        return Promise.reject(new DeliveryError('no_chat_input', false, 'The chat input is not on the page'));
      },
    };
    const events: SessionEventBody[] = [];
    const worker = workerWith(kb, transport, events);
    await worker.tick();
    await worker.settle();
    expect(sends).toBe(1);
    expect(calls).toEqual(['failed r1 no_chat_input']);
    expect(events).toEqual([{ type: 'reply_status', replyId: 'r1', messageId: 'm1', status: 'failed', detail: 'no_chat_input', askers: ['amy', 'bob'] }]);
    await worker.close();
  });

  test('a transient failure is retried later, not failed', async () => {
    const { kb, calls } = fakeOutbox(pendingReply());
    const transport: ReplyTransport = {
      name: 'browser',
      accepts: () => true,
      send: () => Promise.reject(new DeliveryError('page_error', true)),
    };
    const worker = workerWith(kb, transport, []);
    await worker.tick();
    await worker.settle();
    expect(calls).toEqual(['retry r1 page_error']);
    await worker.close();
  });
});
