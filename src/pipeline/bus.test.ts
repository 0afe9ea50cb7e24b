import { silentLogger } from '../log.ts';
import { EventBus, subscribePublisher, subscribeSink, type PipelineEvents } from './bus.ts';
import type { SessionEventBody } from '../domain/events.ts';

const status = (s: 'live' | 'ended'): SessionEventBody => ({ type: 'session_status', status: s });

test('listeners run in the order they subscribed, and unsubscribing stops one', () => {
  const bus = new EventBus<PipelineEvents>();
  const seen: string[] = [];
  bus.on('deleted', (id) => seen.push(`a:${id}`));
  const off = bus.on('deleted', (id) => seen.push(`b:${id}`));
  bus.emit('deleted', 's1', ['m']);
  off();
  bus.emit('deleted', 's2', ['m']);
  expect(seen).toEqual(['a:s1', 'b:s1', 'a:s2']);
  expect(bus.listenerCount('deleted')).toBe(1);
});

test('a listener that throws does not keep the event from the others', () => {
  const errors: unknown[] = [];
  const logger = { ...silentLogger(), error: (fields: unknown) => errors.push(fields) } as ReturnType<typeof silentLogger>;
  const bus = new EventBus<PipelineEvents>(logger);
  const stored: string[] = [];
  bus.on('messages', () => {
    throw new Error('hub down');
  });
  bus.on('messages', (_id, messages) => stored.push(...messages.map((m) => m.id)));
  bus.emit('messages', 's', [{ id: 'm1', platform: 'twitch', author: { name: 'a', badges: [] }, text: 'hi', capturedAt: '2026-01-01T00:00:00.000Z', backfill: false }]);
  expect(stored).toEqual(['m1']);
  expect(errors).toHaveLength(1);
});

test('a publisher gets capture events on publish and downstream ones on publishDownstream when it has it', () => {
  const bus = new EventBus<PipelineEvents>();
  const calls: string[] = [];
  subscribePublisher(bus, {
    publish: (id, body) => calls.push(`publish ${id} ${body.type}`),
    publishDownstream: (id, body) => calls.push(`downstream ${id} ${body.type}`),
  });
  bus.emit('event', 's', status('live'), 'capture');
  bus.emit('event', 's', status('ended'), 'downstream');
  expect(calls).toEqual(['publish s session_status', 'downstream s session_status']);
  const plain: string[] = [];
  subscribePublisher(bus, { publish: (id) => plain.push(id) });
  bus.emit('event', 't', status('live'), 'downstream');
  expect(plain).toEqual(['t']);
});

test('a sink may take the deletions and status changes without the messages', () => {
  const bus = new EventBus<PipelineEvents>();
  const got: string[] = [];
  const off = subscribeSink(
    bus,
    { accept: () => got.push('accept'), deleted: (id, ids) => got.push(`deleted ${id} ${ids.join()}`), sessionChanged: (info) => got.push(`session ${info.status}`) },
    { messages: false },
  );
  bus.emit('messages', 's', []);
  bus.emit('deleted', 's', ['a', 'b']);
  bus.emit('session', { sessionId: 's', url: 'https://x.test/', platform: 'twitch', source: 'browser', status: 'live', messageCount: 0, buyerCount: 0, lastMessageAt: null, startedAt: '' });
  off();
  bus.emit('deleted', 's', ['c']);
  expect(got).toEqual(['deleted s a,b', 'session live']);
});
