import fc from 'fast-check';
import { decideCorrection, decideUndo, pickList, pickListCsv, settleLot, type LedgerChange } from './corrections.ts';
import { parseHostMessage, parseViewerMessage } from './parse.ts';
import { applyMessages, emptyLedger, type AnyHostAction, type AnyViewerAction, type ChatReader, type LedgerMessage, type LedgerState } from './rules.ts';
import { ledgerBuyers, summarizeLots, type Lot, type LotHistoryEntry } from './sale.ts';

let n = 0;
const at = () => new Date(Date.UTC(2026, 0, 1, 20, 0, 0, ++n)).toISOString();
const host = (text: string): LedgerMessage => ({ id: `m${++n}`, author: 'hannah', text, at: at(), host: true });
const viewer = (author: string, text: string): LedgerMessage => ({ id: `m${++n}`, author, text, at: at(), host: false });

/**
 * parse.ts plus the auction dialect of the contract ("bidding starts at 20", "bid 30", a bare "25"),
 * read here by a small stand-in so the rules are tested on their own.
 */
const auctionReader: ChatReader = {
  host(text) {
    const start = /^bidding starts at \$?(\d+(?:\.\d+)?)$/i.exec(text);
    if (start) return [{ kind: 'auction', code: null, startPrice: Number(start[1]) } satisfies AnyHostAction];
    if (/^going (once|twice)$/i.test(text)) return [{ kind: 'going', code: null, count: 1 }];
    return parseHostMessage(text);
  },
  viewer(text) {
    const bid = /^(?:bid )?\$?(\d+(?:\.\d+)?)!?$/i.exec(text);
    if (bid) return { kind: 'bid', code: null, amount: Number(bid[1]) } satisfies AnyViewerAction;
    return parseViewerMessage(text);
  },
};

function run(messages: LedgerMessage[], read?: ChatReader): { state: LedgerState; history: LotHistoryEntry[] } {
  const { state, history } = applyMessages(emptyLedger(), messages, read);
  return { state, history };
}
const lotOf = (state: LedgerState, code: string): Lot => state.lots.find((l) => l.code === code)!;

function ok(change: LedgerChange): { lot: Lot; entry: LotHistoryEntry | null } {
  if (!change.ok) throw new Error(`refused: ${change.code} ${change.message}`);
  return change;
}

describe('assignments and their marks', () => {
  test('the first claim gets an assignment at the lot price with fresh marks; each change raises the version', () => {
    const { state, history } = run([host('A1 jacket $45'), viewer('amy', 'sold'), viewer('bob', 'sold')]);
    const a1 = lotOf(state, 'A1');
    expect(a1.assignment).toMatchObject({ id: 'a1', username: 'amy', priceCents: 4500, paid: false, packed: false, shipped: false, state: 'current' });
    expect(a1.version).toBe(3);
    expect(history.map((h) => [h.action, h.by.kind === 'message' ? h.by.username : null, h.after.version])).toEqual([
      ['announce', 'hannah', 1],
      ['claim', 'amy', 2],
      ['waitlist', 'bob', 3],
    ]);
    expect(history[0]!.before).toBeNull();
    expect(history[1]!.before?.winner).toBeNull();
  });

  test('a new winner gets a new assignment with fresh marks; the old one keeps its marks and waits first', () => {
    const { state } = run([host('A1 jacket $45'), viewer('amy', 'sold'), viewer('bob', 'sold'), viewer('cat', 'sold')]);
    const marked = ok(decideCorrection(lotOf(state, 'A1'), { paid: true, packed: true }, { now: at() })).lot;
    expect(marked).toMatchObject({ paid: true, packed: true, assignment: { username: 'amy', paid: true, packed: true } });
    const moved = ok(decideCorrection(marked, { winner: 'cat', version: marked.version }, { now: at(), userId: 'u1' }));
    expect(moved.lot).toMatchObject({ winner: { username: 'cat' }, paid: false, packed: false, shipped: false });
    expect(moved.lot.assignment).toMatchObject({ id: 'a2', username: 'cat', paid: false, packed: false, state: 'current' });
    expect(moved.lot.assignments[0]).toMatchObject({ id: 'a1', username: 'amy', paid: true, packed: true, state: 'replaced' });
    expect(moved.lot.waitlist.map((w) => w.username)).toEqual(['amy', 'bob']);
    expect(moved.entry).toMatchObject({ action: 'assign', by: { kind: 'seller', userId: 'u1' }, reason: 'amy replaced by the seller' });
    // The pick list shows the new winner unpaid; the displaced one is not a buyer any more.
    expect(pickList([moved.lot])).toEqual([expect.objectContaining({ username: 'cat', paid: false, packed: false })]);
    expect(pickListCsv([moved.lot])).toContain('cat,A1,jacket,45.00,pending,false,false,false');
  });

  test('undo of a winner change gives the lot back to the first winner with her marks', () => {
    const { state, history } = run([host('A1 jacket $45'), viewer('amy', 'sold'), viewer('bob', 'sold')]);
    const log = [...history];
    let lot = lotOf(state, 'A1');
    for (const patch of [{ paid: true }, { winner: 'bob' }]) {
      const change = ok(decideCorrection(lot, patch, { now: at() }));
      lot = change.lot;
      log.push(change.entry!);
    }
    expect(lot.assignment).toMatchObject({ username: 'bob', paid: false });
    const undo = ok(decideUndo(lot, log, { now: at() }));
    log.push(undo.entry!);
    expect(undo.lot).toMatchObject({ winner: { username: 'amy' }, paid: true, waitlist: [{ username: 'bob' }], version: lot.version + 1 });
    expect(undo.lot.assignment).toMatchObject({ id: 'a1', username: 'amy', paid: true, state: 'current' });
    expect(undo.entry).toMatchObject({ action: 'undo', before: lot });
    // A second undo takes back the mark; a third has nothing left.
    const second = ok(decideUndo(undo.lot, log, { now: at() }));
    log.push(second.entry!);
    expect(second.lot.assignment).toMatchObject({ username: 'amy', paid: false });
    expect(decideUndo(second.lot, log, { now: at() })).toMatchObject({ ok: false, code: 'nothing_to_undo' });
  });

  test('void and make-winner are undone; chat changing the lot since refuses the undo', () => {
    const { state, history } = run([host('A1 jacket $45'), viewer('amy', 'sold')]);
    const voided = ok(decideCorrection(lotOf(state, 'A1'), { void: true }, { now: at() }));
    expect(voided.lot).toMatchObject({ status: 'void', assignment: { state: 'voided' } });
    expect(summarizeLots([voided.lot], { live: true })).toMatchObject({ void: 1, pending: 0, pendingCents: 0 });
    const back = ok(decideUndo(voided.lot, [...history, voided.entry!], { now: at() }));
    expect(back.lot).toMatchObject({ status: 'open', winner: { username: 'amy' }, assignment: { id: 'a1', state: 'current' } });

    // Make winner (bob from the waitlist), then chat: amy leaves the waitlist. The undo would bring her back: refused.
    const start = run([host('B1 mug $5'), viewer('amy', 'sold'), viewer('bob', 'sold')]);
    const made = ok(decideCorrection(lotOf(start.state, 'B1'), { winner: 'bob' }, { now: at() }));
    expect(ok(decideUndo(made.lot, [...start.history, made.entry!], { now: at() })).lot.winner?.username).toBe('amy');
    const later = applyMessages({ lots: [made.lot], current: 'B1' }, [viewer('amy', 'pass B1')]);
    const refused = decideUndo(lotOf(later.state, 'B1'), [...start.history, made.entry!, ...later.history], { now: at() });
    expect(refused).toMatchObject({ ok: false, code: 'lot_changed', lot: lotOf(later.state, 'B1') });
  });

  test('a correction naming an older version is refused with the current lot; the same version applies', () => {
    const { state } = run([host('A1 jacket $45'), viewer('amy', 'sold')]);
    const seen = lotOf(state, 'A1');
    const first = ok(decideCorrection(seen, { paid: true, version: seen.version }, { now: at() }));
    const second = decideCorrection(first.lot, { winner: 'zed', version: seen.version }, { now: at() });
    expect(second).toMatchObject({ ok: false, code: 'lot_changed', lot: first.lot });
    expect(ok(decideCorrection(first.lot, { winner: 'zed', version: first.lot.version }, { now: at() })).lot.winner?.username).toBe('zed');
  });

  test('marks on a lot without a winner are refused; a correction that changes nothing keeps the version', () => {
    const { state } = run([host('A1 jacket $45')]);
    expect(decideCorrection(lotOf(state, 'A1'), { paid: true }, { now: at() })).toMatchObject({ ok: false, code: 'invalid_body' });
    const same = ok(decideCorrection(lotOf(state, 'A1'), { title: 'jacket' }, { now: at() }));
    expect(same).toEqual({ ok: true, lot: lotOf(state, 'A1'), entry: null });
  });

  test('the host reassigning in chat keeps the displaced winner first on the waitlist, with a reason', () => {
    const { state, history } = run([host('C3 denim $30'), viewer('amy', 'sold'), viewer('bob', 'sold'), host('sold to @bob')]);
    expect(lotOf(state, 'C3')).toMatchObject({ status: 'sold', winner: { username: 'bob' }, waitlist: [{ username: 'amy' }] });
    expect(lotOf(state, 'C3').assignments.map((a) => [a.username, a.state])).toEqual([
      ['amy', 'replaced'],
      ['bob', 'current'],
    ]);
    expect(history.at(-1)).toMatchObject({ action: 'assign', reason: 'amy reassigned by the host' });
  });

  test('a winner withdrawing closes their assignment as withdrawn and the next in line gets a new one', () => {
    const { state, history } = run([host('B7 $5'), viewer('amy', 'sold'), viewer('bob', 'sold'), viewer('amy', 'pass')]);
    expect(lotOf(state, 'B7').assignments.map((a) => [a.username, a.state])).toEqual([
      ['amy', 'withdrawn'],
      ['bob', 'current'],
    ]);
    expect(history.at(-1)).toMatchObject({ action: 'withdraw', reason: 'amy withdrew as winner' });
  });
});

describe('the audit keeps refused claims', () => {
  test('a claim by code after the lot closed is recorded, changes nothing and does not block an undo', () => {
    const { state, history } = run([host('A1 mug $10'), viewer('amy', 'sold'), host('sold!')]);
    const paid = ok(decideCorrection(lotOf(state, 'A1'), { paid: true }, { now: at() }));
    const late = applyMessages({ lots: [paid.lot], current: 'A1' }, [viewer('bob', 'A1 pls'), viewer('cat', 'sold')]);
    expect(late.changed).toEqual([]);
    expect(late.history).toEqual([
      expect.objectContaining({ action: 'refused', by: expect.objectContaining({ username: 'bob' }), reason: "bob's claim came after the lot was sold", before: paid.lot, after: paid.lot }),
    ]);
    const undo = ok(decideUndo(paid.lot, [...history, paid.entry!, ...late.history], { now: at() }));
    expect(undo.lot.paid).toBe(false);
  });

  test('a bid that does not beat the high bid is recorded with the reason', () => {
    const { history } = run([host('A1 jacket'), host('bidding starts at 20'), viewer('amy', '25'), viewer('bob', '25')]);
    expect(history.at(-1)).toMatchObject({ action: 'refused', reason: "bob's bid did not beat 25" });
  });
});

describe('settlement at the end of a show', () => {
  test('each open lot closes: sold to its winner, else unsold; closed lots stay as they are', () => {
    const { state } = run([host('A1 mug $10, A2 plate $12, A3 bowl $8'), viewer('amy', 'A1 pls'), host('void A3')]);
    const now = at();
    const a1 = settleLot(lotOf(state, 'A1'), now)!;
    expect(a1.lot).toMatchObject({ status: 'sold', version: lotOf(state, 'A1').version + 1 });
    expect(a1.entry).toMatchObject({ action: 'settle', by: { kind: 'seller', userId: null }, at: now });
    expect(settleLot(lotOf(state, 'A2'), now)!.lot.status).toBe('unsold');
    expect(settleLot(lotOf(state, 'A3'), now)).toBeNull();
  });

  test('an undo never reopens a settled lot', () => {
    const { state, history } = run([host('A1 mug $10'), viewer('amy', 'sold')]);
    const paid = ok(decideCorrection(lotOf(state, 'A1'), { paid: true }, { now: at() }));
    const settled = settleLot(paid.lot, at())!;
    expect(decideUndo(settled.lot, [...history, paid.entry!, settled.entry], { now: at() })).toMatchObject({ ok: false, code: 'lot_changed' });
  });
});

describe('chat auctions', () => {
  test('as chat writes them (parse.ts): the start, bids in every form, the countdown and the close', () => {
    const { state } = run([
      host('A1 denim jacket'),
      host('bidding starts at 20'),
      viewer('amy', '25'),
      viewer('bob', 'bid 30'),
      viewer('cat', '$35'),
      viewer('dan', "I'll do $40"),
      viewer('eve', 'lol 5'),
      host('going once'),
      host('going twice'),
      host('sold!'),
    ]);
    expect(lotOf(state, 'A1')).toMatchObject({ status: 'sold', priceCents: 4000, winner: { username: 'dan' }, auction: { open: false, bids: 4 } });
    expect(lotOf(state, 'A1').waitlist.map((w) => w.username)).toEqual(['cat', 'bob', 'amy']);
  });

  test('bids raise the price, the highest bid at the close wins, the outbid wait highest first', () => {
    const { state, history } = run(
      [host('A1 denim jacket'), host('bidding starts at 20'), viewer('amy', '25'), viewer('bob', 'bid 30'), viewer('cat', '$35'), viewer('amy', '40'), host('going once'), host('sold!')],
      auctionReader,
    );
    const a1 = lotOf(state, 'A1');
    expect(a1).toMatchObject({ status: 'sold', priceCents: 4000, price: 40, winner: { username: 'amy', bidCents: 4000 }, auction: { open: false, highBidCents: 4000, bids: 4 } });
    expect(a1.waitlist.map((w) => [w.username, w.bidCents])).toEqual([
      ['cat', 3500],
      ['bob', 3000],
    ]);
    expect(a1.assignment).toMatchObject({ username: 'amy', priceCents: 4000 });
    expect(summarizeLots(state.lots, { live: true })).toMatchObject({ sold: 1, revenueCents: 4000, buyers: 1 });
    expect(history.filter((h) => h.action === 'bid').map((h) => h.reason)).toEqual([undefined, 'amy outbid', 'bob outbid', 'cat outbid']);
  });

  test('a bid that does not beat the high bid, under the start, or with no auction open is nothing; claims do not win an auction', () => {
    const { state } = run([host('A1 jacket'), viewer('zed', '15'), host('bidding starts at 20'), viewer('amy', '19'), viewer('bob', '25'), viewer('cat', '25'), viewer('dan', 'sold')], auctionReader);
    const a1 = lotOf(state, 'A1');
    expect(a1.winner).toMatchObject({ username: 'bob', bidCents: 2500 });
    expect(a1.waitlist).toEqual([]);
    expect(a1.auction).toMatchObject({ open: true, bids: 1 });
  });

  test('the winner withdrawing hands the lot to the next highest bid at that bid', () => {
    const { state } = run([host('A1 jacket'), host('bidding starts at 20'), viewer('amy', '25'), viewer('bob', '30'), viewer('bob', 'pass')], auctionReader);
    expect(lotOf(state, 'A1')).toMatchObject({ winner: { username: 'amy' }, priceCents: 2500, assignment: { username: 'amy', priceCents: 2500 } });
  });
});

describe('one count', () => {
  const show = () =>
    run([
      host('A1 jacket $45'),
      viewer('amy', 'sold'),
      host('A2 hat $10'),
      viewer('amy', 'sold'),
      host('A3 scarf $20'),
      host('B1 mug $5, B2 cup $7'),
      viewer('bob', 'B1 pls'),
      viewer('cat', 'B2 pls'),
      viewer('amy', 'B2 pls'),
    ]).state;

  test('live: sold lots are revenue, open lots with a winner pending apart from it', () => {
    expect(summarizeLots(show().lots, { live: true })).toEqual({
      lots: 5,
      sold: 2,
      pending: 2,
      open: 2,
      unsold: 1,
      void: 0,
      buyers: 1,
      pendingBuyers: 2,
      revenueCents: 5500,
      pendingCents: 1200,
      unpriced: 0,
    });
  });

  test('after the show, open lots count as settlement closes them; buyers and counts agree with the pick list', () => {
    const lots = show().lots;
    const settled = lots.map((l) => settleLot(l, at())?.lot ?? l);
    const ended = summarizeLots(lots, { live: false });
    expect(ended).toEqual(summarizeLots(settled, { live: true }));
    expect(ended).toMatchObject({ sold: 4, pending: 0, buyers: 3, revenueCents: 6700 });
    expect(ledgerBuyers(settled, { live: false }).map((b) => [b.username, b.sold, b.totalCents])).toEqual([
      ['amy', 2, 5500],
      ['bob', 1, 500],
      ['cat', 1, 700],
    ]);
    expect(pickList(settled).reduce((sum, b) => sum + b.totalCents, 0)).toBe(ended.revenueCents);
  });

  test('property: revenue is the sum of sold lots prices, buyers the distinct winners of sold lots, whatever the chat and corrections', () => {
    const viewers = ['amy', 'Amy', 'bob', 'cat'];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('announce' as const), code: fc.constantFrom('A1', 'A2', 'B3'), cents: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: null }) }),
      fc.record({ kind: fc.constant('claim' as const), who: fc.constantFrom(...viewers), code: fc.constantFrom('', 'A1 ', 'B3 ') }),
      fc.record({ kind: fc.constant('host' as const), text: fc.constantFrom('next', 'sold!', 'void', 'sold to @cat', 'A1 goes to @bob') }),
      fc.record({ kind: fc.constant('withdraw' as const), who: fc.constantFrom(...viewers) }),
      fc.record({ kind: fc.constant('fix' as const), who: fc.constantFrom(...viewers, null), cents: fc.integer({ min: 0, max: 50_000 }), voided: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.boolean(), (steps, live) => {
        let state = emptyLedger();
        for (const s of steps) {
          if (s.kind === 'fix') {
            const target = state.lots.at(-1);
            if (!target) continue;
            const change = decideCorrection(target, { winner: s.who, priceCents: s.cents, void: s.voided }, { now: at() });
            if (change.ok) state = { ...state, lots: state.lots.map((l) => (l.code === target.code ? change.lot : l)) };
            continue;
          }
          const message =
            s.kind === 'announce'
              ? host(`${s.code} thing${s.cents === null ? '' : ` $${(s.cents / 100).toFixed(2)}`}`)
              : s.kind === 'claim'
                ? viewer(s.who, `${s.code}sold`)
                : s.kind === 'host'
                  ? host(s.text)
                  : viewer(s.who, 'pass');
          state = applyMessages(state, [message]).state;
        }
        const summary = summarizeLots(state.lots, { live });
        const sold = state.lots.filter((l) => l.status === 'sold' || (!live && l.status === 'open' && l.winner));
        expect(summary.revenueCents).toBe(sold.reduce((sum, l) => sum + (l.assignment?.priceCents ?? l.priceCents ?? 0), 0));
        expect(summary.buyers).toBe(new Set(sold.map((l) => l.winner!.username.toLowerCase())).size);
        expect(Number.isInteger(summary.revenueCents)).toBe(true);
        // The marks always belong to the current assignment, and there is at most one.
        for (const lot of state.lots) {
          expect(lot.assignments.filter((a) => a.state === 'current').length).toBeLessThanOrEqual(1);
          expect(lot.paid).toBe(lot.assignment?.paid ?? false);
          if (lot.winner && lot.status !== 'void') expect(lot.assignment?.username.toLowerCase()).toBe(lot.winner.username.toLowerCase());
        }
      }),
      { numRuns: 200 },
    );
  });
});
