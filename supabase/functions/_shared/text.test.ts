import fc from 'fast-check';
import { hostileText, isWellFormed } from '../../../test/support/hostile-text.ts';
import { clipText, MAX_AUTHOR_LENGTH, MAX_TEXT_LENGTH, sanitizeText, scrubText } from './text.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Every grapheme boundary of a text (0 and its length included), segmenting the whole of it. */
function boundaries(text: string): Set<number> {
  const out = new Set([text.length]);
  for (const { index } of graphemes.segment(text)) out.add(index);
  return out;
}

describe('scrubText', () => {
  test('removes NUL and lone surrogates and keeps everything else where it was', () => {
    expect(scrubText('line 1\n\tline\u00002  \r\n😀\ud800x\udc00y')).toBe('line 1\n\tline2  \r\n😀xy');
    expect(scrubText(42)).toBe('');
  });

  test('any string comes out well-formed, without NUL, unchanged when scrubbed again', () => {
    fc.assert(
      fc.property(hostileText, (raw) => {
        const out = scrubText(raw);
        expect(isWellFormed(out)).toBe(true);
        expect(out.includes('\u0000')).toBe(false);
        expect(scrubText(out)).toBe(out);
        // Nothing but NUL and lone halves goes: a well-formed text without NUL is left as it is.
        if (isWellFormed(raw) && !raw.includes('\u0000')) expect(out).toBe(raw);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('clipText', () => {
  test('drops an emoji that does not fit whole, never half of it', () => {
    expect(clipText(`${'x'.repeat(1_999)}😀`, 2_000)).toBe('x'.repeat(1_999));
    expect(clipText(`${'x'.repeat(1_998)}😀`, 2_000)).toBe(`${'x'.repeat(1_998)}😀`);
    expect(clipText(`ab👩‍👩‍👧‍👦`, 8)).toBe('ab');
    expect(clipText('cafe\u0301s', 4)).toBe('caf');
    expect(clipText('🇫🇷🇺🇸🇬🇧', 10)).toBe('🇫🇷🇺🇸');
  });

  test('far from any plain letter: flags stay paired, and only a cluster longer than the window is cut inside', () => {
    const flags = '🇫🇷'.repeat(100);
    for (const max of [101, 102, 103, 150, 399]) expect(clipText(flags, max).length).toBe(Math.floor(max / 4) * 4);
    expect(clipText(`x${'🇫🇷'.repeat(50)}`, 103)).toBe(`x${'🇫🇷'.repeat(25)}`);
    const zalgo = `a${'\u0301'.repeat(100)}`;
    expect(clipText(zalgo, 80)).toBe(zalgo.slice(0, 80));
    expect(clipText(`ok ${'😀'.repeat(60)}`, 100)).toBe(`ok ${'😀'.repeat(48)}`);
  });

  test('emoji-only text, where no plain letter is near the cut, is cut on a boundary too', () => {
    const emoji = fc.array(fc.constantFrom('😀', '👩‍👩‍👧‍👦', '🇫🇷', '🇺', '👍🏽', '\u200d', '\ufe0f', '\u0301', '❤️', '1️⃣'), { maxLength: 150 });
    fc.assert(
      fc.property(emoji, fc.integer({ min: 0, max: 400 }), (parts, max) => {
        const raw = parts.join('');
        const out = clipText(raw, max);
        const cuts = boundaries(raw);
        expect(cuts.has(out.length)).toBe(true);
        expect(out.length).toBe(Math.max(...[...cuts].filter((b) => b <= max)));
      }),
      { numRuns: 1_000 },
    );
  });

  test('is the longest prefix within the cap that ends on a grapheme boundary', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 0, max: 320 }), (raw, max) => {
        const out = clipText(raw, max);
        const cuts = boundaries(raw);
        expect(raw.startsWith(out)).toBe(true);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(cuts.has(out.length)).toBe(true);
        const longest = Math.max(...[...cuts].filter((b) => b <= max));
        expect(out.length).toBe(longest);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('sanitizeText', () => {
  test('a 1,999-character message or a 199-character name ending in an emoji is cut before the emoji, never inside it', () => {
    const text = sanitizeText(`${'x'.repeat(1_999)}😀`, MAX_TEXT_LENGTH);
    const name = sanitizeText(`${'n'.repeat(199)}😀`, MAX_AUTHOR_LENGTH);
    expect(text).toBe('x'.repeat(1_999));
    expect(name).toBe('n'.repeat(199));
    expect(isWellFormed(text) && isWellFormed(name)).toBe(true);
  });

  test('removes a lone surrogate and NUL, keeps pairs', () => {
    expect(sanitizeText('a\ud83db\u0000c 😀 \udc00')).toBe('abc 😀');
  });

  test('never ends on the space before a cut', () => {
    expect(sanitizeText('ab cd', 3)).toBe('ab');
  });

  test('any string comes out well-formed, free of control characters, within the cap, cut on a grapheme boundary', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 320 }), (raw, max) => {
        const out = sanitizeText(raw, max);
        const whole = sanitizeText(raw, Number.POSITIVE_INFINITY);
        expect(isWellFormed(out)).toBe(true);
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(whole.startsWith(out)).toBe(true);
        expect(boundaries(whole).has(out.length)).toBe(true);
        expect(out).toBe(out.trim());
        expect(sanitizeText(out, max)).toBe(out);
      }),
      { numRuns: 1_000 },
    );
  });
});
