/// <reference types="jest" />
import { formatCents } from '../ledger.ts';
import { applyFrame, lastBuyer, lotLine, lotOnScreen, viewOf, type OverlayLot } from './state.ts';

function lot(code: string, ord: number, over: Partial<OverlayLot> = {}): OverlayLot {
  return { code, title: `item ${code}`, priceCents: 4500, status: 'open', winner: null, waitlistCount: 0, wonAt: null, announcedAt: '2026-01-01T00:00:00.000Z', ord, ...over };
}

describe('the lot on screen', () => {
  it('is the newest open lot', () => {
    expect(lotOnScreen([lot('A1', 1), lot('B7', 2), lot('C3', 3, { status: 'sold', winner: 'amy' })])?.code).toBe('B7');
  });

  it('stays the last closed lot until the next one opens, and is never a voided one', () => {
    expect(lotOnScreen([lot('A1', 1, { status: 'sold', winner: 'amy' }), lot('B7', 2, { status: 'unsold' })])?.code).toBe('B7');
    expect(lotOnScreen([lot('A1', 1, { status: 'sold', winner: 'amy' }), lot('B7', 2, { status: 'void' })])?.code).toBe('A1');
    expect(lotOnScreen([lot('A1', 1, { status: 'void' })])).toBeNull();
    expect(lotOnScreen([])).toBeNull();
  });
});

describe('the last buyer', () => {
  it('is the winner who got a lot most recently, sold or still open', () => {
    const lots = [
      lot('A1', 1, { status: 'sold', winner: 'amy', wonAt: '2026-01-01T00:01:00.000Z', priceCents: 4000 }),
      lot('B7', 2, { winner: 'cat', wonAt: '2026-01-01T00:02:00.000Z', priceCents: 8000 }),
      // Corrected later to an earlier claim time: order is by when the winner got it, not by lot.
      lot('C3', 3, { status: 'sold', winner: 'dan', wonAt: '2026-01-01T00:00:30.000Z' }),
    ];
    expect(lastBuyer(lots)).toEqual({ username: 'cat', code: 'B7', priceCents: 8000 });
  });

  it('is nobody for voided and unsold lots', () => {
    expect(lastBuyer([lot('A1', 1, { status: 'void', winner: 'amy', wonAt: '2026-01-01T00:01:00.000Z' }), lot('B7', 2, { status: 'unsold' })])).toBeNull();
  });
});

describe('the line under a lot', () => {
  it('says who has it, who waits, how bidding stands, or how to claim', () => {
    expect(lotLine(lot('A1', 1), formatCents)).toBe('Claim it in chat');
    expect(lotLine(lot('A1', 1, { winner: 'amy', waitlistCount: 2 }), formatCents)).toBe('amy has it · 2 waiting');
    expect(lotLine(lot('A1', 1, { status: 'sold', winner: 'amy' }), formatCents)).toBe('SOLD to amy');
    expect(lotLine(lot('A1', 1, { status: 'unsold' }), formatCents)).toBe('Not sold');
    expect(lotLine(lot('A1', 1, { auction: { open: true, highBidCents: 2550, bids: 1 } }), formatCents)).toBe('1 bid · high $25.50');
  });
});

describe('applying frames', () => {
  const state = { sessionId: 's1', seq: 5, status: 'live' as const, lots: [lot('A1', 1)], featured: null };

  it('applies what is newer than the state and ignores replays and other shows', () => {
    let view = viewOf(state);
    view = applyFrame(view, { type: 'lot_update', sessionId: 's1', seq: 5, lot: lot('A1', 1, { winner: 'stale' }) });
    expect(view.lots.get('A1')?.winner).toBeNull();
    view = applyFrame(view, { type: 'lot_update', sessionId: 'other', seq: 9, lot: lot('Z9', 9) });
    expect(view.lots.has('Z9')).toBe(false);
    view = applyFrame(view, { type: 'lot_update', sessionId: 's1', seq: 6, lot: lot('A1', 1, { winner: 'amy' }) });
    view = applyFrame(view, { type: 'featured_message', sessionId: 's1', seq: 7, featured: { messageId: 'm1', author: 'dana', text: 'hi', platform: 'whatnot', featuredAt: '2026-01-01T00:00:00.000Z' } });
    view = applyFrame(view, { type: 'session_status', sessionId: 's1', seq: 8, status: 'stopped' });
    expect(view).toMatchObject({ seq: 8, status: 'stopped', featured: { author: 'dana' } });
    expect(view.lots.get('A1')?.winner).toBe('amy');
  });
});
