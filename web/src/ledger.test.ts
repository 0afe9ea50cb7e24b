/// <reference types="jest" />
// The dashboard counts with the service's own functions: these tests pin what each count counts.
import type { Lot } from './wire.ts';
import { buyerCountOf, buyersOf, countsOf, describeChange, formatCents, isHostMessage, mergeLot, mergeLots, needsHostNotice, parsePriceCents, sellerNames, salesLine, stopWarning, HOST_NOTICE_AFTER_MS } from './ledger.ts';

function lot(code: string, ord: number, over: Partial<Lot> = {}): Lot {
  const priceCents = over.priceCents === undefined ? 4500 : over.priceCents;
  const winner = over.winner === undefined ? null : over.winner;
  const assignment =
    winner === null
      ? null
      : { id: 'a1', username: winner.username, messageId: winner.messageId, at: winner.at, priceCents, paid: false, packed: false, shipped: false, state: 'current' as const };
  return {
    code,
    baseCode: code,
    title: `item ${code}`,
    priceCents,
    price: priceCents === null ? null : priceCents / 100,
    status: 'open',
    waitlist: [],
    assignments: assignment ? [assignment] : [],
    paid: false,
    packed: false,
    shipped: false,
    version: 1,
    announcedBy: 'm0',
    announcedAt: '2026-01-01T00:00:00.000Z',
    ord,
    ...over,
    winner,
    assignment: over.assignment === undefined ? assignment : over.assignment,
  };
}
const claim = (username: string) => ({ username, messageId: `m-${username}`, at: '2026-01-01T00:00:01.000Z' });

describe('mergeLot: lots from GET /lots and lot_update, newest version wins', () => {
  it('adds new lots in announcement order and replaces by code with a newer version', () => {
    let lots = mergeLots([], [lot('B7', 2), lot('A1', 1)]);
    expect(lots.map((l) => l.code)).toEqual(['A1', 'B7']);
    lots = mergeLot(lots, lot('A1', 1, { version: 2, winner: claim('amy') }));
    expect(lots[0]!.winner?.username).toBe('amy');
  });

  it('ignores an older answer arriving late (a slow GET after the lot_update)', () => {
    const lots = mergeLot([lot('A1', 1, { version: 3, winner: claim('bob') })], lot('A1', 1, { version: 2, winner: claim('amy') }), 'answer');
    expect(lots[0]!.winner?.username).toBe('bob');
  });

  it('takes every lot_update: the socket delivers the show\'s changes in order', () => {
    const lots = mergeLot([lot('A1', 1, { version: 3, winner: claim('bob') })], lot('A1', 1, { version: 2, winner: claim('amy') }), 'event');
    expect(lots[0]!.winner?.username).toBe('amy');
  });
});

describe('countsOf: the one count, pending apart from revenue', () => {
  const lots = [
    lot('A1', 1, { status: 'sold', winner: claim('amy') }),
    lot('B7', 2, { status: 'sold', winner: claim('Amy'), priceCents: 8000 }),
    lot('C3', 3, { status: 'open', winner: claim('cat'), priceCents: 3000 }),
    lot('D5', 4, { status: 'open' }),
    lot('E1', 5, { status: 'void', winner: claim('dan') }),
  ];

  it('live: sold lots make revenue, the open lot with a winner is pending, a viewer counts once', () => {
    const s = countsOf(lots, true);
    expect(s).toMatchObject({ lots: 4, sold: 2, pending: 1, open: 2, void: 1, buyers: 1, pendingBuyers: 1, revenueCents: 12500, pendingCents: 3000 });
    expect(salesLine(s)).toBe('2 sold · 1 buyer · $125 · 1 pending $30');
  });

  it('after the show: open lots count as settled (winner: sold, else unsold)', () => {
    const s = countsOf(lots, false);
    expect(s).toMatchObject({ sold: 3, pending: 0, unsold: 1, buyers: 2, revenueCents: 15500, pendingCents: 0 });
    expect(salesLine(s)).toBe('3 sold · 2 buyers · $155');
  });

  it('counts buyers from the lots once read, else takes the service count', () => {
    expect(buyerCountOf({ lots, lotsLoaded: true }, true, 99)).toBe(2);
    expect(buyerCountOf({ lots, lotsLoaded: true }, false, 99)).toBe(2);
    expect(buyerCountOf({ lots: [], lotsLoaded: false }, true, 7)).toBe(7);
    expect(buyerCountOf(undefined, true, undefined)).toBe(0);
  });

  it('lists the ledger buyers only: winners of sold and pending lots, never a voided lot', () => {
    expect(buyersOf(lots, true).map((b) => [b.username, b.sold, b.pending, b.totalCents])).toEqual([
      ['amy', 2, 0, 12500],
      ['cat', 0, 1, 3000],
    ]);
  });

  it('marks a buyer paid only when every lot they hold has its current assignment paid', () => {
    const paid = lot('A1', 1, { status: 'sold', winner: claim('amy') });
    paid.assignment = { ...paid.assignment!, paid: true };
    const unpaid = lot('B7', 2, { status: 'sold', winner: claim('amy') });
    expect(buyersOf([paid], false)[0]!.paid).toBe(true);
    expect(buyersOf([paid, unpaid], false)[0]!.paid).toBe(false);
  });
});

describe('money and history lines', () => {
  it('formats integer cents exactly', () => {
    expect(formatCents(4500)).toBe('$45');
    expect(formatCents(3050)).toBe('$30.50');
    expect(formatCents(123456701)).toBe('$1,234,567.01');
    expect(formatCents(null)).toBe('—');
  });

  it('reads a typed price into exact cents, never through floating point', () => {
    expect(parsePriceCents('45')).toBe(4500);
    expect(parsePriceCents('$0.29')).toBe(29);
    expect(parsePriceCents('40,5')).toBe(4050);
    expect(parsePriceCents('')).toBeNull();
    expect(parsePriceCents('4O')).toBeUndefined();
    expect(parsePriceCents('-5')).toBeUndefined();
  });

  it('says what a change did', () => {
    const before = lot('A1', 1, { status: 'sold', winner: claim('amy') });
    expect(describeChange(before, lot('A1', 1, { status: 'sold', winner: claim('bob'), version: 2 }))).toBe('winner bob (was amy)');
    expect(describeChange(before, { ...before, status: 'void' })).toBe('sold → void');
    expect(describeChange(null, lot('A1', 1))).toBe('announced item A1 at $45');
  });
});

describe('the host notice', () => {
  const base = { running: true, claims: 4, hostMessages: 0, lots: 0, startedAtMs: 0, nowMs: HOST_NOTICE_AFTER_MS };

  it('shows on a running show with claims and no host message after a few minutes', () => {
    expect(needsHostNotice(base)).toBe(true);
  });

  it('stays away before the delay, without claims, once the host spoke or a lot exists, and after the show', () => {
    expect(needsHostNotice({ ...base, nowMs: HOST_NOTICE_AFTER_MS - 1 })).toBe(false);
    expect(needsHostNotice({ ...base, claims: 0 })).toBe(false);
    expect(needsHostNotice({ ...base, hostMessages: 1 })).toBe(false);
    expect(needsHostNotice({ ...base, lots: 1 })).toBe(false);
    expect(needsHostNotice({ ...base, running: false })).toBe(false);
  });

  it('reads the host names typed in the start form or the notice', () => {
    expect(sellerNames(' @hannah, co_host  @@x ')).toEqual(['hannah', 'co_host', 'x']);
    expect(sellerNames(' , @ ')).toEqual([]);
  });

  it('knows the host by badge or by a seller name', () => {
    expect(isHostMessage('x', ['owner'], [])).toBe(true);
    expect(isHostMessage('@Hannah', [], ['hannah'])).toBe(true);
    expect(isHostMessage('amy', ['moderator'], ['hannah'])).toBe(false);
  });
});

describe('stopWarning: what Stop does to open lots, said before it is done', () => {
  it('names the open lots that go to their winners and the ones that close unsold', () => {
    const lots = [
      lot('A1', 1, { winner: claim('amy') }),
      lot('A2', 2, { winner: claim('bob') }),
      lot('B1', 3),
      lot('C1', 4, { status: 'sold', winner: claim('cat') }),
      lot('D1', 5, { status: 'unsold' }),
    ];
    expect(stopWarning(lots)).toBe(
      'Chat capture ends; everything captured stays. 3 open lots: A1 and A2 are sold to their winners; B1 has no winner and closes unsold.',
    );
  });

  it('says plainly when no lot is open, and what settlement does when the lots are not known', () => {
    expect(stopWarning([lot('C1', 1, { status: 'sold', winner: claim('cat') })])).toMatch(/No lot is open\.$/);
    expect(stopWarning([])).toMatch(/No lot is open\.$/);
    expect(stopWarning(undefined)).toMatch(/sold to their winner, else unsold/);
  });

  it('keeps a long list short', () => {
    const lots = ['A1', 'A2', 'A3', 'A4', 'A5'].map((c, i) => lot(c, i, { winner: claim(`v${i}`) }));
    expect(stopWarning(lots)).toContain('A1, A2 and 3 more are sold to their winners');
    expect(stopWarning([lot('A1', 1, { winner: claim('amy') })])).toContain('A1 is sold to its winner');
  });
});
