/**
 * Scores the classifier against hand-labeled chat (labeled/labeled-chat.jsonl): question precision and
 * recall, and buyers (precision, recall, and buyers found on streams that sell nothing). The verdict
 * scored is the stored one: rules, then {@link settleVerdict} against the offer context the stream's
 * own lines give (a shopping stream is a live-shopping platform; the others are not), and whether a chat
 * auction runs at that line (the host's lines before it, in order: a bare "25" is a bid only then).
 * Pure: callers read the file (unit test, bench). Dependency-free (Node and Deno).
 */
import { classifyRules } from './rules.ts';
import { auctionAfter, deriveOfferContext, HOST_BADGES, settleVerdict } from './offer.ts';
import type { Classification, Intent } from './types.ts';

/** The kinds of stream the set covers. */
export type StreamKind = 'gaming' | 'just-chatting' | 'shopping';

/** One hand-labeled chat line. `label` is what a person reading the chat says it is. */
export interface LabeledMessage {
  id: string;
  stream: StreamKind;
  author: string;
  badges?: string[];
  text: string;
  label: Intent;
}

/** Precision and recall of one class, with the counts behind them. */
export interface ClassScore {
  precision: number;
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface ChatQuality {
  messages: number;
  question: ClassScore;
  /** Buyers at the threshold against `purchase` labels. */
  buyer: ClassScore;
  /** Buyers on gaming and just-chatting streams (nothing on offer): must be 0. */
  buyersWithoutOffer: number;
  /** Lines the classifier got wrong for questions or buyers (for reading, not for tuning the set). */
  mistakes: Array<{ id: string; text: string; label: Intent; got: Intent; confidence: number }>;
}

/** The platform a stream kind stands for when its offer context is derived. */
const PLATFORM_OF: Record<StreamKind, string> = { gaming: 'twitch', 'just-chatting': 'twitch', shopping: 'whatnot' };

/** Parses the JSONL text of a labeled set; throws on a malformed line (the set is ours). */
export function parseLabeledChat(jsonl: string): LabeledMessage[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const row = JSON.parse(line) as LabeledMessage;
      if (typeof row.text !== 'string' || !['purchase', 'question', 'other'].includes(row.label)) {
        throw new Error(`labeled chat line ${i + 1} is malformed`);
      }
      return row;
    });
}

const ratio = (n: number, d: number): number => (d === 0 ? 1 : n / d);

function classScore(tp: number, fp: number, fn: number): ClassScore {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePositives: tp, falsePositives: fp, falseNegatives: fn };
}

/**
 * The stored verdict of every line: rules, settled against the offer context of its stream (derived
 * from the stream's host lines, as ingest derives it from the session's).
 */
export function storedVerdicts(rows: readonly LabeledMessage[], classify: (text: string) => Classification = classifyRules): Classification[] {
  const offers = new Map<StreamKind, ReturnType<typeof deriveOfferContext>>();
  for (const stream of Object.keys(PLATFORM_OF) as StreamKind[]) {
    const lines = rows.filter((r) => r.stream === stream).map((r) => ({ text: r.text, author: r.author, badges: r.badges ?? [] }));
    offers.set(stream, { ...deriveOfferContext(PLATFORM_OF[stream], lines), auctionOpen: false });
  }
  // Whether a chat auction runs is a matter of time: each line sees the host's lines before it, in order.
  const auction = new Map<StreamKind, boolean>();
  return rows.map((row) => {
    const offer = offers.get(row.stream)!;
    if ((row.badges ?? []).some((b) => HOST_BADGES.includes(b.toLowerCase()))) auction.set(row.stream, auctionAfter(auction.get(row.stream) ?? false, row.text));
    return settleVerdict(classify(row.text), { ...offer, auctionOpen: auction.get(row.stream) ?? false });
  });
}

/** Scores a labeled set (see module doc). */
export function scoreChat(
  rows: readonly LabeledMessage[],
  options: { buyerThreshold?: number; classify?: (text: string) => Classification } = {},
): ChatQuality {
  const threshold = options.buyerThreshold ?? 0.7;
  const verdicts = storedVerdicts(rows, options.classify);
  let qTp = 0, qFp = 0, qFn = 0, bTp = 0, bFp = 0, bFn = 0, withoutOffer = 0;
  const mistakes: ChatQuality['mistakes'] = [];
  rows.forEach((row, i) => {
    const v = verdicts[i]!;
    const asked = v.intent === 'question';
    const bought = v.intent === 'purchase' && v.confidence >= threshold;
    if (asked && row.label === 'question') qTp++;
    else if (asked) qFp++;
    else if (row.label === 'question') qFn++;
    if (bought && row.label === 'purchase') bTp++;
    else if (bought) bFp++;
    else if (row.label === 'purchase') bFn++;
    if (bought && row.stream !== 'shopping') withoutOffer++;
    const got: Intent = bought ? 'purchase' : asked ? 'question' : 'other';
    if (got !== row.label) mistakes.push({ id: row.id, text: row.text, label: row.label, got, confidence: v.confidence });
  });
  return {
    messages: rows.length,
    question: classScore(qTp, qFp, qFn),
    buyer: classScore(bTp, bFp, bFn),
    buyersWithoutOffer: withoutOffer,
    mistakes,
  };
}
