import { ledgerLot } from '../../test/support/builders.ts';
import { eventId, toWebhookEvent } from './events.ts';
import { nextAttempt, retryDelayMs } from './worker.ts';

const schedule = { minMs: 5_000, maxMs: 3_600_000, deadAfterMs: 24 * 3_600_000 };

describe('the retry schedule', () => {
  test('waits from the floor up to a cap that doubles per attempt and stops at the ceiling', () => {
    expect(retryDelayMs(1, schedule, () => 0)).toBe(5_000);
    expect(retryDelayMs(1, schedule, () => 1)).toBe(5_000);
    expect(retryDelayMs(2, schedule, () => 1)).toBe(10_000);
    expect(retryDelayMs(5, schedule, () => 1)).toBe(80_000);
    expect(retryDelayMs(5, schedule, () => 0.5)).toBe(42_500);
    expect(retryDelayMs(30, schedule, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(10_000, schedule, () => 1)).toBe(3_600_000);
  });

  test('the last attempt is made at the deadline, and after it the delivery is dead', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const hourBefore = new Date(created.getTime() + schedule.deadAfterMs - 60_000);
    expect(nextAttempt(created, 20, hourBefore, schedule, () => 1)).toEqual({ dead: false, at: new Date(created.getTime() + schedule.deadAfterMs) });
    const early = new Date(created.getTime() + 1_000);
    expect(nextAttempt(created, 1, early, schedule, () => 0)).toEqual({ dead: false, at: new Date(early.getTime() + 5_000) });
    expect(nextAttempt(created, 21, new Date(created.getTime() + schedule.deadAfterMs), schedule)).toEqual({ dead: true });
  });
});

const lot = ledgerLot;

describe('which show events are webhooks', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const assignment = { id: 'a1', username: 'amy', messageId: 'm1', at: '', priceCents: 1800, paid: false, packed: false, shipped: false, state: 'current' as const };

  test('a sale is one event per lot and assignment; later updates of the sold lot are the same event', () => {
    expect(toWebhookEvent('s', { type: 'lot_update', lot: lot() }, now)).toBeUndefined();
    const sold = toWebhookEvent('s', { type: 'lot_update', lot: lot({ status: 'sold', assignment }) }, now)!;
    expect(sold).toMatchObject({ type: 'lot.sold', sessionId: 's', payload: { type: 'lot.sold', timestamp: now.toISOString(), data: { sessionId: 's' } } });
    const paidLater = toWebhookEvent('s', { type: 'lot_update', lot: lot({ status: 'sold', assignment: { ...assignment, paid: true }, version: 4 }) }, now)!;
    expect(paidLater.id).toBe(sold.id);
    const resold = toWebhookEvent('s', { type: 'lot_update', lot: lot({ status: 'sold', assignment: { ...assignment, id: 'a2' } }) }, now)!;
    expect(resold.id).not.toBe(sold.id);
    // The same lot in another show is another event.
    expect(toWebhookEvent('t', { type: 'lot_update', lot: lot({ status: 'sold', assignment }) }, now)!.id).not.toBe(sold.id);
  });

  test("a seller's correction is lot.corrected once per version, never lot.sold", () => {
    const v2 = toWebhookEvent('s', { type: 'lot_update', by: 'seller', lot: lot({ status: 'sold', assignment, version: 2 }) }, now)!;
    const v3 = toWebhookEvent('s', { type: 'lot_update', by: 'seller', lot: lot({ status: 'sold', assignment, version: 3 }) }, now)!;
    expect([v2.type, v3.type]).toEqual(['lot.corrected', 'lot.corrected']);
    expect(v2.id).not.toBe(v3.id);
  });

  test('buyers are winners only; shows start once and end once; silent and stalled sources; suggested answers', () => {
    const buyer = (status?: 'winner' | 'waitlist' | 'interested') => ({ username: 'amy', message: 'sold', confidence: 0.9, ...(status ? { status } : {}) });
    expect(toWebhookEvent('s', { type: 'buyer_detected', messageId: 'm1', buyer: buyer('winner') }, now)?.type).toBe('buyer.detected');
    expect(toWebhookEvent('s', { type: 'buyer_detected', messageId: 'm1', buyer: buyer() }, now)?.type).toBe('buyer.detected');
    expect(toWebhookEvent('s', { type: 'buyer_detected', messageId: 'm2', buyer: buyer('waitlist') }, now)).toBeUndefined();
    expect(toWebhookEvent('s', { type: 'session_status', status: 'starting' }, now)).toBeUndefined();
    const live = toWebhookEvent('s', { type: 'session_status', status: 'live' }, now)!;
    expect(toWebhookEvent('s', { type: 'session_status', status: 'live' }, now)!.id).toBe(live.id);
    expect(toWebhookEvent('s', { type: 'session_status', status: 'recovering' }, now)).toBeUndefined();
    const ended = toWebhookEvent('s', { type: 'session_status', status: 'stopped', detail: 'by seller' }, now)!;
    expect(ended.payload).toMatchObject({ type: 'show.ended', data: { status: 'stopped', detail: 'by seller' } });
    const health = (state: 'live' | 'silent' | 'stalled') => ({ source: 'browser', state, ratePerMin: 0, baselinePerMin: 40, since: '2026-01-01T00:00:00.000Z' });
    expect(toWebhookEvent('s', { type: 'source_health', health: health('live') }, now)).toBeUndefined();
    expect(toWebhookEvent('s', { type: 'source_health', health: health('stalled') }, now)?.type).toBe('source.silent');
    const answer = { messageId: 'm3', question: 'ship?', answer: 'Fridays', sources: [], replyId: 'r1' };
    expect(toWebhookEvent('s', { type: 'answer', status: 'sent', ...answer }, now)).toBeUndefined();
    expect(toWebhookEvent('s', { type: 'answer', status: 'suggested', ...answer }, now)?.payload).toMatchObject({ type: 'answer.suggested', data: { replyId: 'r1', answer: 'Fridays' } });
    expect(toWebhookEvent('s', { type: 'new_message', message: {} as never }, now)).toBeUndefined();
  });

  test('ids are short and stable', () => {
    expect(eventId('x')).toBe(eventId('x'));
    expect(eventId('x')).toMatch(/^evt_[A-Za-z0-9_-]{26}$/);
    expect(eventId('x')).not.toBe(eventId('y'));
  });
});
