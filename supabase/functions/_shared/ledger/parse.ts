/**
 * Reading lot announcements (the host's messages) and claims (the viewers') out of chat text.
 *
 * Sellers write the same thing a dozen ways: "A1 vintage Levi's jacket $45", "Lot 14, the denim jacket,
 * 30 dollars", "C3 goes to @amy, next up C4 band tee starting at 20"; viewers claim with "sold B7",
 * "B7 pls", "dibs on lot 9", "C4 for me" or a bare "sold" for the lot on screen. Chat is hostile and
 * noisy, so every reader here is conservative: anything it cannot read is chatter (no action), never an
 * error. Pure and dependency-free: loaded by Node and by Deno.
 */

/** Longest text read (longer chat is cut first: the parser stays linear and cheap). */
const MAX_TEXT = 500;

/** One word of a message: its text as typed (usernames, titles) and lower-cased (matching). */
export interface Token {
  raw: string;
  low: string;
  /** A clause separator: , ; ! . : | and dashes. */
  punct: boolean;
}

// A word may hold `_` anywhere and `.` or `-` between letters or digits, so a handle ("jess_k",
// "kay.b_22", "jess-k") stays one token; a sentence's dot or a spaced dash is still a separator.
const TOKEN =
  /@[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[.-](?=[\p{L}\p{N}_]))*|[$\u20ac\u00a3]\d{1,6}(?:[.,]\d{1,2})?|\d{1,6}(?:\.\d{1,2})?[$\u20ac\u00a3]?(?![\p{L}\p{N}])|#[\p{L}\p{N}]{1,12}|[\p{L}\p{N}_](?:[\p{L}\p{N}_'\u2019]|[.-](?=[\p{L}\p{N}_]))*|[?]|[,;!.:|\u2013\u2014]|(?<=\s)-(?=\s)/gu;

/** Splits text into words, prices, codes, mentions and separators (emoji and other symbols are dropped). */
export function tokens(text: string): Token[] {
  const s = text.slice(0, MAX_TEXT).normalize('NFKC').replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'");
  const out: Token[] = [];
  for (const m of s.matchAll(TOKEN)) {
    // A mention may end a sentence ("sold to @amy."): the dot is a separator, not part of the name.
    const raw = m[0].length > 1 && m[0].startsWith('@') ? m[0].replace(/[.]+$/, '') : m[0];
    // "^_^", "__": marks with no letter or digit carry nothing.
    if (raw === '' || raw === '@' || (!/[\p{L}\p{N}?,;!.:|\u2013\u2014-]/u.test(raw))) continue;
    // "soooold", "pleaseee": a stretched word is the word.
    out.push({ raw, low: raw.toLowerCase().replace(/(\p{L})\1{2,}/gu, '$1'), punct: /^[,;!.:|\u2013\u2014-]$/.test(raw) });
  }
  return out;
}

/** Words that put a number after them as a lot code: "lot 14", "item 7", "number 3", "no. 5". */
const CODE_PREFIX = new Set(['lot', 'item', 'number', 'no', 'num']);
/** Letters that start a quantity or size, not a code ("x2", "sz8"). */
const NOT_CODE = /^(?:x|sz|size|qty|no|pc|pcs|am|pm|k|mm|cm|th|st|nd|rd)\d/;

/**
 * The lot code at tokens[i], with how many tokens it spans: "C3" -> C3, "#9" -> 9, "lot 14" -> 14,
 * "#A2" -> A2. Codes are upper-cased; numeric codes keep only their digits, so "#9", "lot 9" and
 * "item 9" name the same lot.
 */
export function codeAt(list: readonly Token[], i: number): { code: string; span: number } | undefined {
  const t = list[i];
  if (!t || t.punct) return undefined;
  const hash = /^#(\d{1,4}|[a-z]{1,2}\d{1,4})$/.exec(t.low);
  if (hash) return { code: normalizeCode(hash[1]!), span: 1 };
  if (/^[a-z]{1,2}\d{1,4}$/.test(t.low) && !NOT_CODE.test(t.low)) return { code: normalizeCode(t.low), span: 1 };
  if (CODE_PREFIX.has(t.low)) {
    const n = list[i + 1];
    if (n && /^#?\d{1,4}$/.test(n.low)) return { code: normalizeCode(n.low.replace('#', '')), span: 2 };
    if (n && /^#?[a-z]{1,2}\d{1,4}$/.test(n.low)) return { code: normalizeCode(n.low.replace('#', '')), span: 2 };
  }
  return undefined;
}

/** A code as stored: upper-case letters, numbers without leading zeros ("c03" -> C3, "007" -> 7). */
export function normalizeCode(code: string): string {
  const m = /^([a-z]*)0*(\d+)$/i.exec(code.trim());
  if (!m) return code.trim().toUpperCase();
  return `${m[1]!.toUpperCase()}${m[2]}`;
}

const MONEY_WORDS = new Set(['dollars', 'dollar', 'bucks', 'buck', 'usd', 'euros', 'euro', 'pounds', 'quid']);
/** Words after which a bare number is a price ("starting at 30", "bid 20", "only 15"). */
const PRICE_CUES = new Set(['at', 'bid', 'only', 'just', 'price', 'priced', 'for']);

/** A price at tokens[i], with its span: "$30", "30$", "30 dollars", "30 bucks", "(starting) at 30". */
export function priceAt(list: readonly Token[], i: number, cueBefore: boolean): { price: number; span: number } | undefined {
  const t = list[i];
  if (!t || t.punct) return undefined;
  const sym = /^[$\u20ac\u00a3](\d{1,6}(?:[.,]\d{1,2})?)$/.exec(t.low) ?? /^(\d{1,6}(?:\.\d{1,2})?)[$\u20ac\u00a3]$/.exec(t.low);
  if (sym) return { price: Number(sym[1]!.replace(',', '.')), span: 1 };
  if (/^\d{1,6}(?:\.\d{1,2})?$/.test(t.low)) {
    const next = list[i + 1];
    if (next && MONEY_WORDS.has(next.low)) return { price: Number(t.low), span: 2 };
    if (cueBefore) return { price: Number(t.low), span: 1 };
  }
  return undefined;
}

/** What a host's message does to the ledger, in the order written. */
export type HostAction =
  | { kind: 'announce'; code: string; title: string | null; price: number | null }
  | { kind: 'assign'; code: string | null; username: string }
  | { kind: 'close'; code: string | null }
  | { kind: 'void'; code: string | null }
  | { kind: 'price'; price: number }
  /** The host runs a chat auction on the lot ("bidding starts at 20", "auction A1 starts at $15"). */
  | { kind: 'auction'; code: string | null; startPrice: number | null }
  /** "going once" (1), "going twice" (2), "going three times" (3): the close of an auction is near. */
  | { kind: 'going'; code: string | null; count: 1 | 2 | 3 };

/** What a viewer's message does: claim a lot, ask for the waitlist, or withdraw. */
export type ViewerAction =
  | {
      kind: 'claim';
      code: string | null;
      quantity?: number;
      size?: string;
      /** The code was a bare number after a claim word ("sold 2"): a quantity when no lot has that code. */
      loose?: boolean;
    }
  | { kind: 'waitlist'; code: string | null }
  | { kind: 'withdraw'; code: string | null }
  /**
   * A bid candidate: an amount in currency units as written ("25", "bid 30", "$35", "30!", "I'll do
   * $40"). Only a lot whose auction is open takes it; otherwise the rules ignore it (a bare "9" may be
   * a size).
   */
  | { kind: 'bid'; code: string | null; amount: number };

const ASSIGN_VERBS = new Set(['goes', 'went', 'going', 'sold', 'belongs']);
const CLOSE_WORDS = new Set(['next', 'closed', 'closing', 'close', 'sold', 'done', 'moving', 'on', 'one', 'item', 'lot', 'that\'s', 'thats', 'it', 'out', 'no', 'sale']);
const VOID_WORDS = new Set(['void', 'voided', 'scratch', 'scratched', 'cancel', 'cancelled', 'canceled']);
/** Words that carry no title ("next up is C4", "we have", "comment sold to claim" is cut, see below). */
const TITLE_FILLER = new Set([
  'next', 'up', 'now', 'is', 'are', 'we', 'have', 'got', 'here', 'it\'s', 'its', 'this', 'comes', 'coming', 'starting',
  'start', 'starts', 'at', 'for', 'only', 'just', 'price', 'priced', 'bid', 'bidding', 'and', 'then', 'the', 'a', 'an',
  'on', 'with', 'of', 'item', 'lot', 'number', 'is', 'ok', 'okay', 'alright', 'so', 'first', 'last', 'our', 'my',
]);
/** From these words on, the host explains how to claim: not part of the title. */
const TITLE_STOP = new Set(['comment', 'type', 'drop', 'claim', 'say', 'write']);

/** Splits tokens into clauses at separators. */
function clauses(list: readonly Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of list) {
    if (t.punct) {
      if (cur.length > 0) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function firstCode(clause: readonly Token[]): { code: string; index: number; span: number } | undefined {
  for (let i = 0; i < clause.length; i++) {
    const c = codeAt(clause, i);
    if (c) return { ...c, index: i };
  }
  return undefined;
}

/** Words after "sold to" that are not a viewer ("sold to claim", "goes to the first"). */
const NOT_USER = new Set(['claim', 'me', 'you', 'the', 'a', 'an', 'everyone', 'anyone', 'whoever', 'first', 'chat', 'who', 'it', 'them', 'us', 'next', 'buy', 'get', 'bid', 'whoever\'s']);
/** Words after "congrats" that are not a viewer ("congrats everyone", "congrats to the winner"). */
const NOT_CONGRATULATED = new Set([
  ...NOT_USER, 'all', 'everybody', 'guys', 'y\'all', 'yall', 'winner', 'winners', 'buyer', 'buyers', 'bidder', 'bidders', 'on', 'again',
  'fam', 'friends', 'friend', 'team', 'babe', 'girl', 'hun', 'u', 'and', 'lol', 'omg', 'my', 'our', 'your', 'ya', 'yourself',
  'for', 'with', 'in', 'sold', 'lot', 'item', 'that', 'this', 'so', 'much',
]);
const CONGRATS = new Set(['congrats', 'congratulations', 'congratz', 'congrat', 'grats', 'gratz']);
/** A viewer's handle as chat writes it: letters, digits, `_ . -`, an optional leading `@`. */
const HANDLE = /^@?[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?$/u;

function stripAt(name: string): string {
  return name.replace(/^@+/, '');
}

/** "congrats jess_k", "congrats to @amy on A3": the viewer congratulated, if one is named. */
function congratulated(clause: readonly Token[]): string | undefined {
  const i = clause.findIndex((t) => CONGRATS.has(t.low));
  if (i < 0) return undefined;
  let j = i + 1;
  if (clause[j]?.low === 'to') j++;
  const who = clause[j];
  if (!who || who.punct || !HANDLE.test(who.raw) || codeAt(clause, j) || NOT_CONGRATULATED.has(stripAt(who.low))) return undefined;
  if (stripAt(who.raw).length < 2 || /^\d+$/.test(stripAt(who.raw))) return undefined;
  return stripAt(who.raw);
}

/** "C3 goes to @amy", "sold to amy", "congrats @amy", "C3 is yours @amy", "@amy wins C3". */
function readAssign(clause: readonly Token[], code: string | null): HostAction | undefined {
  const mention = clause.find((t) => t.low.startsWith('@') && t.low.length > 1);
  for (let i = 0; i < clause.length; i++) {
    const t = clause[i]!.low;
    const next = clause[i + 1];
    if ((ASSIGN_VERBS.has(t) && next?.low === 'to') || (t === 'won' && next?.low === 'by')) {
      const who = clause[i + 2];
      // "comment sold to claim" explains how to claim; it assigns nothing.
      if (clause.slice(0, i).some((w) => TITLE_STOP.has(w.low))) return undefined;
      if (who && HANDLE.test(who.raw) && stripAt(who.raw).length >= 2 && !codeAt(clause, i + 2) && !NOT_USER.has(stripAt(who.low))) {
        return { kind: 'assign', code, username: stripAt(who.raw) };
      }
    }
  }
  const named = congratulated(clause);
  if (named) return { kind: 'assign', code, username: named };
  if (!mention) return undefined;
  const words = new Set(clause.map((t) => t.low));
  if (['congrats', 'congratulations', 'yours', 'wins', 'won', 'got'].some((w) => words.has(w))) {
    return { kind: 'assign', code, username: stripAt(mention.raw) };
  }
  return undefined;
}

const GOING_COUNT: Record<string, 1 | 2 | 3> = { once: 1, twice: 2, thrice: 3, three: 3, '1': 1, '2': 2, '3': 3 };

/** "going once", "going twice", "going once going twice", "going three times": the highest count said. */
function readGoing(clause: readonly Token[]): 1 | 2 | 3 | undefined {
  let count: 1 | 2 | 3 | undefined;
  for (let i = 0; i + 1 < clause.length; i++) {
    if (clause[i]!.low !== 'going') continue;
    const n = GOING_COUNT[clause[i + 1]!.low];
    if (n && (n !== 3 || clause[i + 1]!.low !== 'three' || clause[i + 2]?.low === 'times')) count = Math.max(count ?? 0, n) as 1 | 2 | 3;
  }
  return count;
}

/** Words that make a clause about an auction, and those that say it begins. */
const AUCTION_WORDS = new Set(['auction', 'auctions', 'bidding', 'bid', 'bids']);
const START_WORDS = new Set(['starts', 'starting', 'start', 'opens', 'open', 'opening', 'begins', 'beginning', 'begin', 'is']);
/** Words before a number that make it the start price of an auction ("starts at 20", "starting bid 20"). */
const AUCTION_PRICE_CUES = new Set([...PRICE_CUES, 'starts', 'starting', 'start', 'opens', 'opening', 'from']);

/**
 * "bidding starts at 20", "starting bid 20", "auction A1 starts at $15", "bidding is open": the host
 * opens a chat auction, with its start price when said. A clause that only mentions bids ("bid in the
 * app", "no bids?") is not one.
 */
function readAuction(clause: readonly Token[]): { startPrice: number | null } | undefined {
  const words = clause.map((t) => t.low);
  const auction = words.some((w) => AUCTION_WORDS.has(w));
  if (!auction) return undefined;
  const starts = words.some((w) => START_WORDS.has(w) && w !== 'is') || /\b(?:bidding|auction) is (?:open|live|on)\b/.test(words.join(' '));
  if (!starts) return undefined;
  for (let i = 0; i < clause.length; i++) {
    const p = priceAt(clause, i, AUCTION_PRICE_CUES.has(clause[i - 1]?.low ?? ''));
    if (p) return { startPrice: p.price };
  }
  return { startPrice: null };
}

/**
 * Reads a host's message into ledger actions. An announcement needs a code; its title is what is left
 * once code, price and filler words are taken out; clauses without a code that follow it ("Lot 14, the
 * denim jacket, $25") belong to it.
 */
export function parseHostMessage(text: string): HostAction[] {
  const actions: HostAction[] = [];
  let open: { code: string; title: string[]; price: number | null } | null = null;
  const flush = (): void => {
    if (!open) return;
    const title = open.title.join(' ').replace(/\s+,/g, ',').replace(/^[,\s]+|[,\s]+$/g, '').trim();
    actions.push({ kind: 'announce', code: open.code, title: title === '' ? null : title.slice(0, 200), price: open.price });
    open = null;
  };
  for (const clause of clauses(tokens(text))) {
    const found = firstCode(clause);
    const code = found?.code ?? null;
    const going = readGoing(clause);
    if (going) {
      const target = code ?? (open as { code: string } | null)?.code ?? null;
      flush();
      // "going once, going twice" in one message is one step: the highest count said.
      const same = actions.find((a): a is Extract<HostAction, { kind: 'going' }> => a.kind === 'going' && a.code === target);
      if (same) same.count = Math.max(same.count, going) as 1 | 2 | 3;
      else actions.push({ kind: 'going', code: target, count: going });
      continue;
    }
    const auction = readAuction(clause);
    if (auction) {
      // "A1 Jordan 1 Mid, auction starts at $20": the announcement (when it names an item), then the auction.
      const target = code ?? (open as { code: string } | null)?.code ?? null;
      const { title } = readTitleAndPrice(clause.filter((t) => !AUCTION_WORDS.has(t.low) && !START_WORDS.has(t.low)), found && { index: clause.filter((t, k) => k < found.index && !AUCTION_WORDS.has(t.low) && !START_WORDS.has(t.low)).length, span: found.span });
      if (found && title) {
        flush();
        open = { code: found.code, title: [title], price: null };
      }
      flush();
      actions.push({ kind: 'auction', code: target, startPrice: auction.startPrice });
      continue;
    }
    const assign = readAssign(clause, code);
    if (assign) {
      flush();
      actions.push(assign);
      continue;
    }
    const words = clause.map((t) => t.low);
    if (words.some((w) => VOID_WORDS.has(w)) && clause.length <= 4) {
      flush();
      actions.push({ kind: 'void', code });
      continue;
    }
    const rest = words.filter((_w, i) => !found || i < found.index || i >= found.index + found.span);
    if (rest.length > 0 && rest.length <= 4 && rest.every((w) => CLOSE_WORDS.has(w)) && !rest.every((w) => w === 'on' || w === 'one' || w === 'item' || w === 'lot' || w === 'it')) {
      // "next", "sold!", "C3 closed", "moving on": closes; "next up C4 ..." has more words and announces.
      flush();
      actions.push({ kind: 'close', code });
      continue;
    }
    const { title, price } = readTitleAndPrice(clause, found);
    if (found) {
      flush();
      open = { code: found.code, title: title ? [title] : [], price };
      continue;
    }
    if (open) {
      // A clause without a code continues the announcement before it.
      const current: { code: string; title: string[]; price: number | null } = open;
      if (title) current.title.push(current.title.length > 0 ? `, ${title}` : title);
      if (price !== null && current.price === null) current.price = price;
      continue;
    }
    if (price !== null && (title === null || words.some((w) => w === 'starting' || w === 'start' || w === 'starts' || w === 'bid' || w === 'price'))) {
      // "starting at 30" on its own: the price of the lot on screen.
      actions.push({ kind: 'price', price });
    }
  }
  flush();
  return actions;
}

function readTitleAndPrice(
  clause: readonly Token[],
  found: { index: number; span: number } | undefined,
): { title: string | null; price: number | null } {
  let price: number | null = null;
  const words: string[] = [];
  for (let i = 0; i < clause.length; i++) {
    if (found && i === found.index) {
      i += found.span - 1;
      continue;
    }
    const t = clause[i]!;
    if (TITLE_STOP.has(t.low)) break;
    const p = priceAt(clause, i, PRICE_CUES.has(clause[i - 1]?.low ?? ''));
    if (p) {
      if (price === null) price = p.price;
      i += p.span - 1;
      continue;
    }
    words.push(t.raw);
  }
  while (words.length > 0 && TITLE_FILLER.has(words[0]!.toLowerCase())) words.shift();
  while (words.length > 0 && TITLE_FILLER.has(words[words.length - 1]!.toLowerCase())) words.pop();
  return { title: words.length > 0 ? words.join(' ') : null, price };
}

/** Politeness and noise around a claim: "B7 pls", "sold!!! lol". */
const POLITE = new Set(['pls', 'plz', 'please', 'plx', 'pleaseee', 'thanks', 'thx', 'ty', 'lol', 'omg', 'yes', 'yay', 'oh', 'ooh']);
/** Words a claim is made of; a claim message holds nothing else (besides code, quantity, size, politeness). */
const CLAIM_WORDS = new Set([
  'sold', 'claim', 'claimed', 'claiming', 'mine', 'dibs', 'me', 'take', 'want', 'buy', 'gimme', 'need', 'i\'ll', 'ill',
  'i', 'will', 'would', 'i\'d', 'id', 'like', 'it', 'that', 'this', 'one', 'for', 'on', 'the', 'to', 'can', 'have',
  'get', 'please', 'my', 'is', 'mine!', 'yes', 'im', 'i\'m', 'in', 'gimmie', 'give', 'add', 'a', 'cop', 'copping', 'coppin',
]);
/** The words that make a message a claim rather than a sentence built of claim filler ("i will"). */
const CLAIM_CORE = new Set(['sold', 'claim', 'claimed', 'claiming', 'mine', 'dibs', 'me', 'take', 'want', 'buy', 'gimme', 'gimmie', 'need', 'get', 'cop', 'copping', 'coppin']);
const WITHDRAW_FIRST = new Set(['pass', 'cancel', 'nvm', 'nevermind', 'unclaim', 'withdraw', 'passing']);
const SIZES = new Set(['xxs', 'xs', 's', 'm', 'l', 'xl', 'xxl', 'xxxl', '2xl', '3xl', '4xl', 'small', 'medium', 'large']);
/** Words around a bid's amount ("bid 30", "I'll do $40", "$45 from me", "my bid 60", "55 here"). */
const BID_WORDS = new Set([
  'bid', 'bidding', 'bids', 'i', "i'll", 'ill', 'i’ll', 'will', 'do', 'go', 'my', 'from', 'me', 'here', 'offer', 'on', 'at', 'for', 'pay',
  "i'd", 'id', 'how', 'about', 'raise', 'up', 'to', 'dollars', 'dollar', 'bucks', 'buck', 'usd', 'euros', 'euro', 'pounds', 'quid',
]);
/** Words that name no bid on their own around a number ("for 2" is a quantity, "up to" a question). */
const BID_CORE = new Set(['bid', 'bidding', 'bids', 'do', 'go', 'offer', 'pay', 'raise', 'here', 'from', ...MONEY_WORDS]);
/** Numbers written as words after a claim word ("I'll take two"). */
const NUMBER_WORDS: Record<string, number> = { two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };
/** Whole phrases that claim, read as "take" ("take my money", "put me down for 2", "count me in"). */
const CLAIM_PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:shut up and )?take my money\b/g, 'take'],
  [/\bput me (?:down )?for\b/g, 'take'],
  [/\bput me down\b/g, 'take'],
  [/\bcount me in(?: for)?\b/g, 'take'],
  [/\bsign me up(?: for)?\b/g, 'take'],
  [/\bring me up\b/g, 'take'],
  [/\bi'?m in(?: for)?\b/g, 'take'],
];

/** Longest message read as a claim: a claim is short; a paragraph mentioning "mine" is conversation. */
const MAX_CLAIM_WORDS = 10;

/**
 * Reads a viewer's message: a claim (by code, or bare for the lot on screen), a waitlist request or a
 * withdrawal; undefined for everything else. Questions ("is C3 sold?") and sentences that only contain a
 * claim word ("I'll take a break", "mine came yesterday") are chatter.
 */
export function parseViewerMessage(text: string): ViewerAction | undefined {
  const all = tokens(text).filter((t) => !t.punct);
  if (all.length === 0 || all.length > MAX_CLAIM_WORDS + 4) return undefined;
  if (all.some((t) => t.low === '?')) return undefined;
  let code: string | null = null;
  let quantity: number | undefined;
  let size: string | undefined;
  let loose = false;
  /** The amounts written ("25", "$30", "40 bucks"): one, with only bid words around it, is a bid. */
  const amounts: number[] = [];
  const words: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!;
    const c = codeAt(all, i);
    if (c && code === null) {
      code = c.code;
      i += c.span - 1;
      continue;
    }
    const money = /^[$\u20ac\u00a3](\d{1,6}(?:[.,]\d{1,2})?)$/.exec(t.low) ?? /^(\d{1,6}(?:\.\d{1,2})?)[$\u20ac\u00a3]$/.exec(t.low);
    if (money) {
      amounts.push(Number(money[1]!.replace(',', '.')));
      continue;
    }
    const word = NUMBER_WORDS[t.low];
    if (word !== undefined && quantity === undefined && CLAIM_WORDS.has(all[i - 1]?.low ?? '')) {
      // "I'll take two", "sold three": a quantity.
      quantity = word;
      continue;
    }
    const q = /^(?:(\d{1,2})x|x(\d{1,2}))$/.exec(t.low);
    if (q) {
      quantity = Number(q[1] ?? q[2]);
      continue;
    }
    if ((t.low === 'qty' || t.low === 'quantity') && /^\d{1,2}$/.test(all[i + 1]?.low ?? '')) {
      quantity = Number(all[++i]!.low);
      continue;
    }
    if ((t.low === 'size' || t.low === 'sz') && all[i + 1]) {
      size = all[++i]!.raw.toUpperCase();
      continue;
    }
    if (SIZES.has(t.low) && (i > 0 || all.length > 1)) {
      size = t.raw.toUpperCase();
      continue;
    }
    if (/^\d{1,4}$/.test(t.low) && code === null && CLAIM_CORE.has(all[i - 1]?.low ?? '')) {
      // "claim 12", "sold 7": a number right after a claim word names a lot.
      code = normalizeCode(t.low);
      loose = true;
      continue;
    }
    if (/^\d{1,6}(?:\.\d{1,2})?$/.test(t.low)) {
      amounts.push(Number(t.low));
      words.push('#amount');
      continue;
    }
    if (POLITE.has(t.low)) continue;
    words.push(t.low);
  }
  if (words.length > MAX_CLAIM_WORDS) return undefined;
  const bid = readBid(words, amounts, code, quantity, size);
  if (bid) return bid;
  if (amounts.length > 0 && !words.includes('#amount')) return undefined;
  let joined = words.join(' ');
  for (const [phrase, as] of CLAIM_PHRASES) joined = joined.replace(phrase, as);
  if (words.includes('#amount')) {
    // "put me down for 2", "2 for me", "me 3": a small whole number beside a claim is a quantity.
    const n = amounts[0]!;
    const others = joined.split(' ').filter((w) => w !== '' && w !== '#amount');
    if (amounts.length !== 1 || quantity !== undefined || !Number.isInteger(n) || n < 1 || n > 20) return undefined;
    if (!others.some((w) => CLAIM_CORE.has(w))) return undefined;
    quantity = n;
    joined = others.join(' ');
  }
  words.splice(0, words.length, ...joined.split(' ').filter((w) => w !== ''));

  if (words.length > 0 && words.length <= 5 && (WITHDRAW_FIRST.has(words[0]!) || /^(?:i(?:'ll| will)? pass|never mind|changed my mind|not anymore|remove me|i'?m out)\b/.test(joined))) {
    if (words.every((w) => WITHDRAW_FIRST.has(w) || ['i', "i'll", 'ill', 'will', 'on', 'it', 'that', 'my', 'claim', 'never', 'mind', 'changed', 'not', 'anymore', 'remove', 'me', 'from', 'im', "i'm", 'out', 'sorry', 'for', 'the'].includes(w))) {
      return { kind: 'withdraw', code };
    }
  }
  if (/\b(?:wait ?list|waiting list|backup|back up|next in line)\b/.test(joined) && words.length <= MAX_CLAIM_WORDS) {
    if (!/\b(?:no|not|don'?t|off)\b/.test(joined)) return { kind: 'waitlist', code };
  }
  if (words.some((w) => w === 'out' || w === 'not' || w === "don't" || w === 'dont' || w === 'no')) return undefined;
  const claimy = words.every((w) => CLAIM_WORDS.has(w));
  if (!claimy) return undefined;
  const hasCore = words.some((w) => CLAIM_CORE.has(w));
  if (code !== null) {
    // "B7 pls", "C3!": a code alone is a claim when it looks like one (letters + digits or "#5"), not "14".
    // (codeAt never reads a bare number, so "14" alone stays chatter; "#14" and "lot 14" are codes.)
    // "A3 in M", "B7 x2": a code with a size or quantity is a claim too.
    if (!hasCore && words.length > 0 && size === undefined && quantity === undefined) return undefined;
  } else if (!hasCore) return undefined;
  return {
    kind: 'claim',
    code,
    ...(quantity !== undefined ? { quantity } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(loose ? { loose } : {}),
  };
}

/**
 * A bid: exactly one amount, and around it only bid words ("bid 30", "I'll do $40", "$45 from me") or
 * nothing ("25", "30!"). A dollar sign or a bid word makes any amount a bid; a bare number must be a
 * plausible price (not "0"). Quantities and sizes make it a claim, not a bid.
 */
function readBid(words: readonly string[], amounts: readonly number[], code: string | null, quantity: number | undefined, size: string | undefined): ViewerAction | undefined {
  if (amounts.length !== 1 || quantity !== undefined || size !== undefined) return undefined;
  const amount = amounts[0]!;
  if (!(amount > 0) || amount > 100_000) return undefined;
  const rest = words.filter((w) => w !== '#amount');
  if (!rest.every((w) => BID_WORDS.has(w))) return undefined;
  // "me", "for me" alone around a number ("2 for me") claims two; a bid needs a bid word or nothing.
  if (rest.length > 0 && !rest.some((w) => BID_CORE.has(w))) return undefined;
  return { kind: 'bid', code, amount };
}

/** A lot's name as a caller writes it ("c3", "a1 (2)") in the form the ledger stores ("C3", "A1 (2)"). */
export function normalizeLotName(name: string): string {
  const m = /^(.+?)\s*\((\d{1,4})\)$/.exec(name.trim());
  if (!m) return normalizeCode(name.replace(/^#/, ''));
  return `${normalizeCode(m[1]!.replace(/^#/, ''))} (${Number(m[2])})`;
}
