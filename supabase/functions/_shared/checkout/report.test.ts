import type { Lot, LotClaim } from '../ledger/sale.ts';
import { defaultCheckoutSettings } from './settings.ts';
import { buildShowReport, perMinuteSvg, type ReportInput } from './report.ts';
import { draftProblems, templateFollowUps } from './followups.ts';

const at = '2026-12-01T18:00:00.000Z';
const claim = (username: string): LotClaim => ({ username, messageId: `m-${username}`, at });

function lot(code: string, status: Lot['status'], winner: string | null, priceCents: number | null, waitlist: string[] = [], title = `item ${code}`): Lot {
  const assignment = winner ? { id: 'a1', username: winner, messageId: `m-${winner}`, at, priceCents, paid: false, packed: false, shipped: false, state: 'current' as const } : null;
  return {
    code,
    baseCode: code,
    title,
    priceCents,
    price: priceCents === null ? null : priceCents / 100,
    status,
    winner: winner ? claim(winner) : null,
    waitlist: waitlist.map(claim),
    assignment,
    assignments: assignment ? [assignment] : [],
    paid: false,
    packed: false,
    shipped: false,
    version: 1,
    announcedBy: 'host',
    announcedAt: at,
    ord: 1,
  };
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    sessionId: 's1',
    title: 'Friday drop',
    startedAt: at,
    endedAt: '2026-12-01T19:00:00.000Z',
    live: false,
    lots: [
      lot('A1', 'sold', 'amy', 4500, ['bob', 'cy']),
      lot('B7', 'sold', 'dee', 8000, ['amy']),
      lot('C3', 'unsold', null, 3000),
      lot('D5', 'void', 'eve', 6500, ['fay']),
      lot('E2', 'sold', 'amy', null),
    ],
    perMinute: [
      { minute: 0, messages: 12, claims: 2 },
      { minute: 2, messages: 30, claims: 5 },
    ],
    interested: [
      { username: 'gus', messages: [{ messageId: 'g1', text: 'is C3 still available?', at }] },
      { username: 'bob', messages: [{ messageId: 'b1', text: 'want A1', at }] },
      { username: 'amy', messages: [{ messageId: 'a9', text: 'me too', at }] },
    ],
    questions: [
      { messageId: 'q1', username: 'hal', text: 'when do you ship?', at, answer: 'Tuesdays.', status: 'sent' },
      { messageId: 'q2', username: 'ivy', text: 'any stains?', at, answer: null, status: 'unanswered' },
    ],
    ...over,
  };
}

describe('the show report', () => {
  test('counts from the ledger, the average over priced sold lots, and per-minute chat with gaps filled', () => {
    const r = buildShowReport(input());
    expect(r.summary).toMatchObject({ sold: 3, unsold: 1, void: 1, buyers: 2, revenueCents: 12_500, unpriced: 1 });
    expect(r.averagePriceCents).toBe(6250);
    expect(r.perMinute).toEqual([
      { minute: 0, messages: 12, claims: 2 },
      { minute: 1, messages: 0, claims: 0 },
      { minute: 2, messages: 30, claims: 5 },
    ]);
    expect([r.messages, r.claims]).toEqual([42, 7]);
    expect(r.topBuyers).toEqual([
      { username: 'dee', lots: 1, totalCents: 8000 },
      { username: 'amy', lots: 2, totalCents: 4500 },
    ]);
  });

  test('waitlisted viewers who won nothing (a voided lot\u2019s waitlist aside), interested viewers with no sale, questions split', () => {
    const r = buildShowReport(input());
    expect(r.waitlistedWithout).toEqual([
      { username: 'bob', lots: ['A1'] },
      { username: 'cy', lots: ['A1'] },
    ]);
    // bob is already followed up as waitlisted, amy bought: only gus is left.
    expect(r.interestedWithout.map((v) => v.username)).toEqual(['gus']);
    expect(r.unanswered.map((q) => q.messageId)).toEqual(['q2']);
    expect(r.answered.map((q) => q.messageId)).toEqual(['q1']);
  });

  test('while live, open lots with a winner are pending, not revenue', () => {
    const r = buildShowReport(input({ live: true, lots: [lot('A1', 'open', 'amy', 4500), lot('B7', 'sold', 'dee', 8000)] }));
    expect(r.summary).toMatchObject({ sold: 1, pending: 1, revenueCents: 8000, pendingCents: 4500 });
  });

  test('the chart reads in black and white: two line styles, labels, a title and a description, labels escaped', () => {
    const svg = perMinuteSvg(buildShowReport(input()).perMinute, { title: 'Chat <b>&</b> claims' });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).not.toMatch(/stroke="(?!#111|#bbb)/);
    expect(svg).toContain('<title id="chart-title">Chat &lt;b&gt;&amp;&lt;/b&gt; claims</title>');
    expect(svg).toContain('42 messages and 7 claims over 3 minutes; the busiest minute had 30.');
    expect(svg.match(/<path /g)).toHaveLength(2);
  });

  test('an empty show still draws', () => {
    expect(perMinuteSvg([])).toContain('0 messages and 0 claims over 0 minutes');
  });
});

describe('follow-ups', () => {
  const settings = { ...defaultCheckoutSettings("Hannah's Vintage"), shipping: { kind: 'free' as const } };

  test('a draft for each waitlisted viewer left without and each interested viewer with no sale', () => {
    const r = buildShowReport(input());
    const drafts = templateFollowUps(r, input().lots, settings);
    expect(drafts.map((d) => [d.username, d.kind, d.lots])).toEqual([
      ['bob', 'waitlisted', ['A1']],
      ['cy', 'waitlisted', ['A1']],
      ['gus', 'interested', ['C3']],
    ]);
    expect(drafts[0]!.draft).toContain('A1 (item A1) went to another buyer');
    expect(drafts[2]!.draft).toContain('C3 (item C3) at $30.00');
    expect(drafts[2]!.said).toEqual(['is C3 still available?']);
  });

  test('a model draft with a price or a promise the facts do not hold is refused', () => {
    const facts = { text: "C3 band tee bundle. Shipping ships Tuesdays. Returns: all sales final. gus", amounts: ['$30.00'] };
    expect(draftProblems('Hi gus, C3 is still $30.00 if you want it. It ships Tuesdays.', facts)).toEqual([]);
    expect(draftProblems('Hi gus, C3 is yours for $25 with free shipping!', facts)).toEqual(['number not in the facts: 25', 'promise not in the facts: free shipping']);
    expect(draftProblems('I can hold it for you until Friday, 10% off', facts)).toEqual(
      expect.arrayContaining(['number not in the facts: 10', 'promise not in the facts: 10% off', 'promise not in the facts: hold it for you']),
    );
    expect(draftProblems('pay here https://evil.example', facts)).toEqual(['a link not in the facts']);
  });
});
