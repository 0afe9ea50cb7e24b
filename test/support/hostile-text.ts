/**
 * Arbitrary hostile text for property tests (fast-check): full Unicode, lone surrogates, NUL and controls,
 * and the pieces that make clipping hard (emoji sequences, flags, accents, Hangul jamo, Indic conjuncts).
 * Shared by the sanitizer's unit test and the database round-trip spec.
 */
import fc from 'fast-check';

const HIGH = fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c));
const LOW = fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Pieces that make clipping hard: emoji sequences, flags, accents, Hangul jamo, lone halves, NUL, controls. */
const TRICKY = fc.constantFrom(
  '😀',
  '👩‍👩‍👧‍👦',
  '👍🏽',
  '🇫🇷',
  '🇺🇸🇬🇧',
  'e\u0301',
  '\u0301\u0302',
  'ᄀ',
  'ᅡ',
  'ᆨ',
  '\u200d',
  '\ufe0f',
  '\u0600',
  'क्',
  'ष',
  '\r\n',
  '\u0000',
  '\u0007',
  ' ',
  '\t',
  'a',
  'Z',
  '.',
);
const PIECE = fc.oneof(TRICKY, HIGH, LOW, fc.string({ unit: 'grapheme', maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 3 }));
/** Strings full of everything above, lone surrogates included, and plain arbitrary full-Unicode strings. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.array(PIECE, { maxLength: 120 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 150 }),
);

/**
 * String.prototype.isWellFormed (no lone surrogate), which Node has and the project's TypeScript lib
 * (ES2023) does not declare yet.
 */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
