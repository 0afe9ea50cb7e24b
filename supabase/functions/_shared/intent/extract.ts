/**
 * Pulls the details a seller needs out of a claim's tokens: quantity, price, item code and size or
 * variant. Works on the canonical tokens from normalize.ts. Pure and dependency-free.
 */

/** Details found in a message; `count` is how many distinct kinds were found (it lifts confidence). */
export interface Details {
  quantity?: number;
  price?: number;
  itemCode?: string;
  size?: string;
  item?: string;
  count: number;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, both: 2, couple: 2,
};

const LETTER_SIZE = /^(?:xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl)$/;
const SIZE_WORDS = new Set(['small', 'medium', 'large', 'petite', 'tall', 'youth', 'toddler']);
const COLORS = new Set([
  'black', 'white', 'blue', 'red', 'green', 'pink', 'purple', 'yellow', 'orange', 'brown', 'grey', 'gray', 'navy',
  'beige', 'cream', 'tan', 'gold', 'silver', 'olive', 'maroon', 'teal', 'burgundy', 'khaki', 'ivory',
  'camo', 'floral', 'striped', 'plaid', 'lavender', 'mint', 'coral', 'rose', 'charcoal',
]);
const SIZE_KEYS = new Set(['size', 'sz', 'sizes']);
const CODE_KEYS = new Set(['lot', 'item', 'number', 'num', 'code', 'no']);
const QTY_KEYS = new Set(['qty', 'quantity']);
const QTY_UNITS = new Set(['pcs', 'pieces', 'piece', 'units', 'unit', 'pairs', 'sets']);
const PLURAL_REFS = new Set(['them', 'those', 'these', 'each']);

/** "2 x", "2 pcs", "2 of them". */
function isQuantityUnit(next: string | undefined, after: string | undefined): boolean {
  if (next === undefined) return false;
  return next === 'x' || QTY_UNITS.has(next) || (next === 'of' && after !== undefined && PLURAL_REFS.has(after));
}

/** "one" is a count in "take one in M", "one blue", "one please", but not in "one more thing". */
function oneIsQuantity(next: string | undefined): boolean {
  return (
    next === undefined ||
    ['in', 'of', 'please', 'for', '?'].includes(next) ||
    sizeToken(next) !== undefined ||
    COLORS.has(next) ||
    /^\d/.test(next)
  );
}
const CURRENCY_WORDS = new Set(['dollars', 'dollar', 'bucks', 'usd', 'euros', 'euro', 'pounds', 'cad']);

/** Words that never describe the item: glue words, fillers, claim words. */
export const STOP_WORDS = new Set([
  'a', 'an', 'the', 'on', 'in', 'for', 'of', 'to', 'at', 'by', 'and', 'or', 'with', 'it', 'this', 'that', 'these',
  'those', 'them', 'one', 'ones', 'me', 'my', 'i', 'you', 'your', 'please', 'thanks', 'thank', 'lol', 'haha', 'omg',
  'yes', 'yay', 'ok', 'oh', 'wow', 'so', 'too', 'also', 'just', 'now', 'here', 'pretty', 'need', 'want', 'sold',
  'mine', 'dibs', 'claim', 'claiming', 'claimed', 'take', 'will', 'would', 'get', 'buy', 'add', 'is', 'am', 'be',
  'do', 'let', 'give', 'all', 'size', 'sz', 'qty', 'x', 'girl', 'sis', 'hun', 'babe', 'love', 'cute', '@', '?',
  'both', 'couple', 'pair', 'have', 'grab', 'really', 'yeah', 'yea', 'yep', 'hey', 'hi', 'ooh', 'aw',
]);

const DETERMINERS = new Set(['the', 'that', 'this', 'those', 'these']);

const isInt = (t: string | undefined): boolean => t !== undefined && /^\d{1,3}$/.test(t);
const isDecimal = (t: string | undefined): boolean => t !== undefined && /^\d{1,2}\.\d$/.test(t);

/** A single-token size ("m", "xl", "small", "10.5"), upper-casing letter sizes. */
export function sizeToken(t: string | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (LETTER_SIZE.test(t)) return t.toUpperCase();
  if (SIZE_WORDS.has(t) || isDecimal(t)) return t;
  return undefined;
}

/** An item code written as one token: "#14", "a1", "aa10" (not "x2", a quantity). */
export function codeToken(t: string | undefined): string | undefined {
  if (t === undefined) return undefined;
  const hash = /^#([\p{L}\p{N}]{1,12})$/u.exec(t);
  // "#14", "#A2", "#AB" are codes; "#TEAMDREAM", "#haul" are hashtags (letters only, longer than a code).
  if (hash) return /\p{N}/u.test(hash[1]!) || hash[1]!.length <= 3 ? hash[1]!.toUpperCase() : undefined;
  if (/^[a-z]{1,3}\d{1,4}$/.test(t) && !/^(?:x|sz|size|qty|no)\d/.test(t)) return t.toUpperCase();
  return undefined;
}

/** A quantity written as one token: "2x", "x2" (not "2xl", a size). */
function quantityToken(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const m = /^(?:(\d{1,2})x|x(\d{1,2}))$/.exec(t);
  if (!m) return undefined;
  return Number(m[1] ?? m[2]);
}

function priceToken(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const m = /^[$\u20ac\u00a3](\d{1,6}(?:\.\d{1,2})?)$/.exec(t);
  return m ? Number(m[1]) : undefined;
}

// Short words that look like a code prefix before a number ("me 2", "in 10") but are not one.
const NOT_CODE_PREFIX = new Set([
  ...STOP_WORDS, 'x', 'sz', 'no', 'num', 'lot', 'item', 'us', 'we', 'he', 'she', 'up', 'out', 'off', 'any', 'two',
  'six', 'ten', 'get', 'got', 'buy', 'go', 'if', 'are', 'was', 'has', 'had', 'can', 'ship', 'but', 'not', 'day', 'hr',
  'min', 'cm', 'mm', 'in', 'oz', 'lb', 'lbs', 'kg', 'ft', 'yr', 'yrs', 'am', 'pm', 'm', 's', 'l', 'xl', 'xs', 'xxl',
]);

/**
 * Finds quantity, price, item code and size/variant in `tokens` (a claim's words). `bareNumbers`
 * says how to read a lone integer: in a claim, 1-5 is a quantity and a bigger one a size ("sold 2",
 * "mine 32"); elsewhere lone numbers are ignored.
 */
export function extractDetails(tokens: readonly string[], options: { bareNumbers?: boolean } = {}): Details {
  let quantity: number | undefined;
  let price: number | undefined;
  let itemCode: string | undefined;
  const sizes: string[] = [];
  // The item is named right after the claim by a determiner: "take the denim jacket", "dibs on those
  // boots" (up to 3 words); a determiner later on is chatter ("been looking for this forever").
  const words: string[] = [];
  let naming = false;
  const bareInts: number[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const p = priceToken(t);
    if (p !== undefined) {
      price ??= p;
      continue;
    }
    if ((isInt(t) || isDecimal(t)) && next !== undefined && CURRENCY_WORDS.has(next)) {
      price ??= Number(t);
      i++;
      continue;
    }
    if (SIZE_KEYS.has(t)) {
      const value = sizeToken(next) ?? (isInt(next) ? next : undefined);
      if (value !== undefined) {
        sizes.push(value);
        i++;
      }
      continue;
    }
    if (t === 'one' && next === 'size') {
      sizes.push('one size');
      i++;
      continue;
    }
    if (t === 'in' && next === 'a' && isInt(tokens[i + 2])) {
      sizes.push(tokens[i + 2]!);
      i += 2;
      continue;
    }
    if (t === 'in' && next !== undefined && (sizeToken(next) !== undefined || isInt(next))) {
      sizes.push(sizeToken(next) ?? next);
      i++;
      continue;
    }
    if (CODE_KEYS.has(t) && next !== undefined && (/^#?\d{1,4}$/.test(next) || codeToken(next) !== undefined)) {
      itemCode ??= next.replace(/^#/, '').toUpperCase();
      i++;
      continue;
    }
    if (QTY_KEYS.has(t) && isInt(next)) {
      quantity ??= Number(next);
      i++;
      continue;
    }
    const q = quantityToken(t);
    if (q !== undefined) {
      quantity ??= q;
      continue;
    }
    if (isInt(t) && isQuantityUnit(next, tokens[i + 2])) {
      quantity ??= Number(t);
      i += next === 'of' ? 2 : 1;
      continue;
    }
    const word = NUMBER_WORDS[t];
    if (word !== undefined && quantity === undefined && (t !== 'one' || oneIsQuantity(next))) {
      quantity = word;
      if (next === 'of' && PLURAL_REFS.has(tokens[i + 2] ?? '')) i += 2;
      continue;
    }
    if (t === 'all' && isInt(next)) {
      quantity ??= Number(next);
      i++;
      continue;
    }
    const code = codeToken(t);
    if (code !== undefined) {
      itemCode ??= code;
      continue;
    }
    // A spaced code: "AA 10", "B 7" (a short prefix that is not a word we know, then a number).
    if (/^[a-z]{1,3}$/.test(t) && !NOT_CODE_PREFIX.has(t) && next !== undefined && /^\d{1,4}$/.test(next)) {
      itemCode ??= `${t}${next}`.toUpperCase();
      i++;
      continue;
    }
    const size = sizeToken(t);
    if (size !== undefined || COLORS.has(t)) {
      sizes.push(size ?? t);
      continue;
    }
    if (isInt(t)) {
      bareInts.push(Number(t));
      continue;
    }
    if (DETERMINERS.has(t)) naming = words.length === 0 && i <= 1;
    else if (naming && !STOP_WORDS.has(t) && /^\p{L}/u.test(t) && words.length < 3) words.push(t);
    else naming = false;
  }

  if (options.bareNumbers) {
    for (const n of bareInts) {
      if (quantity === undefined && n >= 1 && n <= 5) quantity = n;
      else if (!sizes.some((s) => /^\d/.test(s)) && n >= 5 && n <= 60) sizes.push(String(n));
    }
  }

  const details: Details = { count: 0 };
  if (quantity !== undefined && quantity > 0 && quantity <= 99) details.quantity = quantity;
  if (price !== undefined && price > 0) details.price = price;
  if (itemCode !== undefined) details.itemCode = itemCode;
  if (sizes.length > 0) details.size = sizes.join(' ');
  if (words.length > 0) details.item = words.join(' ');
  details.count = [details.quantity, details.price, details.itemCode, details.size].filter((v) => v !== undefined).length;
  return details;
}

/** True when the token is a size, a variant, an item code or a quantity on its own. */
export function isDetailToken(t: string): boolean {
  return sizeToken(t) !== undefined || codeToken(t) !== undefined || quantityToken(t) !== undefined || COLORS.has(t);
}

/** True when the token is a size or an item code (what a bare "M" or "A2" claim consists of). */
export function isSizeOrCode(t: string): boolean {
  return sizeToken(t) !== undefined || codeToken(t) !== undefined;
}

/** True for a small count written as digits or a word ("2", "two"). */
export function isCount(t: string): boolean {
  return /^\d{1,2}$/.test(t) || NUMBER_WORDS[t] !== undefined;
}
