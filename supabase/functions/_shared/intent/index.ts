/**
 * Intent classification for chat messages: purchase / question / other, with confidence and the claim's
 * details. Rules run on every message; an LLM, when configured, is asked only about the ones the rules
 * mark ambiguous, many per request, and its failure never costs more than the rule result.
 * Imported by the Node service (embedded backend, replay) and by the Deno edge functions.
 */
import { isOnOffer, type OfferContext } from './offer.ts';
import { classifyRules } from './rules.ts';
import { AMBIGUOUS_BELOW, type Classification, type ClassifyInput, type Intent, type LlmClassifier } from './types.ts';

export type { Classification, ClassifyInput, Intent, LlmClassifier } from './types.ts';
export { AMBIGUOUS_BELOW } from './types.ts';
export { classifyRules, isWithdrawal, CONFIDENCE } from './rules.ts';
export { normalize, tokenize, MAX_CLASSIFY_CHARS } from './normalize.ts';
export {
  deriveOfferContext,
  isOfferAnnouncement,
  isOnOffer,
  isSaleEvent,
  offerAt,
  settleVerdict,
  HOST_BADGES,
  LIVE_SHOPPING_PLATFORMS,
  type OfferContext,
  type SessionLine,
} from './offer.ts';
export {
  createOpenAiClassifier,
  LLM_BATCH_SIZE,
  SYSTEM_PROMPT,
  type LlmFailure,
  type LlmStats,
  type OpenAiClassifier,
  type OpenAiClassifierOptions,
} from './llm.ts';

const INTENTS: readonly Intent[] = ['purchase', 'question', 'other'];

/**
 * Classifies a batch: rules on every message, then (if `llm` is given) one `llm.classify` call with
 * only the ambiguous ones. Results come back in input order. An LLM answer replaces the rule verdict
 * but keeps details the rules found and the model did not; a missing, invalid or failed answer leaves
 * the rule result. Never rejects.
 *
 * With an `offer` context that has nothing on offer, an ambiguous purchase lean is not worth asking
 * about: no answer could make it a buyer (ingest settles it to `other`).
 */
export async function classifyMessages(
  items: ClassifyInput[],
  options: { llm?: LlmClassifier; offer?: OfferContext } = {},
): Promise<Classification[]> {
  const results = items.map((item) => classifyRules(item.text));
  const { llm } = options;
  if (!llm) return results;
  const closed = options.offer !== undefined && !isOnOffer(options.offer);
  const asked = (r: Classification): boolean => r.ambiguous && !(closed && r.intent === 'purchase');
  const ambiguous = items.filter((_, i) => asked(results[i]!));
  if (ambiguous.length === 0) return results;

  let answers: Map<string, Classification>;
  try {
    answers = await llm.classify(ambiguous);
  } catch {
    return results;
  }
  if (!(answers instanceof Map)) return results;
  return results.map((rule, i) => {
    if (!asked(rule)) return rule;
    const answer = answers.get(items[i]!.id);
    return isUsable(answer) ? merge(rule, answer) : rule;
  });
}

/** Guards against a custom LlmClassifier handing back nonsense. */
function isUsable(answer: Classification | undefined): answer is Classification {
  return (
    answer !== undefined &&
    answer !== null &&
    INTENTS.includes(answer.intent) &&
    typeof answer.confidence === 'number' &&
    Number.isFinite(answer.confidence)
  );
}

function merge(rule: Classification, answer: Classification): Classification {
  const confidence = Math.min(1, Math.max(0, answer.confidence));
  const merged: Classification = {
    intent: answer.intent,
    confidence,
    source: 'llm',
    ambiguous: confidence < AMBIGUOUS_BELOW,
  };
  if (answer.intent === 'other') return merged;
  const pick = <K extends 'quantity' | 'price' | 'itemCode' | 'size' | 'item'>(key: K): void => {
    const value = answer[key] ?? rule[key];
    if (value !== undefined && value !== null) merged[key] = value;
  };
  pick('price');
  pick('itemCode');
  pick('size');
  if (answer.intent === 'purchase') {
    pick('quantity');
    pick('item');
  }
  return merged;
}
