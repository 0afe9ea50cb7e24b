import { generateChatMix } from './corpus.ts';
import { classifyMessages, classifyRules, type Classification, type LlmClassifier } from './index.ts';

describe('generateChatMix', () => {
  const mix = generateChatMix(1_000, 1);

  test('is deterministic for a seed and has every family', () => {
    expect(generateChatMix(1_000, 1)).toEqual(mix);
    expect(generateChatMix(1_000, 2)).not.toEqual(mix);
    expect(mix).toHaveLength(1_000);
    expect(new Set(mix.map((m) => m.id)).size).toBe(1_000);
    const kinds = new Set(mix.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['chatter', 'claim', 'host', 'lookalike', 'question', 'vague', 'withdrawal']);
  });

  test('rules label the clear lines as a person would (the look-alikes included)', () => {
    for (const seed of [1, 2, 3]) {
      const clear = generateChatMix(1_000, seed).filter((m) => m.kind !== 'vague');
      const wrong = clear.filter((m) => classifyRules(m.text).intent !== m.expected);
      expect(wrong.map((m) => m.text)).toEqual([]);
    }
  });

  test('few lines are ambiguous, and the vague ones mostly are', () => {
    const results = mix.map((m) => classifyRules(m.text));
    const ambiguous = results.filter((r) => r.ambiguous).length;
    expect(ambiguous).toBeLessThan(mix.length * 0.12);
    const vague = mix.filter((m) => m.kind === 'vague');
    const vagueFlagged = vague.filter((m) => classifyRules(m.text).ambiguous).length;
    expect(vagueFlagged / vague.length).toBeGreaterThan(0.9);
  });

  test('in forwarder-sized batches of 100 the LLM is called at most once per batch, with the ambiguous lines only', async () => {
    const asked: string[][] = [];
    const llm: LlmClassifier = {
      async classify(items) {
        asked.push(items.map((i) => i.text));
        return new Map<string, Classification>();
      },
    };
    for (let i = 0; i < mix.length; i += 100) await classifyMessages(mix.slice(i, i + 100), { llm });
    expect(asked.length).toBeLessThanOrEqual(10);
    for (const texts of asked) for (const text of texts) expect(classifyRules(text).ambiguous).toBe(true);
  });
});
