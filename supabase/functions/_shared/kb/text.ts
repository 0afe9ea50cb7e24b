/**
 * Small text tools of the knowledge base: words, a light English stemmer, sentence splitting, and the
 * OR-query a question becomes for full-text search. Dependency-free: loaded by Node and by Deno.
 */
import { scrubText } from '../text.ts';

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
  // A place or a provenance: "in" and "to" alone are in every sentence.
  where: /\b([Ff]rom|[Ll]ocated|[Bb]ased|worldwide|countries|country|US|USA|Canada|UK|EU)\b/,
};

/**
 * Words that say little about what is asked, in a seller's documents: every live-selling policy says
 * "show", "item" or "today", so a sentence sharing only such a word with a question does not answer it
 * ("can you show the back?" is not about the shipping sentence that mentions the show). Stems.
 */
export const WEAK_TERMS = new Set(
  ('show live stream item product today tonight time day next good new best big little different right sure real ' +
    // Verbs every policy uses with any object: "do you accept crypto?" is about crypto, not accepting.
    'accept offer include allow use come sell carry work happen ' +
    // "payment method", "shipping option": the first word says what is asked.
    'method option way kind type ' +
    // "the return policy", "shipping info": the topic word carries the question.
    'policy rule info information detail')
    .split(' ')
    .map((w) => stem(w)),
);

/**
 * Words that name the same thing in questions and policies ("real" and "authentic", "refund" and
 * "return"). Small on purpose: each group is a meaning sellers' pages use one word for and viewers another.
 */
const SYNONYM_GROUPS: readonly string[][] = [
  ['ship', 'shipping', 'deliver', 'delivery', 'mail', 'send'],
  ['real', 'authentic', 'genuine', 'legit', 'fake'],
  ['return', 'refund'],
  ['show', 'live', 'stream'],
  ['price', 'cost', 'fee'],
  ['pay', 'payment'],
  ['international', 'internationally', 'worldwide', 'abroad', 'overseas'],
  ['exchange', 'swap'],
  ['shoe', 'sneaker', 'kicks', 'trainer', 'footwear'],
];

/**
 * Kinds of goods and the word policies use for the whole kind: a viewer asks about "a necklace", the
 * returns section says "jewelry". The narrow word is found by its broad one, never the other way round.
 */
const BROADER: Record<string, readonly string[]> = {
  necklace: ['jewelry', 'jewellery'],
  ring: ['jewelry', 'jewellery'],
  bracelet: ['jewelry', 'jewellery'],
  earring: ['jewelry', 'jewellery'],
  pendant: ['jewelry', 'jewellery'],
  jacket: ['clothing', 'clothes', 'garment', 'apparel'],
  dress: ['clothing', 'clothes', 'garment', 'apparel'],
  shirt: ['clothing', 'clothes', 'garment', 'apparel'],
  jean: ['clothing', 'clothes', 'garment', 'apparel', 'denim'],
  coat: ['clothing', 'clothes', 'garment', 'apparel'],
};

/** Places viewers ask about ("do you ship to Australia?"). Lower case; "us" is judged case-sensitively. */
export const PLACES = new Set(
  (
    'usa america canada mexico uk england britain scotland wales ireland australia zealand germany france spain ' +
    'italy portugal netherlands holland belgium sweden norway denmark finland poland austria switzerland europe eu ' +
    'european japan china korea india brazil argentina chile philippines singapore kingdom states puerto rico alaska hawaii'
  ).split(' '),
);

const PLACE_STEMS = new Set([...PLACES].map((p) => stem(p)));

/** Words that state where something does or does not go: a sentence with them answers a place question. */
const SCOPE_WORDS = new Set(['outside', 'only', 'worldwide', 'everywhere', 'international', 'internationally', 'countries', 'country', 'anywhere', 'domestic', 'abroad']);

/** The stems standing for a term: itself and its synonyms. */
export function synonymsOf(term: string): string[] {
  const out = new Set([term]);
  for (const group of SYNONYM_GROUPS) {
    const stems = group.map(stem);
    if (stems.includes(term)) for (const s of stems) out.add(s);
  }
  for (const [narrow, broad] of Object.entries(BROADER)) if (stem(narrow) === term) for (const b of broad) out.add(stem(b));
  return [...out];
}

/** Whether a question's term (a stem) names a place ("france" stems to "franc"). */
export function isPlaceTerm(term: string): boolean {
  return PLACE_STEMS.has(term);
}

/** Whether a sentence says where things go or do not go: a scope word, or a place it names. */
export function statesScope(text: string): boolean {
  const lower = words(text);
  return lower.some((w) => SCOPE_WORDS.has(w) || PLACES.has(w)) || /\b(US|USA|U\.S\.)\b/.test(text);
}

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
  const terms = contentTerms(question);
  // Synonyms widen the net ("real" finds "authentic"); the reranker then judges the sentences.
  const all = [...new Set([...terms, ...terms.flatMap((t) => synonymsOf(t).filter((s) => s !== t))])];
  return all
    .filter((term) => /^[\p{L}\p{N}]+$/u.test(term))
    .slice(0, 16)
    .join(' or ');
}

/**
 * Whether a line reads as a title, not a statement: short, no sentence punctuation at its end, and no
 * lower-case run of words (a title is Capitalised or CAPITALS: "Hannah's Vintage — Shop Policies").
 */
export function isHeadingLike(line: string): boolean {
  const text = line.trim();
  if (!text || /[.!?]["”')]*$/.test(text)) return false;
  const all = text.split(/\s+/);
  if (all.length > 10) return false;
  const lowerWords = all.filter((w) => /^\p{Ll}{4,}/u.test(w)).length;
  return lowerWords <= 1;
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

/** Removes control characters and lone surrogates and collapses whitespace (hostile text before it is stored or said). */
export function cleanLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return scrubText(text).replace(/[\u0000-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
}
