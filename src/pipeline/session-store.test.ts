import { silentLogger } from '../log.ts';
import { Deduplicator } from './dedup.ts';
import { SessionBook, type SessionRecord, type SessionStore, type Show } from './session-store.ts';

function recordingStore(failures = 0): SessionStore & { saves: SessionRecord[][] } {
  let failing = failures;
  const saves: SessionRecord[][] = [];
  return {
    saves,
    load: () => [],
    save: (records) => {
      if (failing-- > 0) throw new Error('ENOSPC');
      saves.push(records);
    },
  };
}

function book(store: SessionStore, options: { debounceMs?: number; maxWaitMs?: number; buyerMemory?: number } = {}): SessionBook {
  return new SessionBook({
    store,
    records: (shows) => shows.map((s) => ({ request: s.request, info: { ...s.info }, resume: true })),
    logger: silentLogger(),
    buyerMemory: options.buyerMemory ?? 100,
    debounceMs: options.debounceMs ?? 250,
    maxWaitMs: options.maxWaitMs ?? 2_000,
  });
}

function show(b: SessionBook, id = 's'): Show {
  return {
    info: { sessionId: id, url: 'https://x.test/', platform: 'twitch', source: 'browser', status: 'live', messageCount: 0, buyerCount: 0, lastMessageAt: null, startedAt: '' },
    request: { url: 'https://x.test/' },
    source: null,
    dedup: new Deduplicator({ max: 10, ttlMs: 60_000 }),
    run: 1,
    stoppedByUser: false,
    buyerMessageIds: b.newBuyerMemory(),
  };
}

const msg = (id: string, capturedAt: string) => ({ id, platform: 'twitch' as const, author: { name: 'a', badges: [] }, text: id, capturedAt, backfill: false });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a change is saved after a quiet period, once, however many changes came', () => {
  const store = recordingStore();
  const b = book(store);
  const s = show(b);
  b.set(s);
  for (let i = 0; i < 5; i++) {
    b.countMessages(s, [msg(`m${i}`, `2026-01-01T00:00:0${i}.000Z`)]);
    jest.advanceTimersByTime(100);
  }
  expect(store.saves).toHaveLength(0);
  jest.advanceTimersByTime(250);
  expect(store.saves).toHaveLength(1);
  expect(store.saves[0]![0]!.info).toMatchObject({ messageCount: 5, lastMessageAt: '2026-01-01T00:00:04.000Z' });
  jest.advanceTimersByTime(10_000);
  expect(store.saves).toHaveLength(1);
});

test('changes that never pause are still saved within the longest wait', () => {
  const store = recordingStore();
  const b = book(store);
  const s = show(b);
  b.set(s);
  for (let t = 0; t < 4_500; t += 50) {
    b.countMessages(s, [msg(`m${t}`, '2026-01-01T00:00:00.000Z')]);
    jest.advanceTimersByTime(50);
  }
  // Saved at 2 s and 4 s while the show never paused for a quarter second.
  expect(store.saves).toHaveLength(2);
});

test('a failed save is tried again later, not lost', () => {
  const store = recordingStore(1);
  const b = book(store);
  b.set(show(b));
  jest.advanceTimersByTime(250);
  expect(store.saves).toHaveLength(0);
  jest.advanceTimersByTime(2_000);
  expect(store.saves).toHaveLength(1);
});

test('a closed book schedules nothing more; saveNow still writes', () => {
  const store = recordingStore();
  const b = book(store);
  const s = show(b);
  b.set(s);
  b.close();
  b.countMessages(s, [msg('m', '2026-01-01T00:00:00.000Z')]);
  jest.advanceTimersByTime(5_000);
  expect(store.saves).toHaveLength(0);
  b.saveNow();
  expect(store.saves).toHaveLength(1);
});

test('a buyer is counted once per message, and the memory of counted messages is bounded', () => {
  const b = book(recordingStore(), { buyerMemory: 3 });
  const s = show(b);
  expect(b.countBuyer(s, 'm1')).toBe(true);
  expect(b.countBuyer(s, 'm1')).toBe(false);
  for (const id of ['m2', 'm3', 'm4']) b.countBuyer(s, id);
  expect(s.info.buyerCount).toBe(4);
  expect(s.buyerMessageIds.size).toBe(3);
});
