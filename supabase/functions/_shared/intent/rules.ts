/**
 * The rule classifier: runs on every message, in microseconds, with no network. It follows how
 * comment-selling tools read chat: a claim word at the START of a message ("sold", "mine", "dibs",
 * "claim", "I'll take it", "me please", "add me") is a claim; the same words after a subject, a
 * negation or a quoting verb are look-alikes ("I sold mine last year", "not mine", "she said sold").
 * What it cannot settle it marks `ambiguous` with a confidence below 0.7, for the LLM to look at.
 */
import { codeToken, extractDetails, isCount, isDetailToken, isSizeOrCode, STOP_WORDS, type Details } from './extract.ts';
import { tokenize } from './normalize.ts';
import type { Classification, Intent } from './types.ts';

/** Calibrated confidences, named so tests and readers see the scale in one place. */
export const CONFIDENCE = {
  /** A claim word at the start: "sold", "mine #14", "I'll take it". Details add a little. */
  claim: 0.9,
  /** A claim phrasing that is a little less certain: "I want it", "A2 sold", "give me 2". */
  softClaim: 0.8,
  /** A question: '?', a wh-word or an auxiliary opening ("do you...", "is it..."). */
  question: 0.9,
  questionNoMark: 0.8,
  /** A topic ask without question form: "shipping to canada", "price pls". */
  topicAsk: 0.72,
  /** A look-alike recognised as one: "sold out", "not mine", "she said sold". */
  lookAlike: 0.9,
  /** Nothing that resembles a claim or a question. */
  chatter: 0.85,
  /** A lone number ("1" when the host asks the room to type 1). */
  loneNumber: 0.75,
  /** The rules cannot tell; the LLM decides when configured. Always below 0.7. */
  unsure: 0.55,
  unsureLean: 0.6,
} as const;

/** Openers skipped before looking for a claim: "omg sold", "@host mine", "ok ill take it". */
const FILLERS = new Set([
  '@', 'ok', 'omg', 'oh', 'ooh', 'oo', 'ohh', 'yes', 'yeah', 'yea', 'yep', 'yup', 'yay', 'hey', 'hi', 'hello', 'wow',
  'um', 'umm', 'hmm', 'aw', 'aww', 'ah', 'ahh', 'lol', 'haha', 'lmao', 'girl', 'sis', 'babe', 'hun', 'so', 'and',
  'also', 'alright', 'please', 'woo', 'yesss', 'ayy', 'ooo', 'oooh', 'wait',
]);

/** Withdrawals (comment-selling "pass"/"cancel"): never a purchase; see {@link isWithdrawal}. */
const WITHDRAWALS: readonly (readonly string[])[] = [
  ['pass'], ['i', 'pass'], ['i', 'will', 'pass'], ['cancel'], ['nvm'], ['nevermind'], ['never', 'mind'], ['unclaim'],
  ['remove', 'me'], ['take', 'me', 'off'], ['changed', 'my', 'mind'], ['i', 'changed', 'my', 'mind'], ['not', 'anymore'],
  ['drop', 'me'],
];
const AFTER_WITHDRAWAL = new Set(['on', 'please', 'my', 'mine', 'it', 'that', 'this', 'for', 'me', 'lol', 'sorry', 'thanks', 'order', 'claim']);

const WH = new Set(['what', 'where', 'when', 'why', 'how', 'which', 'who', 'whose', 'whats']);
const AUX = new Set(['do', 'does', 'did', 'can', 'could', 'would', 'will', 'is', 'are', 'was', 'were', 'have', 'has', 'should', 'may', 'shall']);
const AUX_SUBJECTS = new Set([
  'you', 'i', 'we', 'it', 'this', 'that', 'these', 'those', 'there', 'they', 'he', 'she', 'the', 'a', 'an', 'your',
  'my', 'any', 'anyone', 'someone', 'shipping', 'returns',
]);
/** "how cute", "what a beauty": exclamations, not questions (unless a '?' says otherwise). */
const EXCLAIMED = new Set([
  'cute', 'pretty', 'beautiful', 'gorgeous', 'adorable', 'lovely', 'cool', 'awesome', 'amazing', 'fun', 'nice', 'sweet',
  'fab', 'stunning', 'fire', 'a',
]);
const TOPICS = new Set([
  'shipping', 'ship', 'ships', 'shipped', 'return', 'returns', 'refund', 'refunds', 'exchange', 'measurements',
  'measurement', 'measure', 'price', 'prices', 'cost', 'costs', 'tts', 'sizing', 'inseam', 'length', 'waist',
  'available', 'restock', 'restocking', 'tracking', 'payment', 'paypal', 'invoice', 'wondering', 'curious',
]);
/**
 * Words that alone, with or without '?', are a reaction, not a question: "what?!", "HOW", "why", "huh?".
 * A question needs something asked about ("price?", "fps?" are questions; "what?" is surprise).
 */
const REACTION_WORDS = new Set(['what', 'how', 'why', 'who', 'huh', 'really', 'seriously', 'srsly', 'wut', 'eh', 'hm', 'hmm']);
/** After "what the": an exclamation ("what the heck", "WHAT THE HELL", "what the actual..."). */
const EXPLETIVES = new Set(['heck', 'hell', 'fuck', 'f', 'frick', 'fck', 'actual', 'flip', 'crap', 'dang', 'sigma']);
/** Interjections that turn a lone wh-word into a cry: "WHAT NOOOO", "how bro", "why lol". */
const INTERJECTIONS = new Set([
  'no', 'nah', 'way', 'omg', 'lol', 'lmao', 'lmfao', 'bro', 'bruh', 'dude', 'man', 'yes', 'oh', 'god', 'kekw', 'lul',
  'lulw', 'omegalul', 'haha', 'xd', 'wtf', 'damn', 'wow',
]);
const LAUGHTER = new Set(['lol', 'lmao', 'lmfao', 'kekw', 'lul', 'lulw', 'omegalul', 'haha', 'xd', 'rofl', 'jaja']);
/**
 * Common disbelief idioms of chat, said without waiting for an answer. Matched only as the entire
 * message, so "is this real leather?" still asks.
 */
const RHETORICAL: readonly (readonly string[])[] = [
  ['who', 'asked'], ['who', 'cares'], ['are', 'you', 'kidding', 'me'], ['are', 'you', 'kidding'], ['you', 'kidding', 'me'],
  ['are', 'you', 'serious'], ['you', 'serious'], ['is', 'this', 'real', 'life'], ['is', 'this', 'real'],
  ['did', 'he', 'just'], ['did', 'she', 'just'], ['did', 'they', 'just'], ['did', 'that', 'just', 'happen'],
  ['did', 'that', 'really', 'just', 'happen'], ['did', 'he', 'really', 'just', 'do', 'that'], ['what', 'was', 'that'],
  ['how', 'is', 'that', 'possible'], ['why', 'are', 'you', 'like', 'this'], ['who', 'is', 'going', 'to', 'tell', 'him'],
  ['who', 'did', 'this'], ['what', 'is', 'happening'],
];
/** Subjects that make a question about the host or the room ("how did you...", "anyone know..."). */
const SECOND_PERSON = new Set(['you', 'your', 'i', 'we', 'my', 'our', 'anyone', 'anybody', 'someone']);

/** Verbs that, after "can I" / "could you", turn a question into a request to buy. */
const BUY_VERBS = new Set(['get', 'have', 'claim', 'buy', 'take', 'grab', 'order', 'purchase', 'reserve', 'hold', 'add']);

/** Before "sold"/"mine"/"dibs"/"claim" these mark a look-alike: subjects, negations, quoting verbs. */
const LOOKALIKE_BEFORE = new Set([
  'not', 'no', 'never', 'i', 'we', 'you', 'he', 'she', 'they', 'is', 'was', 'were', 'be', 'been', 'being', 'get', 'got',
  'gets', 'getting', 'already', 'almost', 'all', 'just', 'said', 'say', 'says', 'saying', 'type', 'typed', 'typing',
  'comment', 'write', 'has', 'have', 'had', 'are', 'like', 'of', 'than', 'as', 'with', 'called', 'call', 'yours',
  'everything', 'item', 'items', 'lot', 'lots', 'those', 'these', 'what', 'who', 'quickly', 'fast',
]);
/** After "mine", these mean the speaker already owns one: "mine came yesterday", "mine is the same". */
const MINE_THEN_VERB = new Set([
  'came', 'come', 'comes', 'arrived', 'is', 'was', 'were', 'are', 'has', 'had', 'have', 'looks', 'look', 'fits',
  'fit', 'got', 'get', 'broke', 'ripped', 'tore', 'just', 'already', 'still', 'never', 'did', 'does', 'do', 'shipped',
  'took', 'takes', 'says', 'said', 'from', 'sold', 'went', 'goes', 'will', 'would', 'should', 'can', 'could',
  'lasted', 'faded', 'shrunk', 'shrank', 'and', 'too', 'not', 'either', 'neither', 'also', 'always', 'washed',
  'wore', 'held', 'holds', 'runs', 'ran', 'needs', 'needed', 'stayed', 'smells', 'feels', 'felt',
]);
/** After "sold": "sold out", "sold to @x", "sold my...", "sold it last week" are not claims. */
const SOLD_THEN_NOT = new Set([
  'out', 'by', 'my', 'mine', 'his', 'her', 'hers', 'their', 'theirs', 'our', 'ours', 'yours', 'it', 'them', 'already', 'last', 'yesterday',
  'before', 'earlier', 'fast', 'quick', 'quickly', 'again', 'for',
]);
const TAKE_THEN_NOT = new Set(['look', 'note', 'care', 'pics', 'pictures', 'photos', 'picture', 'photo', 'break', 'off', 'over', 'time', 'your']);
const OBJECTS = new Set(['it', 'this', 'that', 'one', 'them', 'those', 'these', 'the', 'all', 'both', 'a', 'an', 'two', 'three']);
const DISTINCTIVE = new Set(['sold', 'mine', 'dibs', 'claim', 'claiming', 'claimed']);

type ClaimKind = 'claim' | 'soft' | 'unsure' | 'lookalike';
interface ClaimMatch {
  kind: ClaimKind;
  /** The tokens after the claim phrase. */
  rest: string[];
}

const startsWith = (tokens: readonly string[], at: number, phrase: readonly string[]): boolean =>
  phrase.every((word, k) => tokens[at + k] === word);

/** Matches a claim phrase at `at`; returns the kind and the words after it, or null. */
function matchClaimAt(tokens: readonly string[], at: number): ClaimMatch | null {
  const t0 = tokens[at];
  const rest = (n: number): string[] => tokens.slice(at + n);
  const r = (n: number): string | undefined => tokens[at + n];
  if (t0 === undefined) return null;

  switch (t0) {
    case 'sold': {
      const next = r(1);
      if (next === 'to' && r(2) !== 'me') return { kind: 'lookalike', rest: rest(1) };
      if (next !== undefined && SOLD_THEN_NOT.has(next)) return { kind: 'lookalike', rest: rest(1) };
      return { kind: 'claim', rest: rest(1) };
    }
    case 'mine': {
      const next = r(1);
      if (next === 'too') return { kind: 'unsure', rest: rest(2) };
      if (next !== undefined && MINE_THEN_VERB.has(next)) return { kind: 'lookalike', rest: rest(1) };
      return { kind: 'claim', rest: rest(1) };
    }
    case 'dibs':
    case 'claim':
    case 'claiming':
      return { kind: 'claim', rest: rest(1) };
    case 'claimed':
      return r(1) === 'by' || r(1) === 'already' ? { kind: 'lookalike', rest: rest(1) } : { kind: 'claim', rest: rest(1) };
    case 'buying':
      // "buying!", "buying this", "buying A2"; "buying a house this year" is news, not a claim.
      return claimObject(tokens, at + 1) ? { kind: 'claim', rest: rest(1) } : null;
    case 'add':
      // "add me", "add me for 2"; "add me on insta" is not a claim.
      if (r(1) !== 'me') return null;
      if ((r(2) === 'on' || r(2) === 'at') && r(3) !== undefined && !isDetailToken(r(3)!)) return null;
      return { kind: 'claim', rest: rest(2) };
    case 'count':
    case 'sign':
      // "count me in", "sign me up (for 2)"; "count me out" is the opposite.
      return r(1) === 'me' && r(2) === (t0 === 'count' ? 'in' : 'up') && (r(3) === undefined || r(3) === 'for' || r(3) === 'please')
        ? { kind: 'soft', rest: rest(3) }
        : null;
    case 'ring':
      return (r(1) === 'it' || r(1) === 'me' || r(1) === 'that') && r(2) === 'up' ? { kind: 'soft', rest: rest(3) } : null;
    case 'hold':
    case 'save':
    case 'grab':
      // "hold it for me", "save me one", "grab C1 for me"; "hold on", "save the best for last" are not claims.
      if (r(1) === 'me' && r(2) !== undefined && (r(2) === 'one' || r(2) === 'it' || r(2) === 'that' || isDetailToken(r(2)!) || isCount(r(2)!))) {
        return { kind: 'soft', rest: rest(2) };
      }
      if (r(1) !== undefined && (['it', 'that', 'this', 'one'].includes(r(1)!) || isDetailToken(r(1)!)) && r(2) === 'for' && r(3) === 'me') {
        return { kind: 'soft', rest: [r(1)!, ...rest(4)] };
      }
      return null;
    case 'me': {
      const next = r(1);
      if (next === 'please') return { kind: 'claim', rest: rest(2) };
      // "ME! sold", "🙋 mine" (the hand reads as "me"): "me" then a claim word is that claim.
      if (next !== undefined && DISTINCTIVE.has(next)) {
        const then = matchClaimAt(tokens, at + 1);
        if (then?.kind === 'claim') return then;
      }
      if (next === undefined) return { kind: 'unsure', rest: [] };
      if (next === 'too' || next === 'next' || next === 'me') return { kind: 'unsure', rest: rest(2) };
      if (next === 'neither' || next === 'either') return null;
      if (isDetailToken(next) || /^\d/.test(next)) return { kind: 'soft', rest: rest(1) };
      // "me!! omg" may be a claim; "me and my sister love this show" is chatter.
      return rest(1).length <= 2 ? { kind: 'unsure', rest: rest(1) } : null;
    }
    case 'give':
      if (r(1) !== 'me') return null;
      // "gimme!" alone claims; "gimme a sec" asks for time.
      if (r(2) === undefined) return { kind: 'soft', rest: [] };
      if ((r(2) === 'a' || r(2) === 'an') && r(3) !== undefined && !isDetailToken(r(3)!) && r(3) !== 'one') return null;
      return OBJECTS.has(r(2)!) || isDetailToken(r(2)!) || /^\d/.test(r(2)!) ? { kind: 'soft', rest: rest(2) } : null;
    case 'let':
      return r(1) === 'me' && (r(2) === 'get' || r(2) === 'grab' || r(2) === 'buy') ? { kind: 'claim', rest: rest(3) } : null;
    case 'that':
    case 'it':
      return r(1) === 'is' && r(2) === 'mine' && r(3) === undefined ? { kind: 'soft', rest: [] } : null;
    case 'yes':
      return r(1) === 'please' && (r(2) === undefined || isDetailToken(r(2)!)) ? { kind: 'unsure', rest: rest(2) } : null;
    case 'i':
      return matchFirstPerson(tokens, at + 1);
    case 'will':
      return r(1) === 'take' ? takeClaim(tokens, at + 2, 'claim') : null;
    case 'want':
    case 'need':
    case 'buy':
      return matchWant(t0, tokens, at + 1);
    case 'take':
      // "take my money": on a show that sells, a buyer; with nothing on offer it is settled to chatter.
      if (r(1) === 'my' && r(2) === 'money') return { kind: 'soft', rest: rest(3) };
      return null;
    case 'shut':
      return startsWith(tokens, at, ['shut', 'up', 'and', 'take', 'my', 'money']) ? { kind: 'soft', rest: rest(6) } : null;
    case 'put':
      // "put me down for 2", "put me down for the scarf"; "put it down" is not a claim.
      if (r(1) === 'me' && r(2) === 'down') return r(3) === 'for' ? { kind: 'soft', rest: rest(4) } : { kind: 'soft', rest: rest(3) };
      return null;
    case 'cop':
    case 'copping':
    case 'coppin': {
      // "copping that", "cop!", "cop A2"; "cop or drop" asks.
      const next = r(1);
      if (next === undefined || OBJECTS.has(next) || isDetailToken(next) || /^[#\d]/.test(next) || next === 'please') return { kind: 'soft', rest: rest(1) };
      return null;
    }
    default:
      return null;
  }
}

/** After "i": "i will take/buy/get", "i claim", "i am claiming", "i want/need...", "i would take". */
function matchFirstPerson(tokens: readonly string[], at: number): ClaimMatch | null {
  const a = tokens[at];
  const b = tokens[at + 1];
  if (a === 'will' && b === 'take') return takeClaim(tokens, at + 2, 'claim');
  if (a === 'will' && (b === 'buy' || b === 'get' || b === 'grab' || b === 'have' || b === 'claim')) {
    // "I'll buy it", "I'll grab that"; "I'll buy lunch later" is not about the lot.
    return claimObject(tokens, at + 2) ? { kind: 'claim', rest: tokens.slice(at + 2) } : null;
  }
  // "I'd like it", "I'd love that one", "I'd like C1"; "I'd like to see it" asks (see matchWant).
  if (a === 'would' && (b === 'like' || b === 'love')) return matchWant('want', tokens, at + 2);
  // "I'm in", "im in for 2"; "I'm in Texas" is not a claim.
  if (a === 'am' && b === 'in' && (tokens[at + 2] === undefined || tokens[at + 2] === 'for')) return { kind: 'soft', rest: tokens.slice(at + 3) };
  if (a === 'would' && (b === 'take' || b === 'buy')) return { kind: 'unsure', rest: tokens.slice(at + 2) };
  if (a === 'take') return takeClaim(tokens, at + 1, 'soft');
  if (a === 'claim' || a === 'call' || a === 'dibs') {
    // "i claim nothing", "i call the next game": no lot claimed.
    const next = tokens[at + 1];
    if (next === 'nothing' || next === 'none' || (next !== undefined && a === 'call' && !claimObject(tokens, at + 1) && next !== 'dibs')) return null;
    return { kind: 'claim', rest: tokens.slice(at + 1) };
  }
  if (a === 'am' && (b === 'claiming' || b === 'buying' || b === 'taking' || b === 'copping')) return { kind: 'claim', rest: tokens.slice(at + 2) };
  if (a === 'want' || a === 'need') return matchWant(a, tokens, at + 1);
  return null;
}

/** Words after which a claim is about another time ("dibs on next week", "I'll buy it later"). */
const LATER = new Set(['later', 'tomorrow', 'yesterday', 'someday', 'eventually']);
const NEXT_TIME = new Set(['week', 'time', 'stream', 'show', 'month', 'year', 'live', 'game']);

/** Whether the words say the claim is for another time, not the lot on screen. */
function aboutAnotherTime(rest: readonly string[]): boolean {
  return rest.some((t, k) => LATER.has(t) || (t === 'next' && NEXT_TIME.has(rest[k + 1] ?? '')));
}

/**
 * Whether what follows a buying verb is the lot: nothing ("buying!"), a pronoun ("buying it", "that
 * one"), a detail ("A2", "2", "size M"), or "the" and at most two words ("the bag"). "a house this year"
 * is not.
 */
function claimObject(tokens: readonly string[], at: number): boolean {
  const next = tokens[at];
  const rest = tokens.slice(at);
  if (aboutAnotherTime(rest)) return false;
  if (next === undefined || next === 'please' || next === 'lol') return true;
  if (['it', 'this', 'that', 'one', 'them', 'these', 'those', 'both', 'all'].includes(next) || isDetailToken(next) || isCount(next) || /^[#\d]/.test(next)) return true;
  return next === 'the' && rest.length <= 3;
}

function takeClaim(tokens: readonly string[], at: number, kind: ClaimKind): ClaimMatch | null {
  const next = tokens[at];
  if (next !== undefined && TAKE_THEN_NOT.has(next)) return null;
  if (next === 'a' && tokens[at + 1] !== undefined && TAKE_THEN_NOT.has(tokens[at + 1]!)) return null;
  if (next === 'it' && (tokens[at + 1] === 'easy' || tokens[at + 1] === 'back')) return null;
  return { kind, rest: tokens.slice(at) };
}

/** "want"/"need"/"buy": with an object or details a soft claim, alone unsure, "want to see" not a claim. */
function matchWant(verb: string, tokens: readonly string[], at: number): ClaimMatch | null {
  const next = tokens[at];
  const rest = tokens.slice(at);
  if (next === undefined || next === 'please') return { kind: 'unsure', rest };
  if (next === 'to') {
    const then = tokens[at + 1];
    return then !== undefined && BUY_VERBS.has(then) && verb !== 'need' ? { kind: 'soft', rest: tokens.slice(at + 2) } : null;
  }
  if (verb === 'need' && (next === 'it' || next === 'this' || next === 'that' || next === 'one')) return { kind: 'unsure', rest };
  // "I need a bigger closet": an article then a plain word is a wish, not this lot ("I want a medium" is).
  if ((next === 'a' || next === 'an') && !(tokens[at + 1] !== undefined && (isDetailToken(tokens[at + 1]!) || tokens[at + 1] === 'one'))) return null;
  if (OBJECTS.has(next) || isDetailToken(next) || /^[#\d]/.test(next)) return { kind: 'soft', rest };
  // "I want item 9 in large": the details make it a claim even without "it"/"that".
  return extractDetails(rest).count > 0 ? { kind: 'soft', rest } : null;
}

/** Skips openers ("omg", "@host", "ok") and codes written before the claim ("A2 sold"), then matches. */
function findClaim(tokens: readonly string[]): ClaimMatch | null {
  let at = 0;
  while (at < tokens.length) {
    const match = matchClaimAt(tokens, at);
    if (match) return match;
    if (!FILLERS.has(tokens[at]!)) break;
    at++;
  }
  const forMe = forMeClaim(tokens.slice(at));
  if (forMe) return forMe;
  // "A2 sold", "#14 mine", "size m dibs": details first, then a distinctive claim word.
  let k = at;
  while (k < tokens.length && k - at < 3 && (isDetailToken(tokens[k]!) || tokens[k] === 'size')) k++;
  if (k > at && k < tokens.length && DISTINCTIVE.has(tokens[k]!)) {
    const match = matchClaimAt(tokens, k);
    if (match && match.kind === 'claim') return { kind: 'soft', rest: [...tokens.slice(at, k), ...match.rest] };
    return match;
  }
  return null;
}

/** What may stand before "for me" in a claim: "A1 for me", "lot 6 for me", "2 for me", "the blue one for me". */
const FOR_ME_AFTER = new Set(['please', 'lol', 'thanks', 'thx', 'ty', 'pls', 'plz']);

/**
 * "A1 for me", "lot 6 for me please", "2 for me", "that one for me": a lot, a count or an object, then
 * "for me" ending the message. A soft claim; "not for me", "good for me", "too big for me" are not.
 */
function forMeClaim(tokens: readonly string[]): ClaimMatch | null {
  const i = tokens.findIndex((t, k) => t === 'for' && (tokens[k + 1] === 'me' || tokens[k + 1] === 'my'));
  if (i <= 0 || i > 4) return null;
  const mine = tokens[i + 1] === 'my';
  // "C1 for my daughter": for someone of mine, one or two words, and only after a lot code or a count.
  const after = mine ? tokens.slice(i + 2).filter((t) => !FOR_ME_AFTER.has(t)) : [];
  if (mine && (after.length === 0 || after.length > 2)) return null;
  if (!mine && !tokens.slice(i + 2).every((t) => FOR_ME_AFTER.has(t))) return null;
  const before = tokens.slice(0, i);
  const details = before.every((t) => isDetailToken(t) || isCount(t) || CODE_WORDS.has(t) || t === 'size');
  const object = !mine && OBJECTS.has(before[0]!) && before[0] !== 'all' && before.length <= 3;
  if (!details && !object) return null;
  if (details && !before.some((t) => isDetailToken(t) || isCount(t))) return null;
  return { kind: 'soft', rest: before };
}

/** Words that make an amount a bid on their own: "bid 30", "30 bid", "my bid 30", "i bid 30". */
const BID_WORDS = new Set(['bid', 'bidding', 'bids']);
/** Around a bare amount, words that keep it a bid lean: "30!", "30 here", "$35 from me", "40 bucks". */
const AMOUNT_FILLER = new Set(['here', 'from', 'me', 'please', 'lol', 'dollars', 'dollar', 'bucks', 'usd', 'pls', 'plz']);
const AMOUNT = /^[$\u20ac\u00a3]?(\d{1,6}(?:\.\d{1,2})?)$/;

/**
 * A bid in a chat auction: "bid 30", "30 bid", "my bid 30", "bid 30 on A1" (a claim), "I'll do $40",
 * "I'll go 50" (a soft claim), or a bare amount ("25", "$35", "30 here": a lean, a purchase only while an
 * auction is open). Returns undefined for anything else; counts 1-5 alone stay the room answering.
 */
function readBid(words: readonly string[]): { kind: 'claim' | 'soft' | 'amount'; amount: number; code?: string } | undefined {
  const w = stripFillers(words).filter((t) => t !== 'please' && t !== 'pls' && t !== 'plz' && t !== 'lol');
  if (w.length === 0 || w.length > 6) return undefined;
  const amounts = w.map((t) => AMOUNT.exec(t)).filter((m): m is RegExpExecArray => m !== null);
  if (amounts.length !== 1) return undefined;
  const amount = Number(amounts[0]![1]);
  if (!(amount > 0)) return undefined;
  const at = w.findIndex((t) => AMOUNT.test(t));
  const rest = w.filter((_t, k) => k !== at);
  // "bid 30 on A1": the lot after "on".
  let code: string | undefined;
  const on = rest.indexOf('on');
  if (on >= 0 && on === rest.length - 2 && codeToken(rest[on + 1]!) !== undefined) {
    code = codeToken(rest[on + 1]!);
    rest.splice(on, 2);
  }
  const joined = rest.join(' ');
  if (/^(?:i |my )?(?:bid|bidding)$/.test(joined) || (joined === 'bid' && at === 0) || /^(?:bid|bids)$/.test(joined)) return { kind: 'claim', amount, ...(code ? { code } : {}) };
  if (/^i (?:will|would|can|could) (?:do|go|pay|bid)$|^i(?:d| would) (?:do|go|pay)$|^(?:will|can) (?:do|go|pay)$/.test(joined)) {
    return { kind: 'soft', amount, ...(code ? { code } : {}) };
  }
  if (rest.every((t) => AMOUNT_FILLER.has(t)) && !(rest.length === 0 && /^\d$/.test(w[at]!) && amount <= 5)) {
    // A bare count 1-5 answers the host ("type 1"); "6" and up, or "$5", may be a bid.
    if (rest.length === 0 && /^\d+$/.test(w[at]!) && amount <= 5) return undefined;
    return { kind: 'amount', amount };
  }
  return undefined;
}

/** Splits tokens into clauses at '?' and says which clauses were questions. */
function clausesOf(tokens: readonly string[]): Array<{ words: string[]; asked: boolean }> {
  const clauses: Array<{ words: string[]; asked: boolean }> = [];
  let current: string[] = [];
  for (const t of tokens) {
    if (t === '?') {
      clauses.push({ words: current, asked: true });
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0 || clauses.length === 0) clauses.push({ words: current, asked: false });
  return clauses;
}

function stripFillers(tokens: readonly string[]): string[] {
  let at = 0;
  while (at < tokens.length && FILLERS.has(tokens[at]!)) at++;
  return tokens.slice(at);
}

/**
 * A reaction dressed as a question: a bare '?', a lone wh-word ("what?!", "HOW"), "what the heck",
 * a wh-word with only interjections ("WHAT NOOOO"), a rhetorical idiom ("who asked", "are you kidding
 * me"), or a wh/aux sentence about something on screen that ends in laughter without a '?' ("how is
 * that possible lmao"). Checked before anything else counts as a question.
 */
function isReaction(tokens: readonly string[]): boolean {
  const asked = tokens.includes('?');
  if (tokens.every((t) => t === '?')) return true;
  const words = stripFillers(tokens.filter((t) => t !== '?'));
  const core = words.filter((t) => !LAUGHTER.has(t));
  if (core.length === 0) return false;
  if (core.length === 1 && REACTION_WORDS.has(core[0]!)) return true;
  const [a, b, c] = core;
  if (a === 'what' && b === 'the' && (c === undefined || EXPLETIVES.has(c))) return true;
  if (WH.has(a!) && core.length > 1 && core.slice(1).every((t) => INTERJECTIONS.has(t))) return true;
  if (RHETORICAL.some((idiom) => idiom.length === core.length && startsWith(core, 0, idiom))) return true;
  // "what is this lmao", "how did that hit lol": about the screen, laughing, not asking.
  const last = words[words.length - 1];
  if (!asked && last !== undefined && LAUGHTER.has(last) && (WH.has(a!) || AUX.has(a!)) && !core.some((t) => SECOND_PERSON.has(t))) {
    return true;
  }
  return false;
}

type QuestionForm = 'wh' | 'aux' | 'topic' | 'request' | null;

/** How a clause asks: a wh-word, an auxiliary opening, a topic word, or a request to buy ("can I get 2"). */
function questionForm(words: readonly string[]): QuestionForm {
  const w = stripFillers(words);
  const [a, b, c] = w;
  if (a === undefined) return null;
  if (WH.has(a)) {
    if ((a === 'how' || a === 'what') && b !== undefined && EXCLAIMED.has(b) && !(a === 'what' && b === 'a' && c === 'size')) return null;
    return 'wh';
  }
  if ((a === 'can' || a === 'could' || a === 'may') && (b === 'i' || b === 'we') && c !== undefined && BUY_VERBS.has(c)) return 'request';
  if ((a === 'can' || a === 'could' || a === 'would' || a === 'will') && b === 'you' && (c === 'add' || c === 'hold' || c === 'save')) {
    return 'request';
  }
  // "May the best win" is a wish: "may" asks only with "I"/"we" ("may I see the back").
  if (a === 'may' && b !== 'i' && b !== 'we') return null;
  // "do it", "do the dance": an imperative ("do the jeans run small" goes on with a verb, so it asks).
  if (a === 'do' && (b === 'it' || b === 'this' || b === 'that' || ((b === 'the' || b === 'a') && w.length <= 3))) return null;
  if (AUX.has(a) && b !== undefined && (AUX_SUBJECTS.has(b) || codeToken(b) !== undefined)) return 'aux';
  // "hannah what size are you wearing": a name, then a question to the host.
  if (b !== undefined && WH.has(b) && w.length >= 4 && !EXCLAIMED.has(c ?? '') && w.slice(2).some((t) => t === 'you' || t === 'your')) {
    return 'wh';
  }
  // "stream lagging for anyone else": asking the room.
  if (w.length >= 3 && startsWith(w, w.length - 2, ['anyone', 'else'])) return 'aux';
  if (startsWith(w, 0, ['i', 'want', 'to', 'know']) || w.includes('wondering') || w.includes('curious')) return 'aux';
  if (a === 'any' || a === 'anyone' || a === 'anybody') return 'aux';
  // Short asks only: "shipping to canada", "price pls"; a long sentence with "shipping" is a statement.
  if (w.length <= 5 && w.some((t) => TOPICS.has(t))) return 'topic';
  return null;
}

/**
 * Details alone, with no other words: a size, a code or a count ("M", "AA 10", "two please").
 * Returns 'count' for a lone small number (the room answering "type 1 if you're here").
 */
function bareDetails(core: readonly string[], polite: boolean): Details | 'count' | null {
  if (core.length === 0 || core.length > 3) return null;
  const shapeOk = core.every((t) => isDetailToken(t) || isCount(t) || /^\d/.test(t) || CODE_WORDS.has(t) || /^[a-z]{1,3}$/.test(t));
  if (!shapeOk) return null;
  const details = extractDetails(core, { bareNumbers: true });
  if (details.item !== undefined) return null;
  if (details.itemCode !== undefined || core.some(isSizeOrCode)) return details;
  if (core.every(isCount)) {
    if (polite) return details;
    // "10" or "32" may be a size (or a bid); "1" and "2" are the room answering the host.
    return core.length === 1 && Number(core[0]) >= 6 ? details : 'count';
  }
  return null;
}
const CODE_WORDS = new Set(['lot', 'item', 'no', 'number', 'num', 'code']);

/** Whether a distinctive claim word sits in a look-alike frame anywhere in the message. */
function hasLookAlike(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!DISTINCTIVE.has(t)) continue;
    const before = [tokens[i - 1], tokens[i - 2]].filter((x): x is string => x !== undefined);
    if (before.some((b) => LOOKALIKE_BEFORE.has(b))) return true;
    if (before[0] === 'my' || before[0] === 'your') return true;
    const after = tokens[i + 1];
    if (t === 'sold' && after !== undefined && (SOLD_THEN_NOT.has(after) || after === 'to')) return true;
    if (t === 'mine' && after !== undefined && MINE_THEN_VERB.has(after)) return true;
  }
  return false;
}

/** Whether the message ends on a distinctive claim word ("love it, sold"), allowing details after it. */
function endsOnClaimWord(tokens: readonly string[]): boolean {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (DISTINCTIVE.has(t)) return true;
    if (!(isDetailToken(t) || /^\d/.test(t) || t === 'please' || t === 'lol' || t === 'size' || FILLERS.has(t))) return false;
  }
  return false;
}

function build(intent: Intent, confidence: number, ambiguous: boolean, details?: Details): Classification {
  const out: Classification = { intent, confidence: round(confidence), source: 'rules', ambiguous };
  if (details) {
    if (details.quantity !== undefined) out.quantity = details.quantity;
    if (details.price !== undefined) out.price = details.price;
    if (details.itemCode !== undefined) out.itemCode = details.itemCode;
    if (details.size !== undefined) out.size = details.size;
    if (details.item !== undefined && intent === 'purchase') out.item = details.item;
  }
  return out;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Long trailing chatter after a claim ("sold! my daughter will love it, she has...") lowers the score a little. */
function claimConfidence(base: number, details: Details, rest: readonly string[]): number {
  const chatter = rest.filter((t) => !STOP_WORDS.has(t) && !isDetailToken(t) && !/^[\d#$]/.test(t)).length;
  const boosted = base + Math.min(0.07, details.count * 0.025);
  return chatter > 8 ? boosted - 0.1 : boosted;
}

/** True for a withdrawal ("pass", "cancel", "nvm", "remove me"): the backend may release a claim. */
export function isWithdrawal(text: string): boolean {
  return withdrawalIn(stripFillers(clausesOf(tokenize(text))[0]!.words));
}

function withdrawalIn(words: readonly string[]): boolean {
  return WITHDRAWALS.some((phrase) => {
    if (!startsWith(words, 0, phrase)) return false;
    if (phrase.length > 1) return true;
    // A lone "pass"/"cancel" must stand alone or point at the claim ("pass on A2", "cancel my 2"), not "pass the aux".
    const next = words[1];
    return next === undefined || AFTER_WITHDRAWAL.has(next) || isDetailToken(next) || /^[#\d]/.test(next);
  });
}

/**
 * Classifies one message by rules alone. Never throws; any text (empty, huge, emoji-only, hostile) gets
 * a result. `source` is always 'rules'.
 */
export function classifyRules(text: string): Classification {
  const tokens = tokenize(typeof text === 'string' ? text : '');
  if (tokens.length === 0 || tokens.every((t) => t === '@')) return build('other', CONFIDENCE.chatter, false);
  if (isReaction(tokens)) return build('other', CONFIDENCE.chatter, false);

  const clauses = clausesOf(tokens);
  const first = clauses[0]!;
  const asked = tokens.includes('?');
  const words = tokens.filter((t) => t !== '?');

  if (withdrawalIn(stripFillers(first.words))) {
    return first.asked ? build('question', CONFIDENCE.questionNoMark, false) : build('other', CONFIDENCE.lookAlike, false);
  }

  if (!asked) {
    const bid = readBid(words);
    if (bid && bid.kind !== 'amount') {
      const out = build('purchase', bid.kind === 'claim' ? CONFIDENCE.claim : CONFIDENCE.softClaim, false);
      return { ...out, bid: bid.amount, price: bid.amount, ...(bid.code ? { itemCode: bid.code } : {}) };
    }
    if (bid) {
      // A bare amount: a bid only while an auction is open (settleVerdict), else a size or a number.
      const bare = bareDetails(stripFillers(words), false);
      const details = bare && bare !== 'count' ? bare : undefined;
      return { ...build('purchase', CONFIDENCE.unsure, true, details), bid: bid.amount };
    }
  }

  const claim = findClaim(first.words);
  if (claim && claim.kind !== 'lookalike' && aboutAnotherTime(claim.rest)) return build('other', CONFIDENCE.lookAlike, false);
  if (claim && claim.kind !== 'lookalike') {
    const details = extractDetails(claim.rest, { bareNumbers: true });
    if (claim.kind === 'unsure') {
      return build(first.asked ? 'question' : 'purchase', first.asked ? CONFIDENCE.unsure : CONFIDENCE.unsureLean, true, details);
    }
    // "mine?", "sold?", "sold 2 size M?": a claim word asked as a question.
    if (first.asked) {
      // "sold! do you ship to canada?" leans purchase; a bare "mine?" leans question.
      const leansPurchase = details.count > 0 || questionForm(claim.rest) !== null;
      return build(leansPurchase ? 'purchase' : 'question', CONFIDENCE.unsure, true, details);
    }
    // "sold! ship to canada?": a claim followed by a question: mixed signals.
    if (asked) return build('purchase', CONFIDENCE.unsureLean, true, details);
    const base = claim.kind === 'claim' ? CONFIDENCE.claim : CONFIDENCE.softClaim;
    return build('purchase', claimConfidence(base, details, claim.rest), false, details);
  }
  if (claim?.kind === 'lookalike') {
    return asked ? build('question', CONFIDENCE.question, false) : build('other', CONFIDENCE.lookAlike, false);
  }

  // A claim opening a later clause: "is it still available? I'll take it".
  const laterClaim = clauses.slice(1).some((c) => {
    const m = findClaim(c.words);
    return m !== null && (m.kind === 'claim' || m.kind === 'soft');
  });

  const form = questionForm(first.words) ?? (asked ? questionForm(clauses.find((c) => c.asked)?.words ?? []) : null);
  if (form === 'request') {
    return build('question', CONFIDENCE.unsure, true, extractDetails(words, { bareNumbers: true }));
  }
  if (form !== null || asked) {
    const details = extractDetails(words);
    if (laterClaim) return build('purchase', CONFIDENCE.unsureLean, true, extractDetails(words, { bareNumbers: true }));
    if (asked) return build('question', form === null || form === 'topic' ? CONFIDENCE.question - 0.05 : CONFIDENCE.question, false, details);
    if (form === 'topic') return build('question', CONFIDENCE.topicAsk, false, details);
    return build('question', CONFIDENCE.questionNoMark, false, details);
  }

  // A lot code alone, maybe repeated or with "yes"/"please" ("C1!!!", "c1 pls", "C1 C1 C1", "yes C1"): how
  // viewers claim on a show that sells (a soft claim; with nothing on offer it is settled to chatter).
  const lone = stripFillers(words).filter((t) => t !== 'please' && t !== 'yes');
  if (lone.length >= 1 && lone.length <= 3 && new Set(lone).size === 1 && /^[a-z]{1,2}\d{1,4}$/.test(lone[0]!) && codeToken(lone[0]!) !== undefined) {
    return build('purchase', CONFIDENCE.softClaim, false, extractDetails([lone[0]!]));
  }
  // "2 please", "two please", "3 of them please": a count asked for politely is a quantity claim.
  const counted = stripFillers(words).filter((t) => t !== 'please');
  if (words.includes('please') && counted.length >= 1 && isCount(counted[0]!) && (counted.length === 1 || (counted.length === 3 && counted[1] === 'of' && ['them', 'those', 'these'].includes(counted[2]!)))) {
    return build('purchase', CONFIDENCE.softClaim, false, extractDetails([counted[0]!], { bareNumbers: true }));
  }
  // A bare size or code ("M", "10.5", "AA 10", "lot 5 please"): a claim in a "say your size" sale, or nothing.
  const bare = bareDetails(stripFillers(words).filter((t) => t !== 'please' && t !== 'size'), words.includes('please'));
  if (bare === 'count') return build('other', CONFIDENCE.loneNumber, false);
  if (bare) return build('purchase', CONFIDENCE.unsure, true, bare);

  if (tokens.some((t) => DISTINCTIVE.has(t))) {
    if (hasLookAlike(tokens)) return build('other', CONFIDENCE.lookAlike, false);
    if (endsOnClaimWord(words)) return build('purchase', CONFIDENCE.unsureLean, true, extractDetails(words, { bareNumbers: true }));
    return build('other', CONFIDENCE.unsureLean, true);
  }
  return build('other', CONFIDENCE.chatter, false);
}
