import { codeAt, normalizeCode, parseHostMessage, parseViewerMessage, tokens } from './parse.ts';
import { applyMessages, emptyLedger, type LedgerMessage } from './rules.ts';

describe('lot codes', () => {
  test.each([
    ['C3', 'C3'],
    ['b12', 'B12'],
    ['#9', '9'],
    ['#A2', 'A2'],
    ['lot 14', '14'],
    ['item 7', '7'],
    ['Lot #5', '5'],
    ['c03', 'C3'],
  ])('%j reads as code %s', (text, code) => {
    expect(codeAt(tokens(text), 0)?.code).toBe(code);
  });

  test.each(['14', 'x2', 'sz8', '10k', 'hello', '#haul'])('%j is not a code', (text) => {
    expect(codeAt(tokens(text), 0)).toBeUndefined();
  });

  test('numbers lose leading zeros so "#09" and "lot 9" name one lot', () => {
    expect(normalizeCode('09')).toBe('9');
    expect(normalizeCode('a01')).toBe('A1');
  });
});

describe('host announcements', () => {
  test.each([
    ['A1 vintage Levi\'s jacket $45', 'A1', "vintage Levi's jacket", 45],
    ['Lot 14, the denim jacket, 30 dollars', '14', 'denim jacket', 30],
    ['next up C4 band tee 20$', 'C4', 'band tee', 20],
    ['B12 Pokemon booster pack 15 bucks', 'B12', 'Pokemon booster pack', 15],
    ['item 7 starting at 30', '7', null, 30],
    ['#9 Nike dunks size 10, starting at 80', '9', 'Nike dunks size 10', 80],
    ['A2 is up, comment sold to claim', 'A2', null, null],
    ['C5 silk scarf $12.50', 'C5', 'silk scarf', 12.5],
    ['Up next: lot 3 Carhartt chore coat for 55', '3', 'Carhartt chore coat', 55],
  ])('%j announces %s (%j at %j)', (text, code, title, price) => {
    expect(parseHostMessage(text)).toEqual([{ kind: 'announce', code, title, price }]);
  });

  test('the demo host\'s opening line announces its first lot', () => {
    expect(parseHostMessage("Welcome in! Tonight: vintage denim & sneakers. First up A1: Levi's 501 vintage jeans")).toEqual([
      { kind: 'announce', code: 'A1', title: "Levi's 501 vintage jeans", price: null },
    ]);
    expect(parseHostMessage('Next up A2: Nike Air Max 90, $120! Say sold with your size')).toEqual([
      { kind: 'announce', code: 'A2', title: 'Nike Air Max 90', price: 120 },
    ]);
  });

  test('two things in one message: a lot goes to a viewer and the next one is announced', () => {
    expect(parseHostMessage('C3 goes to @amy, next up C4 wool beanie $18')).toEqual([
      { kind: 'assign', code: 'C3', username: 'amy' },
      { kind: 'announce', code: 'C4', title: 'wool beanie', price: 18 },
    ]);
  });

  test('a claim board: several lots in one message', () => {
    expect(parseHostMessage('A1 mug $10; A2 plate $12; A3 bowl $8').map((a) => a.kind === 'announce' && a.code)).toEqual(['A1', 'A2', 'A3']);
  });

  test.each([
    ['sold to @bob!', { kind: 'assign', code: null, username: 'bob' }],
    ['congrats @amy_22', { kind: 'assign', code: null, username: 'amy_22' }],
    ['B7 is yours @zed', { kind: 'assign', code: 'B7', username: 'zed' }],
    ['C3 went to carla', { kind: 'assign', code: 'C3', username: 'carla' }],
    ['next', { kind: 'close', code: null }],
    ['Sold!', { kind: 'close', code: null }],
    ['C3 closed', { kind: 'close', code: 'C3' }],
    ['moving on', { kind: 'close', code: null }],
    ['void C3', { kind: 'void', code: 'C3' }],
    ['scratch that one', { kind: 'void', code: null }],
    ['starting at 30', { kind: 'price', price: 30 }],
  ])('%j reads as %j', (text, action) => {
    expect(parseHostMessage(text)).toEqual([action]);
  });

  test.each(['thanks for the follow!', 'gg everyone', 'we are at 10k followers', 'shipping is combined', '', '🔥🔥🔥', 'lol', '$$$$'])(
    'host chatter %j does nothing',
    (text) => {
      expect(parseHostMessage(text)).toEqual([]);
    },
  );

  test('an unreadable, huge or binary-looking announcement is chatter, never a crash', () => {
    expect(() => parseHostMessage('\u0000'.repeat(10_000))).not.toThrow();
    expect(() => parseHostMessage('A1 '.repeat(5_000))).not.toThrow();
    expect(parseHostMessage('$'.repeat(3000))).toEqual([]);
  });
});

describe('viewer claims', () => {
  test.each([
    ['sold B7', 'B7'],
    ['B7 pls', 'B7'],
    ['claim 12', '12'],
    ['mine #5', '5'],
    ['dibs on lot 9', '9'],
    ['C4 for me', 'C4'],
    ['C3!', 'C3'],
    ["I'll take C3", 'C3'],
    ['sold 7', '7'],
    ['soooold A1', 'A1'],
    ['mine #A1', 'A1'],
    ['SOLD A1 PLEASE', 'A1'],
  ])('%j claims %s', (text, code) => {
    expect(parseViewerMessage(text)).toMatchObject({ kind: 'claim', code });
  });

  test.each(['sold', 'me', 'mine', "I'll take it", 'ill take it', 'me please', 'sold!!!', 'dibs', 'claim', 'I want it', '🙋 me'])(
    'bare %j claims the lot on screen',
    (text) => {
      expect(parseViewerMessage(text)).toEqual({ kind: 'claim', code: null });
    },
  );

  test.each([
    'is it sold out?',
    "I'll take a break",
    'mine came yesterday',
    'sold out already',
    'is C3 still available?',
    'C3 is so cute',
    'me too',
    'not mine',
    'lol',
    'hi everyone',
    'I bought one of these last week and mine broke',
    '',
  ])('%j is not a claim', (text) => {
    expect(parseViewerMessage(text)).toBeUndefined();
  });

  test('a number right after a claim word is a loose code: a lot if one has it, else a quantity', () => {
    expect(parseViewerMessage('sold 2 size M')).toEqual({ kind: 'claim', code: '2', size: 'M', loose: true });
  });

  test('quantity and size are kept', () => {
    expect(parseViewerMessage('sold B7 x2')).toEqual({ kind: 'claim', code: 'B7', quantity: 2 });
    expect(parseViewerMessage('C4 size M pls')).toEqual({ kind: 'claim', code: 'C4', size: 'M' });
    expect(parseViewerMessage('sold xl')).toEqual({ kind: 'claim', code: null, size: 'XL' });
    expect(parseViewerMessage('add me 2x')).toEqual({ kind: 'claim', code: null, quantity: 2 });
    expect(parseViewerMessage('sold 2xl')).toEqual({ kind: 'claim', code: null, size: '2XL' });
  });

  test.each([
    ['waitlist', null],
    ['waitlist me', null],
    ['add me to the waitlist for C3', 'C3'],
    ['backup on B7 pls', 'B7'],
  ])('%j asks for the waitlist', (text, code) => {
    expect(parseViewerMessage(text)).toEqual({ kind: 'waitlist', code });
  });

  test.each([
    ['pass', null],
    ['cancel', null],
    ['cancel C3', 'C3'],
    ["I'll pass", null],
    ['nvm', null],
  ])('%j withdraws', (text, code) => {
    expect(parseViewerMessage(text)).toEqual({ kind: 'withdraw', code });
  });
});

describe('usernames as chat writes them (issue 25)', () => {
  test.each([
    ['A1 sold to jess_k!', { kind: 'assign', code: 'A1', username: 'jess_k' }],
    ['sold to @jess_k!', { kind: 'assign', code: null, username: 'jess_k' }],
    ['congrats jess_k', { kind: 'assign', code: null, username: 'jess_k' }],
    ['congrats to @kay.b_22', { kind: 'assign', code: null, username: 'kay.b_22' }],
    ['congrats jess-k on A3', { kind: 'assign', code: 'A3', username: 'jess-k' }],
    ['B2 goes to m1ke_99.', { kind: 'assign', code: 'B2', username: 'm1ke_99' }],
    ['sold to @ana.m3 for $85!', { kind: 'assign', code: null, username: 'ana.m3' }],
  ])('%j reads as %j', (text, action) => {
    expect(parseHostMessage(text)).toEqual([action]);
  });

  test.each(['congrats everyone', 'congrats to the winner', 'congrats!!', 'congrats all on a great show'])('%j names no winner', (text) => {
    expect(parseHostMessage(text).filter((a) => a.kind === 'assign')).toEqual([]);
  });

  test('a handle is one token; a sentence dot and a spaced dash still separate', () => {
    expect(tokens('sold to @kay.b_22.').map((t) => t.raw)).toEqual(['sold', 'to', '@kay.b_22', '.']);
    expect(tokens('A1 - sold. next').map((t) => t.raw)).toEqual(['A1', '-', 'sold', '.', 'next']);
  });
});

describe('chat auctions (issue 25)', () => {
  test.each([
    ['bidding starts at 20', [{ kind: 'auction', code: null, startPrice: 20 }]],
    ['starting bid 20', [{ kind: 'auction', code: null, startPrice: 20 }]],
    ['auction A1 starts at $15', [{ kind: 'auction', code: 'A1', startPrice: 15 }]],
    ['bidding is open!', [{ kind: 'auction', code: null, startPrice: null }]],
    [
      'B1 vintage Nike windbreaker, bidding starts at 25',
      [
        { kind: 'announce', code: 'B1', title: 'vintage Nike windbreaker', price: null },
        { kind: 'auction', code: 'B1', startPrice: 25 },
      ],
    ],
    ['going once', [{ kind: 'going', code: null, count: 1 }]],
    ['going twice on A1', [{ kind: 'going', code: 'A1', count: 2 }]],
    ['going once... going twice!', [{ kind: 'going', code: null, count: 2 }]],
    ['going three times', [{ kind: 'going', code: null, count: 3 }]],
  ])('the host\'s %j reads as %j', (text, actions) => {
    expect(parseHostMessage(text)).toEqual(actions);
  });

  test.each(['bid in the app please', 'no bids yet?', 'going to do a giveaway soon', 'we are going live tomorrow'])(
    'the host\'s %j starts no auction',
    (text) => {
      expect(parseHostMessage(text).filter((a) => a.kind === 'auction' || a.kind === 'going')).toEqual([]);
    },
  );

  test.each([
    ['25', null, 25],
    ['bid 30', null, 30],
    ['$35', null, 35],
    ['30!', null, 30],
    ["I'll do $40", null, 40],
    ['i\u2019ll go 50', null, 50],
    ['55 bid', null, 55],
    ['$60 from me', null, 60],
    ['my bid 80', null, 80],
    ['85 here', null, 85],
    ['30.5', null, 30.5],
    ['bid 30 on A1', 'A1', 30],
    ['40 bucks', null, 40],
  ])('a viewer\'s %j is a bid candidate on %j of %d', (text, code, amount) => {
    expect(parseViewerMessage(text)).toEqual({ kind: 'bid', code, amount });
  });

  test.each(['the bid is at 30', "I'm 25 lol", '25 minutes til the giveaway', '0', 'bid 30 or 40', 'outbid again', 'sold 2 size M'])(
    '%j is no bid',
    (text) => {
      expect(parseViewerMessage(text)?.kind).not.toBe('bid');
    },
  );
});

describe('claims in every order, with quantities and sizes (issue 25)', () => {
  test.each([
    ['A1 for me', { kind: 'claim', code: 'A1' }],
    ['me A1', { kind: 'claim', code: 'A1' }],
    ['A1 mine pls', { kind: 'claim', code: 'A1' }],
    ['mine A1', { kind: 'claim', code: 'A1' }],
    ['A3 in M pls', { kind: 'claim', code: 'A3', size: 'M' }],
    ['put me down for 2', { kind: 'claim', code: null, quantity: 2 }],
    ['2 for me', { kind: 'claim', code: null, quantity: 2 }],
    ["I'll take two", { kind: 'claim', code: null, quantity: 2 }],
    ['take my money', { kind: 'claim', code: null }],
    ['shut up and take my money!!', { kind: 'claim', code: null }],
    ['ME! sold', { kind: 'claim', code: null }],
    ['copping that', { kind: 'claim', code: null }],
    ['\u{1F64B} mine', { kind: 'claim', code: null }],
    ['count me in', { kind: 'claim', code: null }],
    ["i'm in for A2", { kind: 'claim', code: 'A2' }],
  ])('%j reads as %j', (text, action) => {
    expect(parseViewerMessage(text)).toEqual(action);
  });

  test.each(['sold out?', 'is that sold?', 'I sold mine last year', 'not mine', 'mine came yesterday', 'she said sold lol', 'how much?', 'I copped these last year', 'put it down'])(
    'the look-alike %j is not a claim',
    (text) => {
      expect(parseViewerMessage(text)).toBeUndefined();
    },
  );

  test('a bare number is a bid candidate, not a claim: the rules take it only while an auction is open', () => {
    expect(parseViewerMessage('14')).toEqual({ kind: 'bid', code: null, amount: 14 });
  });
});

test('through the ledger: the host\'s "A1 sold to jess_k!" makes jess_k the winner, not "jess"; "A1 for me" claims A1', () => {
  let n = 0;
  const msg = (author: string, text: string, host = false): LedgerMessage => ({ id: `m${++n}`, author, text, at: new Date(Date.UTC(2026, 0, 1, 20, 0, n)).toISOString(), host });
  const { state } = applyMessages(emptyLedger(), [
    msg('hannah', 'A1 denim jacket $40, A2 beanie $15', true),
    msg('amy', 'A2 for me'),
    msg('hannah', 'A1 sold to jess_k!', true),
    msg('bob', 'me A2'),
  ]);
  expect(state.lots.map((l) => [l.code, l.status, l.winner?.username, l.waitlist.map((w) => w.username)])).toEqual([
    ['A1', 'sold', 'jess_k', []],
    ['A2', 'open', 'amy', ['bob']],
  ]);
});
