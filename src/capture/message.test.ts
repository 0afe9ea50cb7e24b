import fc from 'fast-check';
import { hostileText, isWellFormed } from '../../test/support/hostile-text.ts';
import { buildChatMessage, type CapturedMessage } from './message.ts';

const at = '2026-03-10T18:00:00.000Z';
const base = (over: Partial<CapturedMessage> = {}): CapturedMessage => ({
  platform: 'kick',
  id: 'k1',
  author: { name: 'Ann', id: '7', badges: ['Broadcaster'] },
  text: 'hi',
  capturedAt: at,
  ...over,
});

describe('buildChatMessage', () => {
  it('cleans every field the same way for every capture path', () => {
    const message = buildChatMessage(
      base({
        id: '  k\u00071 ',
        author: { name: ' Ann\u0000 ', id: ' 7 ', badges: ['Broadcaster', 'mod', 'broadcaster'] },
        text: `a\u0007b  c${' x'.repeat(3_000)}`,
        backfill: true,
      }),
    );
    expect(message).toMatchObject({ id: 'k1', platform: 'kick', author: { name: 'Ann', id: '7', badges: ['owner', 'moderator'] }, backfill: true });
    expect(message!.text.startsWith('ab c x')).toBe(true);
    expect(message!.text).toHaveLength(2_000);
    expect(buildChatMessage(base({ author: { name: 'x'.repeat(500) } }))!.author.name).toHaveLength(200);
    expect(buildChatMessage(base({ id: 'i'.repeat(500) }))!.id).toHaveLength(200);
    expect(buildChatMessage(base({ author: { name: 'Ann', badges: ['constructor', '__proto__'] } }))!.author.badges).toEqual(['constructor', '__proto__']);
  });

  it('clips a 1,999-character text or a 199-character name ending in an emoji before the emoji, never inside it', () => {
    const message = buildChatMessage(base({ author: { name: `${'n'.repeat(199)}😀` }, text: `${'x'.repeat(1_999)}😀` }))!;
    expect(message.text).toBe('x'.repeat(1_999));
    expect(message.author.name).toBe('n'.repeat(199));
    expect(buildChatMessage(base({ text: `${'x'.repeat(1_998)}👍🏽` }))!.text).toBe('x'.repeat(1_998));
    expect(buildChatMessage(base({ text: `${'x'.repeat(1_998)}😀` }))!.text).toBe(`${'x'.repeat(1_998)}😀`);
  });

  it('any field a platform hands over comes out storable: no NUL, no lone surrogate', () => {
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, hostileText, (name, text, id, badge) => {
        const message = buildChatMessage(base({ id: `k${id}`, author: { name, id, badges: [badge] }, text, paid: { amount: 1, currency: badge, display: name } }));
        const json = JSON.stringify(message);
        // What jsonb refuses: the escapes JSON.stringify writes for NUL and for a lone surrogate.
        expect(json).not.toMatch(/\\u(0000|d[89a-f])/i);
        expect(isWellFormed(json)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out what is not there instead of carrying empty fields', () => {
    const message = buildChatMessage(base({ author: { name: 'Ann', id: '  ' } }))!;
    expect(Object.keys(message.author)).toEqual(['name', 'badges']);
    expect(message).not.toHaveProperty('sentAt');
    expect(message).not.toHaveProperty('kind');
    expect(message).not.toHaveProperty('paid');
    expect(message.backfill).toBe(false);
    expect(buildChatMessage(base({ sentAt: '2026-01-01T00:00:00.000Z', kind: 'membership' }))).toMatchObject({
      sentAt: '2026-01-01T00:00:00.000Z',
      kind: 'membership',
    });
  });

  it('drops a message without a usable id', () => {
    expect(buildChatMessage(base({ id: '' }))).toBeUndefined();
    expect(buildChatMessage(base({ id: ' \u0007 ' }))).toBeUndefined();
    expect(buildChatMessage(base({ id: undefined }))).toBeUndefined();
  });

  it('drops a message with nothing to show only when asked (network frames)', () => {
    const empty = base({ author: { name: ' ' }, text: '' });
    expect(buildChatMessage(empty, { requireContent: true })).toBeUndefined();
    expect(buildChatMessage(empty)).toMatchObject({ author: { name: '' }, text: '' });
    expect(buildChatMessage({ ...empty, paid: { amount: 5 } }, { requireContent: true })).toMatchObject({ paid: { amount: 5, currency: 'USD' } });
    expect(buildChatMessage({ ...empty, paid: { amount: Number.NaN } }, { requireContent: true })).toBeUndefined();
  });

  it('shows the author id for a missing name only when asked (YouTube API)', () => {
    const nameless = base({ author: { name: '', id: 'UC-x' } });
    expect(buildChatMessage(nameless, { nameFromAuthorId: true })!.author).toEqual({ name: 'UC-x', id: 'UC-x', badges: [] });
    expect(buildChatMessage(nameless)!.author.name).toBe('');
  });

  it('takes amounts as numbers, defaulting the currency to USD and cleaning the display', () => {
    expect(buildChatMessage(base({ kind: 'paid', paid: { amount: 1.5, currency: 'EUR', display: ' €1,50 ' } }))!.paid).toEqual({
      amount: 1.5,
      currency: 'EUR',
      display: '€1,50',
    });
    expect(buildChatMessage(base({ paid: { amount: 100, currency: '', display: '  ' } }))!.paid).toEqual({ amount: 100, currency: 'USD' });
    expect(buildChatMessage(base({ paid: { amount: 2, currency: 'BITS-AND-MORE-CURRENCY' } }))!.paid!.currency).toBe('BITS-AND-M');
    // An amount given as numbers keeps the parser's kind (none here): only a page row's text implies one.
    expect(buildChatMessage(base({ paid: { amount: 2 } }))).not.toHaveProperty('kind');
  });

  it('parses an amount read from a page and makes the row a paid message', () => {
    expect(buildChatMessage(base({ paid: 'CA$10.00' }))).toMatchObject({ kind: 'paid', paid: { amount: 10, currency: 'CAD', display: 'CA$10.00' } });
    const unreadable = buildChatMessage(base({ paid: 'free' }))!;
    expect(unreadable).not.toHaveProperty('paid');
    expect(unreadable).not.toHaveProperty('kind');
    expect(buildChatMessage(base({ paid: '$5', kind: 'sticker' }))).toMatchObject({ kind: 'sticker', paid: { amount: 5 } });
  });
});
