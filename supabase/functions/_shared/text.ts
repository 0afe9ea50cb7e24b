/**
 * Text is hostile input: the caps on what is kept, and the one sanitizer every edge where text enters
 * goes through (HTTP bodies and queries, captured chat, the edge function's validation in contract.ts,
 * documents). Dependency-free, so pure modules (identity, the domain types) can use it without loading
 * zod: loaded by Node and by Deno.
 *
 * What PostgreSQL cannot hold never gets in: a NUL (`text` refuses the byte, `jsonb` the `\u0000` escape)
 * and a lone surrogate (JSON.stringify writes it as `\udxxx`, which `jsonb` refuses as an "unsupported
 * Unicode escape sequence"). Both are removed, not replaced: a lone surrogate is what a clip in the middle
 * of an emoji leaves behind (ours, before this module, or a page's), and removing it keeps the rest of the
 * text as it was. Caps count UTF-16 code units (JavaScript's `length`, never fewer than PostgreSQL's
 * char_length, so every side's check holds), and a cut falls on a grapheme boundary: never inside a
 * surrogate pair, an emoji sequence or a letter with its accents.
 */

/** Longest chat text kept; longer text is cut (capture and storage use the same cap). */
export const MAX_TEXT_LENGTH = 2_000;
/** Longest author name kept. */
export const MAX_AUTHOR_LENGTH = 200;
/** Longest message key / session id. */
export const MAX_ID_LENGTH = 200;
/** Most messages one batch may carry. */
export const MAX_BATCH_MESSAGES = 1_000;

// With the u flag a class matches whole code points, so \p{Cs} matches only a surrogate without its other half.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|\p{Cs}/gu;
// eslint-disable-next-line no-control-regex
const HAS_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;
// Control characters never reach storage or dashboards (tab, line feed and carriage return are whitespace).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Cs}/gu;

let segmenter: Intl.Segmenter | undefined;

/**
 * Removes what no store can hold, and nothing else: NUL and lone surrogates. Whitespace, line breaks and
 * every other character stay where they are, for fields whose layout matters (a document's text, a
 * command's response). Anything but a string is ''.
 */
export function scrubText(value: unknown): string {
  if (typeof value !== 'string') return '';
  // Most text has neither: one scan without the u flag is cheaper than a replace.
  return HAS_UNSTORABLE.test(value) ? value.replace(UNSTORABLE, '') : value;
}

/**
 * Drops NUL, lone surrogates and other control characters, collapses whitespace, trims and caps the
 * length at `max` code units, cut at a grapheme boundary (see {@link clipText}). Anything but a string is ''.
 * Idempotent: a sanitized text sanitized again is unchanged.
 */
export function sanitizeText(value: unknown, max: number = MAX_TEXT_LENGTH): string {
  if (typeof value !== 'string') return '';
  const cleaned = value.replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  if (cleaned.length <= max) return cleaned;
  let clipped = clipText(cleaned, max);
  // A cut just after a space would leave one at the end, which a second pass would trim: the cluster holding
  // it goes too, so the text stays as it is when sanitized again.
  while (clipped.endsWith(' ')) clipped = clipText(clipped, clipped.length - 1);
  return clipped;
}

/**
 * The longest prefix of `text` that is at most `max` UTF-16 code units and ends on a grapheme boundary
 * (Unicode's extended grapheme clusters, as Intl.Segmenter finds them): a cluster that does not fit goes
 * whole. Only the stretch from the last certain boundary before the cut is segmented, so clipping a long
 * text costs about as much as its last few characters.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max;
  // Never between the two halves of a pair.
  if (isHighSurrogate(text.charCodeAt(cut - 1)) && isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
  const from = certainBoundaryBefore(text, cut);
  if (from === cut) return text.slice(0, cut);
  // The boundary at `cut` depends on the code point after it: segment through it.
  const end = Math.min(text.length, cut + 2);
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let boundary = from;
  for (const { index } of segmenter.segment(text.slice(from, end))) {
    if (from + index > cut) break;
    boundary = from + index;
  }
  return text.slice(0, boundary);
}

/**
 * A position at or before `at` that is a grapheme boundary whatever surrounds it: a printable ASCII
 * character after an ASCII one (no rule of UAX #29 joins those: neither is an extender, a joiner, a
 * prepended mark, a regional indicator, a pictograph or a Hangul jamo), or the start of the text. The text
 * from there segments exactly as the whole would.
 */
function certainBoundaryBefore(text: string, at: number): number {
  for (let i = at; i > 0; i -= 1) {
    const here = text.charCodeAt(i);
    if (here >= 0x20 && here <= 0x7e && text.charCodeAt(i - 1) <= 0x7f) return i;
  }
  return 0;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
