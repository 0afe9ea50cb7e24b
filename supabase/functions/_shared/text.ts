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
const LONE_SURROGATE = /\p{Cs}/gu;
const HAS_LONE_SURROGATE = /\p{Cs}/u;
// Control characters never reach storage or dashboards (tab, line feed and carriage return are whitespace).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// String.prototype.isWellFormed (Node, Deno): native, and far quicker than a regular expression.
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

let segmenter: Intl.Segmenter | undefined;

/**
 * Removes what no store can hold, and nothing else: NUL and lone surrogates. Whitespace, line breaks and
 * every other character stay where they are, for fields whose layout matters (a document's text, a
 * command's response). Anything but a string is ''.
 */
export function scrubText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return withoutLoneSurrogates(value.includes('\u0000') ? value.replaceAll('\u0000', '') : value);
}

/**
 * Drops NUL, lone surrogates and other control characters, collapses whitespace, trims and caps the
 * length at `max` code units, cut at a grapheme boundary (see {@link clipText}). Anything but a string is ''.
 * Idempotent: a sanitized text sanitized again is unchanged.
 */
export function sanitizeText(value: unknown, max: number = MAX_TEXT_LENGTH): string {
  if (typeof value !== 'string') return '';
  const cleaned = withoutLoneSurrogates(value.replace(CONTROL, '')).replace(/\s+/g, ' ').trim();
  if (cleaned.length <= max) return cleaned;
  let clipped = clipText(cleaned, max);
  // A cut just after a space would leave one at the end, which a second pass would trim: the cluster holding
  // it goes too, so the text stays as it is when sanitized again.
  while (clipped.endsWith(' ')) clipped = clipText(clipped, clipped.length - 1);
  return clipped;
}

/** How far back from a cut clipping looks for the start of the cluster it falls in. */
const CLUSTER_WINDOW = 64;

/**
 * The longest prefix of `text` that is at most `max` UTF-16 code units and ends on a grapheme boundary
 * (Unicode's extended grapheme clusters, as Intl.Segmenter finds them): a cluster that does not fit goes
 * whole. Only the last few characters before the cut are segmented (segmenting costs about a microsecond a
 * character), so clipping costs the same for any length. A cluster longer than CLUSTER_WINDOW code units
 * (zalgo text, a chain of joined emoji) may be cut inside, between two code points: still well-formed.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max;
  // Never between the two halves of a pair.
  if (isHighSurrogate(text.charCodeAt(cut - 1)) && isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
  let from = certainBoundaryBefore(text, cut);
  if (from === cut) return text.slice(0, cut);
  const certain = from >= 0;
  if (!certain) from = windowStart(text, cut - CLUSTER_WINDOW);
  // The boundary at `cut` depends on the code point after it: segment through it.
  const end = Math.min(text.length, cut + 2);
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  // A window's own start is a boundary only when it is certain; the first one after it is trusted.
  let boundary = certain ? from : -1;
  for (const { index } of segmenter.segment(text.slice(from, end))) {
    if (from + index > cut) break;
    if (certain || index > 0) boundary = from + index;
  }
  return text.slice(0, boundary < 0 ? cut : boundary);
}

/**
 * The nearest position at or before `at`, at most CLUSTER_WINDOW back, that is a grapheme boundary
 * whatever surrounds it: the start of the text, or between two {@link isPlainCharacter}s (no rule of
 * UAX #29 joins those). The text from there segments exactly as the whole would. -1 when there is none.
 */
function certainBoundaryBefore(text: string, at: number): number {
  const stop = at - CLUSTER_WINDOW;
  if (stop <= 0) return 0;
  for (let i = at; i > stop; i -= 1) {
    if (isPlainCharacter(text.charCodeAt(i)) && isPlainCharacter(text.charCodeAt(i - 1))) return i;
  }
  return -1;
}

/**
 * Where to start segmenting when no certain boundary is near: `at`, moved off the second half of a pair,
 * and onto the first flag letter of a pair (regional indicators pair up from the start of their run).
 */
function windowStart(text: string, at: number): number {
  let from = isLowSurrogate(text.charCodeAt(at)) ? at - 1 : at;
  if (isRegionalIndicator(text, from)) {
    let before = 0;
    while (from - 2 * (before + 1) >= 0 && isRegionalIndicator(text, from - 2 * (before + 1))) before += 1;
    if (before % 2 === 1) from -= 2;
  }
  return from;
}

/**
 * A character of grapheme break class Other that no rule joins to a neighbour: printable ASCII, and the
 * letters of the common alphabets, kana, CJK ideographs and Hangul syllables, without their combining marks,
 * prepended marks, jamo, pictographs or Indic consonants.
 */
function isPlainCharacter(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xc0 && c <= 0x24f) || // Latin-1 letters, Latin Extended-A and -B
    (c >= 0x391 && c <= 0x3ff) || // Greek
    (c >= 0x400 && c <= 0x482) || // Cyrillic (0x483-0x489 combine)
    (c >= 0x48a && c <= 0x52f) ||
    (c >= 0x5d0 && c <= 0x5ea) || // Hebrew letters
    (c >= 0x620 && c <= 0x64a) || // Arabic letters (0x600-0x605 are prepended, 0x64b- combine)
    (c >= 0xe01 && c <= 0xe30) || // Thai (0xe31, 0xe33- combine or are spacing marks)
    (c >= 0x3041 && c <= 0x3096) || // Hiragana (0x3099, 0x309a combine)
    (c >= 0x30a1 && c <= 0x30fa) || // Katakana
    (c >= 0x4e00 && c <= 0x9fff) || // CJK ideographs
    (c >= 0xac00 && c <= 0xd7a3) // Hangul syllables (jamo join them)
  );
}

/** Whether a regional indicator (a flag's letter, U+1F1E6..U+1F1FF) starts at `i`. */
function isRegionalIndicator(text: string, i: number): boolean {
  const low = text.charCodeAt(i + 1);
  return text.charCodeAt(i) === 0xd83c && low >= 0xdde6 && low <= 0xddff;
}

/** `text` without its lone surrogates; most text is well-formed, which the native check tells at once. */
function withoutLoneSurrogates(text: string): string {
  const wellFormed = nativeWellFormed ? nativeWellFormed.call(text) : !HAS_LONE_SURROGATE.test(text);
  return wellFormed ? text : text.replace(LONE_SURROGATE, '');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
