/**
 * The spine end to end: real Chromium watching fixture chat pages, a real WebSocket subscriber.
 * Every message the page shows arrives once, in order, whatever the list does.
 */
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, startTestService, Subscriber } from './support/service.ts';
import type { ListMode } from '../src/demo/page.ts';

let fixtures: FixtureServer;
let service: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  service = await startTestService();
});

// Each fixture page holds an SSE connection and Chromium allows six per host: stop sessions as tests end.
afterEach(async () => {
  for (const session of service.sessions.list()) await service.sessions.stop(session.sessionId).catch(() => undefined);
});

afterAll(async () => {
  await service?.close();
  await fixtures?.close();
});

function script(prefix: string, count: number): Array<{ author: string; text: string }> {
  return Array.from({ length: count }, (_, i) => ({ author: `viewer${i % 7}`, text: `${prefix} message ${i}` }));
}

async function watch(room: string, mode: ListMode, window = 20): Promise<{ sessionId: string; sub: Subscriber }> {
  const sessionId = `s-${room}`;
  const sub = await Subscriber.connect(service.url, sessionId);
  const res = await post(service.url, '/api/start-monitoring', {
    url: fixtures.pageUrl(room, { mode, window }),
    sessionId,
    platform: 'whatnot',
  });
  expect(res.status).toBe(201);
  await sub.waitFor(() => sub.events.some((e) => e.type === 'session_status' && e.status === 'live'));
  return { sessionId, sub };
}

function expectExactlyOnceInOrder(received: string[], expected: string[]): void {
  expect(received).toEqual(expected);
}

describe('capture', () => {
  test('delivers messages already on the page as backfill, then live ones', async () => {
    const room = 'backfill';
    fixtures.room(room).post(script('old', 5));
    const { sessionId, sub } = await watch(room, 'virtual');
    await sub.waitFor(() => sub.messages().length >= 5);
    expect(sub.messages().map((e) => e.message.backfill)).toEqual([true, true, true, true, true]);
    fixtures.room(room).post(script('new', 3));
    await sub.waitFor(() => sub.messages().length >= 8);
    const events = sub.messages();
    expect(events.slice(5).map((e) => e.message.backfill)).toEqual([false, false, false]);
    expect(events.map((e) => e.message.text)).toEqual([...script('old', 5), ...script('new', 3)].map((m) => m.text));
    // seq rises by one per event within the session
    const seqs = sub.events.filter((e) => e.sessionId === sessionId && 'seq' in e).map((e) => e.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    sub.close();
  });

  test('steady rate on a virtualized list: every message once, in order', async () => {
    const room = 'steady';
    const { sub } = await watch(room, 'virtual');
    const messages = script('steady', 60);
    await fixtures.emit(room, messages, 20);
    await sub.waitFor(() => sub.messages().length >= 60);
    expectExactlyOnceInOrder(sub.texts(), messages.map((m) => m.text));
    sub.close();
  });

  test('a burst of 200 msg/s on a virtualized list loses and repeats nothing', async () => {
    const room = 'burst';
    const { sub } = await watch(room, 'virtual', 15);
    const messages = script('burst', 400);
    await fixtures.emit(room, messages, 200);
    await sub.waitFor(() => sub.messages().length >= 400);
    // let the sweep run at least once more: it must not add anything
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expectExactlyOnceInOrder(sub.texts(), messages.map((m) => m.text));
    sub.close();
  });

  test('recycled row nodes and index slots (Kick-style) are not identities', async () => {
    const room = 'recycle';
    const { sub } = await watch(room, 'recycle', 10);
    const messages = script('recycled', 80);
    await fixtures.emit(room, messages, 50);
    await sub.waitFor(() => sub.messages().length >= 80);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expectExactlyOnceInOrder(sub.texts(), messages.map((m) => m.text));
    sub.close();
  });

  test('a full re-render of the list adds nothing', async () => {
    const room = 'rerender';
    const { sub } = await watch(room, 'virtual');
    const first = script('before', 30);
    await fixtures.emit(room, first, 50);
    await sub.waitFor(() => sub.messages().length >= 30);
    fixtures.room(room).rerender();
    fixtures.room(room).rerender();
    const second = script('after', 10);
    await fixtures.emit(room, second, 50);
    await sub.waitFor(() => sub.messages().length >= 40);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expectExactlyOnceInOrder(sub.texts(), [...first, ...second].map((m) => m.text));
    sub.close();
  });

  test('one viewer typing the same text twice gives two messages', async () => {
    const room = 'repeat';
    const { sub } = await watch(room, 'virtual', 5);
    const messages = [
      { author: 'ann', text: 'hello' },
      { author: 'bob', text: 'sold' },
      { author: 'bob', text: 'sold' },
      { author: 'bob', text: 'sold' },
      { author: 'ann', text: 'nice' },
      { author: 'bob', text: 'sold' },
    ];
    for (const m of messages) {
      fixtures.room(room).post([m]);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    fixtures.room(room).rerender();
    await sub.waitFor(() => sub.messages().length >= 6);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sub.messages().map((e) => `${e.message.author.name}:${e.message.text}`)).toEqual(
      messages.map((m) => `${m.author}:${m.text}`),
    );
    const ids = sub.messages().map((e) => e.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    sub.close();
  });

  test('a plain (non-virtual) list, appended and re-rendered', async () => {
    const room = 'plain';
    const { sub } = await watch(room, 'plain');
    const messages = script('plain', 50);
    await fixtures.emit(room, messages.slice(0, 25), 100);
    fixtures.room(room).rerender();
    await fixtures.emit(room, messages.slice(25), 100);
    await sub.waitFor(() => sub.messages().length >= 50);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expectExactlyOnceInOrder(sub.texts(), messages.map((m) => m.text));
    sub.close();
  });
});
