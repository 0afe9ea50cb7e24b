/**
 * Turns hostile, noisy chat text into a small canonical token list the rules can match:
 * lower case, no emoji or decoration, stretched words squeezed ("soooold" -> "sold"), contractions
 * spelled out ("I'll"/"ill take" -> "i will take"), '?' as its own token, and the characters that carry
 * meaning kept ('#14', '$45', '10.5'). Pure and dependency-free (Node and Deno load it).
 */

/** Only this much of a message is classified: claims are short, and the cap bounds the work per message. */
export const MAX_CLASSIFY_CHARS = 500;

// 🙋 (any skin tone or gender, the modifiers are stripped later) and ✋ mean "me!" in live selling.
const HAND_RAISE = /[\u{1F64B}\u{270B}\u{1F91A}]/gu;

/** A link: with a scheme or www, or a bare domain followed by a path or query ("youtube.com/watch?v=x"). */
const LINK = /(?:\b[a-z][a-z0-9+.-]*:\/\/|\bwww\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}[/?]\S*/gi;

/** Contractions and chat spellings, keyed without apostrophes. */
const EXPANSIONS: Record<string, string> = {
  im: 'i am',
  ive: 'i have',
  dont: 'do not',
  doesnt: 'does not',
  didnt: 'did not',
  isnt: 'is not',
  wasnt: 'was not',
  arent: 'are not',
  werent: 'were not',
  cant: 'can not',
  cannot: 'can not',
  wont: 'will not',
  couldnt: 'could not',
  wouldnt: 'would not',
  shouldnt: 'should not',
  havent: 'have not',
  hasnt: 'has not',
  whats: 'what is',
  wats: 'what is',
  wheres: 'where is',
  hows: 'how is',
  whens: 'when is',
  whos: 'who is',
  thats: 'that is',
  its: 'it is',
  theres: 'there is',
  youre: 'you are',
  u: 'you',
  ya: 'you',
  ur: 'your',
  r: 'are',
  pls: 'please',
  plz: 'please',
  plez: 'please',
  pleas: 'please',
  pleeze: 'please',
  pleaseee: 'please',
  wanna: 'want to',
  gonna: 'going to',
  gimme: 'give me',
  lemme: 'let me',
  okay: 'ok',
  okey: 'ok',
  k: 'ok',
  kk: 'ok',
  thx: 'thanks',
  ty: 'thanks',
  hw: 'how',
  wat: 'what',
  wut: 'what',
  xlarge: 'xl',
  xsmall: 'xs',
};

// "ill" is "I'll" when a verb follows ("ill take it"); otherwise it may really mean ill.
const WILL_VERBS = new Set(['take', 'get', 'buy', 'grab', 'have', 'do', 'pass', 'claim', 'need', 'want', 'be', 'try', 'like', 'love', 'go', 'bid', 'pay']);

// Words whose stretched spellings matter: "soold", "minee", "diibs", "pleasee" map back to these.
const STRETCHABLE = [
  'sold', 'mine', 'dibs', 'claim', 'claiming', 'claimed', 'want', 'need', 'please', 'take', 'buy', 'yes', 'me',
  'add', 'pass', 'cancel', 'omg', 'ok', 'yay', 'cute', 'love',
];
const squeeze = (word: string): string => word.replace(/(\p{L})\1+/gu, '$1');
const STRETCHED = new Map(STRETCHABLE.map((word) => [squeeze(word), word]));

/** The canonical tokens of a message (see module doc). Empty for emoji-only or blank text. */
export function tokenize(text: string): string[] {
  let s = text.slice(0, MAX_CLASSIFY_CHARS).normalize('NFKC').toLowerCase();
  s = s
    // Links are not words: a "?" in a query string is not a question ("youtube.com/watch?v=...").
    .replace(LINK, ' ')
    // Emoji presentation selectors and joiners glue emoji sequences; they carry no meaning here.
    .replace(/[\ufe0e\ufe0f\u200d]/g, '')
    .replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'")
    .replace(HAND_RAISE, ' me ')
    .replace(/\u00d7/g, 'x')
    .replace(/@[\p{L}\p{N}_.]+/gu, ' @ ')
    .replace(/\bx-(large|small)\b/g, 'x$1')
    .replace(/\bextra\s+(large|small)\b/g, (_m, w: string) => (w === 'large' ? 'xl' : 'xs'))
    // A dot is kept only inside a number ("10.5", "$4.50").
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .replace(/[^\p{L}\p{M}\p{N}\s?#$\u20ac\u00a3'@.]/gu, ' ')
    .replace(/\?+/g, ' ? ')
    .replace(/#\s*(?=[\p{L}\p{N}])/gu, '#')
    .replace(/#(?![\p{L}\p{N}])/gu, ' ')
    .replace(/([$\u20ac\u00a3])\s*(?=\d)/g, '$1')
    .replace(/(?<![$\u20ac\u00a3\d.])(\d+(?:\.\d+)?)\s*([$\u20ac\u00a3])(?!\d)/g, (_m, amount: string, sign: string) => ` ${sign}${amount} `)
    .replace(/[$\u20ac\u00a3](?!\d)/g, ' ')
    // An apostrophe is kept only between letters, where it marks a contraction.
    .replace(/'(?!\p{L})|(?<!\p{L})'/gu, ' ');

  const raw = s.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const original = raw[i]!;
    // Runs of three or more letters collapse to one: "soooold" -> "sold", "yessss" -> "yes".
    const collapsed = original.replace(/(\p{L})\1{2,}/gu, '$1');
    const bare = collapsed.replace(/'/g, '');
    if (bare === 'ill' || bare === 'id') {
      const next = (raw[i + 1] ?? '').replace(/(\p{L})\1{2,}/gu, '$1');
      if (collapsed.includes("'") || WILL_VERBS.has(next)) {
        out.push('i', bare === 'ill' ? 'will' : 'would');
        continue;
      }
    }
    const expanded = EXPANSIONS[bare];
    if (expanded !== undefined) {
      out.push(...expanded.split(' '));
      continue;
    }
    out.push(STRETCHED.get(squeeze(bare)) ?? bare);
  }
  return out;
}

/** The canonical form of a message as one string (tokens joined by single spaces). */
export function normalize(text: string): string {
  return tokenize(text).join(' ');
}
