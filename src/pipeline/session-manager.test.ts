import type { SessionEventBody } from '../domain/events.ts';
import { silentLogger } from '../log.ts';
import type { ChatSource } from '../capture/source.ts';
import type { SourceFactoryInput } from '../capture/source.ts';
import { SessionManager, deriveSessionId, nextShowId, showChange } from './session-manager.ts';

function setup() {
  const published: Array<{ sessionId: string; body: SessionEventBody }> = [];
  const inputs: SourceFactoryInput[] = [];
  const manager = new SessionManager({
    logger: silentLogger(),
    dedup: { max: 100, ttlMs: 60_000 },
    maxSessions: 2,
    checkUrl: async (raw) => new URL(raw),
    createSource: (input) => {
      inputs.push(input);
      const source: ChatSource = { kind: 'browser', start: async () => input.sink.status('live'), stop: async () => undefined };
      return source;
    },
  });
  manager.bus.on('event', (sessionId, body) => published.push({ sessionId, body }));
  return { manager, published, inputs };
}

const message = (id: string, text = id) => ({
  id,
  platform: 'twitch' as const,
  author: { name: 'a', badges: [] },
  text,
  capturedAt: new Date().toISOString(),
  backfill: false,
});

test('start is idempotent per URL and the derived id is stable', async () => {
  const { manager } = setup();
  const a = await manager.start({ url: 'https://www.twitch.tv/somechannel' });
  const b = await manager.start({ url: 'https://www.twitch.tv/somechannel/' });
  expect(a.created).toBe(true);
  expect(b.created).toBe(false);
  expect(b.info.sessionId).toBe(a.info.sessionId);
  expect(a.info.sessionId).toBe(deriveSessionId('twitch', new URL('https://www.twitch.tv/somechannel')));
});

test('the same message id from a source reaches subscribers and sinks once', async () => {
  const { manager, published, inputs } = setup();
  const accepted: string[] = [];
  manager.bus.on('messages', (_id, messages) => accepted.push(...messages.map((m) => m.id)));
  await manager.start({ url: 'https://www.twitch.tv/x', sessionId: 's' });
  inputs[0]!.sink.messages([message('1'), message('2')]);
  inputs[0]!.sink.messages([message('2'), message('3')]);
  expect(published.filter((p) => p.body.type === 'new_message').length).toBe(3);
  expect(accepted).toEqual(['1', '2', '3']);
  expect(manager.get('s')?.messageCount).toBe(3);
});

test('a buyer verdict repeated for one message counts once', async () => {
  const { manager, published } = setup();
  await manager.start({ url: 'https://www.twitch.tv/x', sessionId: 's' });
  const buyer = { username: 'a', message: 'sold', confidence: 0.9 };
  manager.publish('s', { type: 'buyer_detected', messageId: 'm1', buyer });
  manager.publish('s', { type: 'buyer_detected', messageId: 'm1', buyer });
  manager.publish('s', { type: 'buyer_detected', messageId: 'm2', buyer });
  expect(manager.get('s')?.buyerCount).toBe(2);
  expect(published.filter((p) => p.body.type === 'buyer_detected').length).toBe(2);
});

test("with a ledger the session's buyers and sales are the lot_update summary's, not a count of verdicts", async () => {
  const { manager, published } = setup();
  await manager.start({ url: 'https://www.twitch.tv/x', sessionId: 's' });
  // Interest and waitlist claims are announced, but they are no buyers.
  manager.publish('s', { type: 'buyer_detected', messageId: 'm1', buyer: { username: 'a', message: 'want', confidence: 0.9, status: 'interested' } });
  manager.publish('s', { type: 'buyer_detected', messageId: 'm2', buyer: { username: 'b', message: 'A1 pls', confidence: 0.9, status: 'waitlist', lot: 'A1' } });
  expect(manager.get('s')?.buyerCount).toBe(0);
  const summary = { lots: 3, sold: 1, pending: 1, open: 2, unsold: 0, void: 0, buyers: 1, pendingBuyers: 1, revenueCents: 4500, pendingCents: 1000, unpriced: 0, interested: 1 };
  const lot = { code: 'A1' } as never;
  manager.publish('s', { type: 'lot_update', lot, summary });
  expect(manager.get('s')).toMatchObject({ buyerCount: 2, sales: { sold: 1, pending: 1, buyers: 1, interested: 1, revenueCents: 4500, pendingCents: 1000 } });
  expect(published.filter((p) => p.body.type === 'buyer_detected').length).toBe(2);
});

test('the session limit is enforced with a coded error', async () => {
  const { manager } = setup();
  await manager.start({ url: 'https://www.twitch.tv/a' });
  await manager.start({ url: 'https://www.twitch.tv/b' });
  await expect(manager.start({ url: 'https://www.twitch.tv/c' })).rejects.toMatchObject({ code: 'session_limit' });
});

test('messages after stop are dropped', async () => {
  const { manager, inputs, published } = setup();
  await manager.start({ url: 'https://www.twitch.tv/x', sessionId: 's' });
  await manager.stop('s');
  inputs[0]!.sink.messages([message('late')]);
  expect(published.filter((p) => p.body.type === 'new_message')).toEqual([]);
  await expect(manager.stop('nope')).rejects.toMatchObject({ code: 'session_not_found' });
});

describe('one session per show', () => {
  test('a URL started again after a stop is a new show with a new id; while it runs it is the same show', async () => {
    const { manager } = setup();
    const url = 'https://www.twitch.tv/somechannel';
    const first = await manager.start({ url });
    await manager.stop(first.info.sessionId);
    const second = await manager.start({ url, seller: ['hannah'] });
    expect(second.created).toBe(true);
    expect(second.info.sessionId).toBe(`${first.info.sessionId}-2`);
    expect(second.info).toMatchObject({ messageCount: 0, buyerCount: 0, sellers: ['hannah'] });
    const again = await manager.start({ url });
    expect(again).toMatchObject({ created: false, info: { sessionId: second.info.sessionId } });
    await manager.stop(second.info.sessionId);
    expect((await manager.start({ url })).info.sessionId).toBe(`${first.info.sessionId}-3`);
    // The shows stay listed on their own.
    expect(manager.list().map((s) => s.sessionId)).toEqual([first.info.sessionId, `${first.info.sessionId}-2`, `${first.info.sessionId}-3`]);
  });

  test('a named session id still names one session, stopped or not', async () => {
    const { manager } = setup();
    await manager.start({ url: 'https://www.twitch.tv/x', sessionId: 'mine' });
    await manager.stop('mine');
    const again = await manager.start({ url: 'https://www.twitch.tv/x', sessionId: 'mine' });
    expect(again).toMatchObject({ created: true, info: { sessionId: 'mine' } });
  });

  test('nextShowId: running -> same, failed -> retried, over -> next number', () => {
    const states = new Map<string, 'running' | 'retry' | 'over'>();
    const of = (id: string) => states.get(id);
    expect(nextShowId('b', of)).toBe('b');
    states.set('b', 'running');
    expect(nextShowId('b', of)).toBe('b');
    states.set('b', 'over');
    expect(nextShowId('b', of)).toBe('b-2');
    states.set('b-2', 'retry');
    expect(nextShowId('b', of)).toBe('b-2');
    states.set('b-2', 'over');
    expect(nextShowId('b', of)).toBe('b-3');
  });
});

describe('showChange', () => {
  test('records the first platform show id, ignores it again, and calls a different one a new show', () => {
    expect(showChange(undefined, '1001')).toBe('first');
    expect(showChange('1001', '1001')).toBe('same');
    expect(showChange('1001', '1002')).toBe('new_show');
  });
});

test('naming the host after the start stores the sellers with the session (the forwarder upserts it)', async () => {
  const { manager } = setup();
  const changed: Array<string[] | undefined> = [];
  manager.bus.on('session', (info) => changed.push(info.sellers));
  await manager.start({ url: 'https://www.whatnot.com/live/x', sessionId: 's', ownerId: 'u1' });
  expect(manager.get('s')?.sellers).toBeUndefined();
  const info = manager.setSellers('s', ['@hannah', 'hannah', 'co_host'], 'u1');
  expect(info.sellers).toEqual(['hannah', 'co_host']);
  expect(changed.at(-1)).toEqual(['hannah', 'co_host']);
  expect(() => manager.setSellers('s', ['x'], 'someone-else')).toThrow(expect.objectContaining({ code: 'session_not_found' }));
  expect(() => manager.setSellers('nope', ['x'])).toThrow(expect.objectContaining({ code: 'session_not_found' }));
  expect(manager.get('s', 'u1')?.sellers).toEqual(['hannah', 'co_host']);
});

test("a show is titled by its page until the seller names it; the seller's name stays; null gives it back", async () => {
  const { manager, inputs } = setup();
  const changed: Array<string | undefined> = [];
  manager.bus.on('session', (info) => changed.push(info.title));
  await manager.start({ url: 'https://www.whatnot.com/live/x', sessionId: 's', ownerId: 'u1' });
  const sink = inputs[0]!.sink;
  sink.title!('(2) Denim drop\u0000 night | Whatnot');
  expect(manager.get('s')).toMatchObject({ title: 'Denim drop night', titleBy: 'page' });
  expect(changed.at(-1)).toBe('Denim drop night');
  const named = manager.setTitle('s', '  Friday denim  ', 'u1');
  expect(named).toMatchObject({ title: 'Friday denim', titleBy: 'seller' });
  sink.title!('Something else | Whatnot');
  expect(manager.get('s')?.title).toBe('Friday denim');
  expect(() => manager.setTitle('s', '\u0000', 'u1')).toThrow(expect.objectContaining({ code: 'invalid_body' }));
  expect(() => manager.setTitle('s', 'x', 'someone-else')).toThrow(expect.objectContaining({ code: 'session_not_found' }));
  expect(manager.get('s')?.title).toBe('Friday denim');
  manager.setTitle('s', null, 'u1');
  expect(manager.get('s')?.title).toBeUndefined();
  sink.title!('Back to the page | Whatnot');
  expect(manager.get('s')).toMatchObject({ title: 'Back to the page', titleBy: 'page' });
});
