/**
 * Small text tools of the knowledge base: words, a light English stemmer, sentence splitting, and the
 * OR-query a question becomes for full-text search. Dependency-free: loaded by Node and by Deno.
 */

/**
 * Words that say nothing about what a viewer wants to know: function words, chat filler and the common
 * verbs of questions ("do you take returns" is about returns, "how long does shipping take" is about
 * shipping). Compared after lower-casing, before stemming.
 */
const STOPWORDS = new Set(
  (
    'a an the and or but if then so of to in on at by for from with without about into onto over under up down out ' +
    'is are was were be been being am do does did doing done have has had having can could will would shall should ' +
    'may might must i me my mine we us our you your yours he him his she her they them their it its this that these ' +
    'those there here what which who whom whose when where why how any anyone anything some all each every no not ' +
    'yes please pls plz thanks thank hi hey hello ok okay lol omg just also too very really much many more most ' +
    'get got getting make made take takes taking took give gives know tell say said like want wanna gonna need ' +
    'long soon still ever again one ones thing things stuff guys guy u ur ya yall y\'all im i\'m youre you\'re dont ' +
    'don\'t does doesnt doesn\'t isnt isn\'t whats what\'s hows how\'s wheres where\'s whens when\'s cant can\'t'
  ).split(/\s+/),
);

/** Question words whose answer is a kind of fact: a sentence holding such a fact ranks higher. */
export const QUESTION_HINTS: Record<string, RegExp> = {
  when: /\b(\d+|day|days|week|weeks|hour|hours|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|tomorrow|today|within|daily|business)\b/i,
  'how long': /\b(\d+|day|days|week|weeks|hour|hours|month|months|within)\b/i,
  'how much': /(\$|€|£|\b\d+\b|\bfree\b|\bcost|\bprice|\bfee)/i,
  where: /\b(from|to|in|ship|ships|located|worldwide|countries|country|us|usa|canada|uk|eu)\b/i,
};

/** Lower-cased word tokens (letters, digits, apostrophes inside words). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? [];
}

/**
 * A light English stemmer (plural, -ing, -ed, -ly): enough to match "returns" with "return",
 * "shipping" and "shipped" with "ship", "policies" with "policy".
 */
export function stem(word: string): string {
  let w = word.replace(/['’]s$/, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ing') && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length > 4) w = undouble(w.slice(0, -2));
  else if (w.endsWith('ly') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('es') && /(ch|sh|x|z|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  // "combine" and "combined" (-> "combin") meet when a final e goes too.
  if (w.length > 3 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([bdfgklmnprt])\1$/.test(w) ? w.slice(0, -1) : w;
}

/** The stems a question is about, in order, without repeats (stopwords dropped). */
export function contentTerms(text: string): string[] {
  const seen = new Set<string>();
  for (const word of words(text)) {
    if (STOPWORDS.has(word) || word.length < 2) continue;
    const s = stem(word);
    if (s.length >= 2 && !STOPWORDS.has(s)) seen.add(s);
  }
  return [...seen];
}

/** The stems of a text as a set (for matching sentences against a question). */
export function stemSet(text: string): Set<string> {
  return new Set(words(text).map(stem));
}

/**
 * The web-search query a question becomes: its content words joined with "or", so a chunk matching
 * some of them is found and ts_rank_cd ranks the ones matching more. Empty when nothing is left.
 */
export function searchQuery(question: string): string {
  return contentTerms(question)
    .filter((term) => /^[\p{L}\p{N}]+$/u.test(term))
    .slice(0, 16)
    .join(' or ');
}

/** Splits prose into sentences (keeps list items and lines apart too). */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    const trimmed = line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim();
    if (!trimmed) continue;
    // A sentence ends at . ! ? followed by a space and an upper-case letter, digit or quote.
    for (const part of trimmed.split(/(?<=[.!?])\s+(?=["“'(\p{Lu}\p{N}])/u)) {
      const s = part.trim();
      if (s) out.push(s);
    }
  }
  return out;
}

/** Cuts text to `max` characters at a word boundary, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** Removes control characters and collapses whitespace (hostile text before it is stored or said). */
export function cleanLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
}
