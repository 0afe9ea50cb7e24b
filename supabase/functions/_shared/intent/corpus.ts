/**
 * A realistic, labelled live-shopping chat mix for measuring the classifier (tests and
 * bench/llm-economy.ts): chatter, questions, claims with quantities/codes/sizes/prices, look-alikes,
 * withdrawals, vague one-worders and host announcements, written the way chat is written (caps,
 * stretched letters, emoji, missing apostrophes). Deterministic for a seed. Not used at run time.
 */
import type { Intent } from './types.ts';

/** What a corpus line is, for scoring the rules by family. */
export type CorpusKind = 'chatter' | 'question' | 'claim' | 'lookalike' | 'withdrawal' | 'vague' | 'host';

export interface CorpusMessage {
  id: string;
  author: string;
  text: string;
  /** The intent a person reading the chat would give it (for 'vague' lines: the likelier reading). */
  expected: Intent;
  kind: CorpusKind;
}

const VIEWERS = [
  'denimdaisy', 'sneakerhead_mo', 'vintage.val', 'kicksqueen', 'thriftking88', 'rosie_resells', 'bigmike', 'lunalux',
  'jordan_j', 'closetcurator', 'priya.p', 'tom_in_tx', 'sam_sells', 'mia_m', 'carlos.c', 'ava_b', 'noah_n', 'zoe.z',
  'liam_l', 'emma.e', 'oliver_o', 'sofia_s', 'ethan_e', 'isla_i', 'kai_k', 'nora_n', 'gg_goods', 'retro_rae',
];
const HOST = 'host_hannah';
const CODES = ['A1', 'A2', 'B7', 'C3', 'D5', 'AA 10', 'AA10', 'E12', '#14', '#7', '#22', 'lot 5', 'item 9'];
const LETTER_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL', 'small', 'medium', 'large', 'xl'];
const NUM_SIZES = ['8', '9', '9.5', '10', '10.5', '11', '28', '30', '32', '34'];
const COLORS = ['blue', 'black', 'pink', 'red', 'green', 'cream', 'navy'];
const EMOJI = ['🔥', '😍', '🙌', '❤️', '💕', '👀', '😂', '🛍️', '✨', '👏', ''];
const ITEMS = ['jeans', 'jacket', 'the denim jacket', 'those boots', 'the bag', 'the tee bundle', 'the fleece', 'the kicks'];
const PLACES = ['Texas', 'Ohio', 'Canada', 'the UK', 'Florida', 'Cali', 'NYC', 'Australia'];

/** Templates per family; `$X` slots are filled from the lists above. */
const TEMPLATES: Record<Exclude<CorpusKind, 'host'>, Array<[string, Intent]>> = {
  claim: [
    ['sold', 'purchase'], ['SOLD', 'purchase'], ['soooold', 'purchase'], ['sold!!', 'purchase'], ['sold $Q', 'purchase'],
    ['sold $Q size $S', 'purchase'], ['SOLD $C $COL $S', 'purchase'], ['sold $C', 'purchase'], ['sold size $N', 'purchase'],
    ['mine', 'purchase'], ['MINE $E', 'purchase'], ['mine $C', 'purchase'], ['mine!! size $S', 'purchase'],
    ['mine pls $S', 'purchase'], ['ill take it', 'purchase'], ["I'll take it $E", 'purchase'], ['i’ll take $QW in $S', 'purchase'],
    ['I will take the $COL one', 'purchase'], ['dibs', 'purchase'], ['dibs on $C', 'purchase'], ['DIBS $E', 'purchase'],
    ['claim $C', 'purchase'], ['claiming $C size $S', 'purchase'], ['claim', 'purchase'], ['me please', 'purchase'],
    ['me pls!! $S', 'purchase'], ['me plz $E', 'purchase'], ['add me', 'purchase'], ['add me $Qx', 'purchase'],
    ['add me to the waitlist', 'purchase'], ['sold x$Q', 'purchase'], ['sold $QW', 'purchase'], ['omg sold $E', 'purchase'],
    ['yes sold', 'purchase'], ['ok mine', 'purchase'], ['@host_hannah sold $C', 'purchase'], ['i want it $E', 'purchase'],
    ['I want $C in $S', 'purchase'], ['I want $QW', 'purchase'], ['sold $P', 'purchase'], ['mine for $P', 'purchase'],
    ['SOLD SOLD SOLD', 'purchase'], ['sold to me', 'purchase'], ["i'm claiming $C", 'purchase'], ['ill take $ITEM', 'purchase'],
    ['soold $N', 'purchase'], ['mine 🙋‍♀️', 'purchase'], ['sold. $S please', 'purchase'], ['let me get $QW', 'purchase'],
  ],
  question: [
    ['what size is that?', 'question'], ['shipping to $PLACE?', 'question'], ['how much?', 'question'],
    ['how much for $C', 'question'], ['do you take returns?', 'question'], ['what are the measurements?', 'question'],
    ['when do you ship?', 'question'], ['is it true to size?', 'question'], ['any stains?', 'question'],
    ['do you combine shipping?', 'question'], ['how long does shipping take', 'question'], ['what is the return policy?', 'question'],
    ['is $C still available?', 'question'], ['whats the inseam', 'question'], ['price?', 'question'], ['price on $C?', 'question'],
    ['do you have it in $S?', 'question'], ['can you show the back?', 'question'], ['does it come in $COL?', 'question'],
    ['who makes the $ITEM?', 'question'], ['how do i claim?', 'question'], ['is shipping free?', 'question'],
    ['u ship to $PLACE', 'question'], ['can you measure the waist', 'question'], ['what brand', 'question'],
    ['will you restock $C?', 'question'], ['is that real leather?', 'question'], ['how does it fit', 'question'],
    ['@host_hannah what size is $C', 'question'], ['where are you located?', 'question'], ['are those authentic?', 'question'],
  ],
  lookalike: [
    ['sold out?', 'question'], ['is that sold?', 'question'], ['I sold mine last year', 'other'], ['not mine', 'other'],
    ['mine came yesterday, love it', 'other'], ['she said sold lol', 'other'], ['not mine but pretty', 'other'],
    ['already sold out 😭', 'other'], ['sold out so fast', 'other'], ['is $C sold?', 'question'], ['was that sold already?', 'question'],
    ['mine is the same color $E', 'other'], ['my sister sold hers on ebay', 'other'], ['everything sold so quick', 'other'],
    ['i got mine last week', 'other'], ['lol she sold it', 'other'], ['mine arrived today!!', 'other'],
    ['mine has the same stain lol', 'other'], ['they said dibs first', 'other'], ['who got sold the $C?', 'question'],
    ['that one is sold right?', 'question'], ['i want to see the back', 'other'], ['i need to go to bed lol', 'other'],
    ['take a look at the tag', 'other'], ['i will take a look after', 'other'],
  ],
  withdrawal: [
    ['pass', 'other'], ['pass on $C', 'other'], ['cancel', 'other'], ['cancel mine sorry', 'other'], ['nvm', 'other'],
    ['never mind', 'other'], ['remove me please', 'other'], ['i pass', 'other'],
  ],
  chatter: [
    ['love this!!', 'other'], ['$E$E$E', 'other'], ['hi from $PLACE $E', 'other'], ['first time here', 'other'],
    ['that color tho $E', 'other'], ['great show tonight', 'other'], ['lol', 'other'], ['omg yes', 'other'],
    ['my fav seller', 'other'], ['the vibes $E', 'other'], ['back again', 'other'], ['so cute', 'other'],
    ['wait what did I miss', 'question'], ['hiii', 'other'], ['ty!!', 'other'], ['obsessed $E', 'other'], ['how cute', 'other'],
    ['what a steal', 'other'], ['got my package today, thank you!', 'other'], ['hey everyone', 'other'],
    ['love the $ITEM', 'other'], ['gl everyone', 'other'], ['you look great tonight', 'other'],
    ['that jacket is fire', 'other'], ['this show is so fun', 'other'], ['hahaha', 'other'], ['yesss', 'other'],
    ['bidding war lol', 'other'], ['good luck!', 'other'], ['cant wait for the shoes', 'other'], ['following now', 'other'],
  ],
  vague: [
    ['want', 'purchase'], ['want!', 'purchase'], ['me', 'purchase'], ['me too', 'purchase'], ['mine?', 'purchase'],
    ['$S', 'purchase'], ['$N', 'purchase'], ['$C', 'purchase'], ['$S please', 'purchase'], ['need', 'purchase'],
    ['i need this', 'purchase'], ['yes please', 'purchase'], ['take my money', 'purchase'], ['🙋‍♀️', 'purchase'],
    ['can i get $QW in $S?', 'purchase'], ['sold? do you ship to $PLACE?', 'purchase'], ['love it sold', 'purchase'],
    ['is it still available? ill take it', 'purchase'], ['need it', 'purchase'], ['sold?', 'question'],
    // A lone count answers the host's "how many?": a claim where a lot is on offer (issue 25).
    ['1', 'purchase'], ['2', 'purchase'],
  ],
};

/** Family shares of a typical show outside a lot's opening burst, and inside it. */
const MIX: Array<[Exclude<CorpusKind, 'host'>, number, number]> = [
  ['chatter', 0.46, 0.25],
  ['question', 0.24, 0.12],
  ['claim', 0.14, 0.45],
  ['lookalike', 0.07, 0.06],
  ['withdrawal', 0.02, 0.02],
  ['vague', 0.07, 0.1],
];

/** A small deterministic PRNG (mulberry32); also drives the built-in demo show. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generates `count` chat lines of a live-shopping show (default 1,000), labelled with the intent a
 * person would give them. About every 60 lines the host opens a lot, which starts a burst of claims.
 */
export function generateChatMix(count = 1_000, seed = 1): CorpusMessage[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const fill = (template: string): string =>
    template
      .replace(/\$PLACE/g, () => pick(PLACES))
      .replace(/\$QW/g, () => pick(['one', 'two', 'three', 'both']))
      .replace(/\$Q/g, () => String(1 + Math.floor(rand() * 3)))
      .replace(/\$S/g, () => pick(LETTER_SIZES))
      .replace(/\$N/g, () => pick(NUM_SIZES))
      .replace(/\$COL/g, () => pick(COLORS))
      .replace(/\$C/g, () => pick(CODES))
      .replace(/\$P/g, () => pick(['$25', '$45', '45 dollars', '$80', '30 bucks']))
      .replace(/\$E/g, () => pick(EMOJI))
      .replace(/\$ITEM/g, () => pick(ITEMS));

  const out: CorpusMessage[] = [];
  let burst = 0;
  for (let i = 0; out.length < count; i++) {
    const id = `m${out.length + 1}`;
    if (i % 60 === 0) {
      burst = 8 + Math.floor(rand() * 8);
      const code = pick(CODES);
      const host = pick([
        `Next up ${code}: vintage denim jacket, $${20 + Math.floor(rand() * 80)}! Say sold with your size`,
        `${code} is up! Type mine to claim`,
        `Sold to ${pick(VIEWERS)}! Thank you`,
        `${code} is sold out, next one coming`,
        'Shipping is combined for the whole show',
      ]);
      out.push({ id, author: HOST, text: host, expected: 'other', kind: 'host' });
      continue;
    }
    const bursting = burst > 0;
    if (bursting) burst--;
    let r = rand();
    let kind: Exclude<CorpusKind, 'host'> = 'chatter';
    for (const [k, calm, hot] of MIX) {
      const share = bursting ? hot : calm;
      if (r < share) {
        kind = k;
        break;
      }
      r -= share;
    }
    const [template, expected] = pick(TEMPLATES[kind]);
    let text = fill(template).trim();
    // People write in every case; a few shout.
    const style = rand();
    if (style < 0.1) text = text.toUpperCase();
    else if (style < 0.3) text = text.toLowerCase();
    out.push({ id, author: pick(VIEWERS), text: text || '🔥', expected, kind });
  }
  return out;
}
