/**
 * The classifier's public types. Kept apart from index.ts so the rule and LLM modules can share them
 * without importing each other through the barrel. Dependency-free: loaded by Node (tsc) and Deno.
 */

/** What a chat message wants: to buy, to know something, or neither. */
export type Intent = 'purchase' | 'question' | 'other';

/**
 * The verdict on one chat message.
 *
 * `confidence` is the confidence in `intent` itself (0..1), so a buyer is `intent === 'purchase'` with
 * `confidence >= BUYER_CONFIDENCE_THRESHOLD`. Clear claims score >= 0.85; anything the rules cannot
 * settle is `ambiguous: true` and scores below {@link AMBIGUOUS_BELOW}, so it never becomes a buyer
 * unless the LLM confirms it. What ingest stores is this verdict settled against the session's offer
 * context (`settleVerdict` in offer.ts): no purchase without something on offer, and nothing below
 * {@link AMBIGUOUS_BELOW} stored as anything but `other`.
 */
export interface Classification {
  intent: Intent;
  confidence: number;
  /** How many the buyer claims ("sold 2", "2x", "x2", "two"). */
  quantity?: number;
  /** A price mentioned in the message ("$45", "45 dollars"). */
  price?: number;
  /** The lot or item code, upper-cased without spaces or '#' ("AA 10" -> "AA10", "#14" -> "14"). */
  itemCode?: string;
  /** Size and variant words in the order written ("M", "10.5", "blue small"). */
  size?: string;
  /** Free words describing the item when the claim names one ("the denim jacket" -> "denim jacket"). */
  item?: string;
  /**
   * An amount offered as a chat-auction bid ("bid 30", "I'll do $40", or a bare "25", "$35"). A bare
   * amount is only a lean: it is a purchase once settled against an offer with an auction open
   * (`settleVerdict`), else a size or a number said in passing.
   */
  bid?: number;
  source: 'rules' | 'llm';
  /** True when the rules could not settle the message: these (and only these) go to the LLM. */
  ambiguous: boolean;
}

/** One message to classify. `id` only pairs results with inputs; it never reaches the model. */
export interface ClassifyInput {
  id: string;
  text: string;
  author?: string;
}

/** A second opinion for ambiguous messages; answers by input id and may leave ids out. */
export interface LlmClassifier {
  classify(items: ClassifyInput[]): Promise<Map<string, Classification>>;
}

/** Confidence below which a result counts as ambiguous (the default buyer threshold is 0.7). */
export const AMBIGUOUS_BELOW = 0.7;
