import { applyCorrection, csvCell, lotsCsv, pickList, pickListCsv } from './corrections.ts';
import { applyMessages, emptyLedger, isHostAuthor, openLots, type LedgerMessage, type LedgerState } from './rules.ts';

let n = 0;
const at = () => new Date(Date.UTC(2026, 0, 1, 20, 0, n)).toISOString();
const host = (text: string): LedgerMessage => ({ id: `m${++n}`, author: 'hannah', text, at: at(), host: true });
const viewer = (author: string, text: string): LedgerMessage => ({ id: `m${++n}`, author, text, at: at(), host: false });

function run(...messages: LedgerMessage[]): LedgerState {
  return applyMessages(emptyLedger(), messages).state;
}
const lot = (state: LedgerState, code: string) => state.lots.find((l) => l.code === code)!;

describe('claims ledger', () => {
  test('the first valid claim wins, later ones wait in order', () => {
    const s = run(host('A1 vintage jacket $45'), viewer('amy', 'sold'), viewer('bob', 'A1 pls'), viewer('cat', 'mine'));
    expect(lot(s, 'A1')).toMatchObject({ title: 'vintage jacket', price: 45, status: 'open', winner: { username: 'amy' } });
    expect(lot(s, 'A1').waitlist.map((w) => w.username)).toEqual(['bob', 'cat']);
  });

  test('the winner repeating the claim is not a second claim, nor is a waitlisted viewer repeating', () => {
    const first = applyMessages(emptyLedger(), [host('A1 $10'), viewer('amy', 'sold'), viewer('bob', 'sold')]);
    const again = applyMessages(first.state, [viewer('amy', 'SOLD!!'), viewer('Bob', 'sold A1')]);
    expect(lot(again.state, 'A1').winner?.username).toBe('amy');
    expect(lot(again.state, 'A1').waitlist.map((w) => w.username)).toEqual(['bob']);
    expect(again.changed).toEqual([]);
    expect([...again.claims.values()]).toEqual([
      { code: 'A1', role: 'winner', repeat: true },
      { code: 'A1', role: 'waitlist', repeat: true },
    ]);
  });

  test('a bare claim goes to the lot announced most recently while it is open', () => {
    const s = run(host('A1 mug $10'), host('A2 plate $12'), viewer('amy', 'me'));
    expect(lot(s, 'A1').status).toBe('unsold');
    expect(lot(s, 'A2').winner?.username).toBe('amy');
  });

  test('a bare claim after the host closed the lot claims nothing', () => {
    const step = applyMessages(emptyLedger(), [host('A1 mug $10'), host('next'), viewer('amy', 'sold')]);
    expect(lot(step.state, 'A1')).toMatchObject({ status: 'unsold', winner: null });
    expect(step.claims.size).toBe(0);
  });

  test('a claim by code names any open lot of a claim board', () => {
    const s = run(host('A1 mug $10, A2 plate $12, A3 bowl $8'), viewer('amy', 'A2 pls'), viewer('bob', 'dibs A3'), viewer('cat', 'sold A1'));
    expect(s.lots.map((l) => [l.code, l.winner?.username])).toEqual([
      ['A1', 'cat'],
      ['A2', 'amy'],
      ['A3', 'bob'],
    ]);
  });

  test('claims on a lot never announced, and look-alike chatter, change nothing', () => {
    const step = applyMessages(emptyLedger(), [host('A1 $10'), viewer('amy', 'sold Z9'), viewer('bob', 'is it sold out?'), viewer('cat', "I'll take a break")]);
    expect(lot(step.state, 'A1').winner).toBeNull();
    expect(step.claims.size).toBe(0);
  });

  test('the host closes a lot by assigning it and announces the next in one message; the displaced winner waits first', () => {
    const s = run(host('C3 denim $30'), viewer('amy', 'sold'), viewer('bob', 'sold'), host('C3 goes to @bob, next up C4 wool beanie $18'));
    expect(lot(s, 'C3')).toMatchObject({ status: 'sold', winner: { username: 'bob' }, waitlist: [{ username: 'amy' }] });
    expect(lot(s, 'C4')).toMatchObject({ status: 'open', title: 'wool beanie', price: 18 });
    expect(s.current).toBe('C4');
  });

  test('a reassigned winner keeps their own claim message as evidence', () => {
    const start = run(host('C3 $30'), viewer('amy', 'sold'), viewer('bob', 'sold'));
    const bobClaim = lot(start, 'C3').waitlist[0]!.messageId;
    const s = applyMessages(start, [host('sold to @bob')]).state;
    expect(lot(s, 'C3').winner).toMatchObject({ username: 'bob', messageId: bobClaim });
  });

  test('the same code announced again starts a new lot, never merges two', () => {
    const s = run(host('A1 jacket $45'), viewer('amy', 'sold'), host('A2 hat $10'), host('A1 second jacket $40'), viewer('bob', 'sold A1'));
    expect(s.lots.map((l) => l.code)).toEqual(['A1', 'A2', 'A1 (2)']);
    expect(lot(s, 'A1')).toMatchObject({ status: 'sold', winner: { username: 'amy' } });
    expect(lot(s, 'A1 (2)')).toMatchObject({ baseCode: 'A1', price: 40, winner: { username: 'bob' } });
  });

  test('repeating the announcement of the lot on screen fills in its price', () => {
    const s = run(host('A1 is up'), host('A1 vintage jacket, starting at 45'));
    expect(s.lots).toHaveLength(1);
    expect(lot(s, 'A1')).toMatchObject({ title: 'vintage jacket', price: 45 });
  });

  test('"pass" from the winner hands the lot to the first waitlisted viewer; from the waitlist it leaves', () => {
    const s = run(host('B7 $5'), viewer('amy', 'sold'), viewer('bob', 'sold'), viewer('cat', 'sold'), viewer('bob', 'cancel'), viewer('amy', 'pass'));
    expect(lot(s, 'B7').winner?.username).toBe('cat');
    expect(lot(s, 'B7').waitlist).toEqual([]);
  });

  test('a waitlist request joins the waitlist, even of a sold lot', () => {
    const s = run(host('B7 $5'), viewer('amy', 'sold'), host('sold!'), viewer('bob', 'waitlist B7'), viewer('cat', 'sold'));
    expect(lot(s, 'B7')).toMatchObject({ status: 'sold', winner: { username: 'amy' } });
    expect(lot(s, 'B7').waitlist.map((w) => w.username)).toEqual(['bob']);
  });

  test('"sold 2 size M" with no lot 2 claims two of the lot on screen; with a lot 2 it claims that lot', () => {
    const s = run(host('A1 tee $20'), viewer('amy', 'sold 2 size M'));
    expect(lot(s, 'A1').winner).toMatchObject({ username: 'amy', quantity: 2, size: 'M' });
    const t = run(host('lot 2 mug $5, lot 3 cup $4'), viewer('amy', 'sold 2'));
    expect(lot(t, '2').winner?.username).toBe('amy');
  });

  test('quantity and size travel with the claim', () => {
    const s = run(host('C4 tee $20'), viewer('amy', 'C4 size M x2'));
    expect(lot(s, 'C4').winner).toMatchObject({ username: 'amy', quantity: 2, size: 'M' });
  });

  test('the host voids a lot in chat; a void lot takes no claims', () => {
    const s = run(host('C4 tee $20'), host('void C4'), viewer('amy', 'sold C4'));
    expect(lot(s, 'C4')).toMatchObject({ status: 'void', winner: null });
    expect(openLots(s)).toEqual([]);
  });

  test('a viewer writing an announcement announces nothing', () => {
    const s = run(viewer('troll', 'A1 free iphone $1'), viewer('amy', 'sold A1'));
    expect(s.lots).toEqual([]);
  });

  test('the input state is not modified', () => {
    const s = run(host('A1 $10'));
    const frozen = JSON.stringify(s);
    applyMessages(s, [viewer('amy', 'sold'), host('void A1')]);
    expect(JSON.stringify(s)).toBe(frozen);
  });

  test('the host is known by badge or by the seller names given at start', () => {
    expect(isHostAuthor('hannah', ['owner'], [])).toBe(true);
    expect(isHostAuthor('Hannah', [], ['@hannah'], 'whatnot')).toBe(true);
    expect(isHostAuthor('bob', ['moderator'], ['hannah'])).toBe(false);
  });

  test("a host name matches exactly after the platform's own normalization; a typed '@' is a viewer", () => {
    // Twitch, Kick, TikTok and Whatnot logins are lower-case handles: any case is the same login.
    for (const platform of ['twitch', 'kick', 'tiktok', 'whatnot']) expect(isHostAuthor('HANNAH', [], ['hannah'], platform)).toBe(true);
    // YouTube display names are not handles: case matters.
    expect(isHostAuthor('HANNAH', [], ['hannah'], 'youtube')).toBe(false);
    expect(isHostAuthor('Hannah', [], ['Hannah'], 'youtube')).toBe(true);
    for (const platform of ['twitch', 'youtube', 'whatnot', undefined]) expect(isHostAuthor('@hannah', [], ['hannah'], platform)).toBe(false);
    expect(isHostAuthor('hannah2', [], ['hannah'], 'twitch')).toBe(false);
  });
});

describe('corrections and pick list', () => {
  const show = () => run(host('A1 jacket $45'), viewer('amy', 'sold'), viewer('bob', 'sold'), host('A2 hat $10'), viewer('amy', 'sold'), host('A3 scarf'), viewer('cat', 'sold'));

  test('the seller sets the winner, price, waitlist and void', () => {
    const s = show();
    const now = at();
    const a1 = applyCorrection(lot(s, 'A1'), { winner: 'bob', price: 40 }, now);
    expect(a1).toMatchObject({ winner: { username: 'bob' }, price: 40, priceCents: 4000, waitlist: [{ username: 'amy' }] });
    expect(applyCorrection(a1, { waitlist: ['@dan', 'bob', 'dan'] }, now).waitlist.map((w) => w.username)).toEqual(['dan']);
    const voided = applyCorrection(lot(s, 'A2'), { void: true }, now);
    expect(voided.status).toBe('void');
    expect(applyCorrection(voided, { void: false }, now).status).toBe('sold');
    expect(applyCorrection(applyCorrection(lot(s, 'A1'), { winner: null }, now), {}, now).status).toBe('unsold');
    expect(applyCorrection(lot(s, 'A1'), { winner: null }, now).winner).toBeNull();
  });

  test('a pick list per buyer with prices and a total, void lots left out', () => {
    const s = show();
    const lots = s.lots.map((l) => (l.code === 'A3' ? applyCorrection(l, { paid: true }, at()) : l));
    expect(pickList(lots)).toEqual([
      expect.objectContaining({ username: 'amy', total: 55, unpriced: 0, lots: [expect.objectContaining({ code: 'A1' }), expect.objectContaining({ code: 'A2' })] }),
      expect.objectContaining({ username: 'cat', total: 0, unpriced: 1, paid: true }),
    ]);
    const withVoid = lots.map((l) => (l.code === 'A2' ? applyCorrection(l, { void: true }, at()) : l));
    expect(pickList(withVoid)[0]!.total).toBe(45);
  });

  test('CSV by buyer and by lot; chat text never becomes a formula', () => {
    const s = run(host('A1 $5'), viewer('=cmd', 'sold'));
    s.lots[0] = applyCorrection(s.lots[0]!, { title: '=HYPERLINK("x")' }, at());
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    const byBuyer = pickListCsv(s.lots);
    expect(byBuyer.split('\r\n')[0]).toBe('buyer,lot,title,price,status,paid,packed,shipped');
    expect(byBuyer).toContain(`"'=cmd",A1,"'=HYPERLINK(""x"")",5.00,pending,false,false,false`);
    expect(lotsCsv(s.lots).split('\r\n')[1]).toMatch(/^A1,/);
  });
});
