import { classifyMessages, classifyRules, type Classification, type ClassifyInput, type LlmClassifier } from './index.ts';

/** An LlmClassifier that records what it was asked and answers from a function. */
function recordingLlm(answer: (item: ClassifyInput) => Classification | undefined): LlmClassifier & { calls: ClassifyInput[][] } {
  const calls: ClassifyInput[][] = [];
  return {
    calls,
    async classify(items) {
      calls.push(items);
      const out = new Map<string, Classification>();
      for (const item of items) {
        const a = answer(item);
        if (a) out.set(item.id, a);
      }
      return out;
    },
  };
}

const llmSays = (intent: Classification['intent'], confidence: number, extra: Partial<Classification> = {}): Classification => ({
  intent,
  confidence,
  source: 'llm',
  ambiguous: false,
  ...extra,
});

const batch: ClassifyInput[] = [
  { id: 'a', text: 'sold 2 size M' },
  { id: 'b', text: 'how much?' },
  { id: 'c', text: 'want' },
  { id: 'd', text: 'hi from Ohio' },
  { id: 'e', text: 'M' },
  { id: 'f', text: 'mine?' },
];

describe('classifyMessages', () => {
  test('without an LLM returns the rule results in input order', async () => {
    const results = await classifyMessages(batch);
    expect(results).toEqual(batch.map((item) => classifyRules(item.text)));
  });

  test('asks the LLM once, about the ambiguous messages only', async () => {
    const llm = recordingLlm(() => llmSays('purchase', 0.9));
    await classifyMessages(batch, { llm });
    expect(llm.calls).toHaveLength(1);
    expect(llm.calls[0]!.map((i) => i.id)).toEqual(['c', 'e', 'f']);
  });

  test('does not call the LLM when nothing is ambiguous', async () => {
    const llm = recordingLlm(() => llmSays('purchase', 0.9));
    const results = await classifyMessages([batch[0]!, batch[1]!, batch[3]!], { llm });
    expect(llm.calls).toHaveLength(0);
    expect(results.every((r) => r.source === 'rules')).toBe(true);
  });

  test('uses the answers by id, keeps rule details the model left out, and leaves unanswered ids to the rules', async () => {
    const llm = recordingLlm((item) =>
      item.id === 'c' ? llmSays('purchase', 0.92, { quantity: 1 }) : item.id === 'e' ? llmSays('purchase', 0.88) : undefined,
    );
    const results = await classifyMessages(batch, { llm });
    expect(results[0]).toMatchObject({ source: 'rules', intent: 'purchase', quantity: 2 });
    expect(results[2]).toMatchObject({ source: 'llm', intent: 'purchase', confidence: 0.92, quantity: 1, ambiguous: false });
    // The model said purchase without details; the size the rules found stays.
    expect(results[4]).toMatchObject({ source: 'llm', intent: 'purchase', size: 'M', ambiguous: false });
    expect(results[5]).toEqual(classifyRules('mine?'));
  });

  test('an LLM verdict of "other" drops claim details; a low-confidence verdict stays ambiguous', async () => {
    const llm = recordingLlm((item) => (item.id === 'e' ? llmSays('other', 0.9) : llmSays('purchase', 0.5)));
    const results = await classifyMessages(batch, { llm });
    expect(results[4]).toEqual({ intent: 'other', confidence: 0.9, source: 'llm', ambiguous: false });
    expect(results[2]).toMatchObject({ intent: 'purchase', confidence: 0.5, ambiguous: true, source: 'llm' });
  });

  test('an LLM that throws or rejects leaves the rule results', async () => {
    const throwing: LlmClassifier = {
      classify() {
        throw new Error('boom');
      },
    };
    const rejecting: LlmClassifier = { classify: () => Promise.reject(new Error('down')) };
    const rules = batch.map((i) => classifyRules(i.text));
    await expect(classifyMessages(batch, { llm: throwing })).resolves.toEqual(rules);
    await expect(classifyMessages(batch, { llm: rejecting })).resolves.toEqual(rules);
  });

  test('nonsense from a custom LLM is ignored and confidence is clamped', async () => {
    const weird: LlmClassifier = {
      async classify() {
        return new Map<string, Classification>([
          ['c', { intent: 'maybe' as never, confidence: 0.9, source: 'llm', ambiguous: false }],
          ['e', { intent: 'purchase', confidence: Number.NaN, source: 'llm', ambiguous: false }],
          ['f', { intent: 'question', confidence: 7, source: 'llm', ambiguous: false }],
        ]);
      },
    };
    const results = await classifyMessages(batch, { llm: weird });
    expect(results[2]).toEqual(classifyRules('want'));
    expect(results[4]).toEqual(classifyRules('M'));
    expect(results[5]).toMatchObject({ intent: 'question', confidence: 1, source: 'llm' });
    const notAMap: LlmClassifier = { classify: async () => ({}) as Map<string, Classification> };
    await expect(classifyMessages(batch, { llm: notAMap })).resolves.toEqual(batch.map((i) => classifyRules(i.text)));
  });
});

describe('classifyMessages with an offer context', () => {
  const leans: ClassifyInput[] = [
    { id: 'p', text: 'me' },
    { id: 'q', text: 'mine?' },
    { id: 'c', text: 'sold' },
  ];

  test('with nothing on offer, ambiguous purchase leans are not sent to the LLM; ambiguous questions still are', async () => {
    const llm = recordingLlm(() => llmSays('purchase', 0.95));
    const out = await classifyMessages(leans, { llm, offer: { shoppingPlatform: false } });
    expect(llm.calls.map((c) => c.map((i) => i.id))).toEqual([['q']]);
    expect(out[0]).toMatchObject({ source: 'rules', ambiguous: true });
  });

  test('with something on offer, every ambiguous message is asked', async () => {
    const llm = recordingLlm(() => llmSays('purchase', 0.95));
    await classifyMessages(leans, { llm, offer: { shoppingPlatform: true } });
    expect(llm.calls.map((c) => c.map((i) => i.id))).toEqual([['p', 'q']]);
  });
});
