/**
 * llm-economy: LLM calls per 1,000 chat messages on the classifier's realistic live-shopping mix
 * (supabase/functions/_shared/intent/corpus.ts), through the real ingest core (EmbeddedBackend) with
 * the real OpenAI classifier pointed at the fake OpenAI-compatible server (test/fakes/openai-server.ts),
 * which counts requests and answers with the corpus labels.
 *
 * How many messages reach the classifier together depends on the chat rate: the forwarder closes a
 * batch FORWARD_BATCH_DELAY_MS (50 ms) after its first message or at FORWARD_BATCH_SIZE (100). Arrivals
 * are simulated (Poisson at each rate) and grouped by that rule, so the batches are the ones the service
 * would send, without waiting in real time. (Batches grow further while a request is in flight; that is
 * left out, so the counts are an upper bound.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { createOpenAiClassifier, type OpenAiClassifier } from '../supabase/functions/_shared/intent/index.ts';
import { classifyRules } from '../supabase/functions/_shared/intent/rules.ts';
import { generateChatMix, prng, type CorpusMessage } from '../supabase/functions/_shared/intent/corpus.ts';
import type { Backend } from '../src/backend/types.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { chatMessagesOf, startFakeOpenAi, type FakeOpenAi } from '../test/fakes/openai-server.ts';
import { openEmbedded, tempDir } from '../test/support/backend.ts';
import type { BenchContext, BenchResult, Benchmark } from './lib/harness.ts';
import { round } from './lib/stats.ts';

/** Chat rates (msg/s): a small show, a busy one, a giveaway flood. */
const RATES = [1, 20, 100] as const;
const BATCH_DELAY_MS = 50;
const BATCH_SIZE = 100;

/** Groups arrivals at `rate` the way the forwarder batches them. */
export function forwarderBatches<T>(items: readonly T[], rate: number, seed: number): T[][] {
  const random = prng(seed);
  const batches: T[][] = [];
  let t = 0;
  let current: T[] = [];
  let closesAt = 0;
  for (const item of items) {
    t += -Math.log(1 - random()) * (1000 / rate); // exponential gaps: Poisson arrivals
    if (current.length > 0 && (t > closesAt || current.length >= BATCH_SIZE)) {
      batches.push(current);
      current = [];
    }
    if (current.length === 0) closesAt = t + BATCH_DELAY_MS;
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The fake model answers like a careful reader: the corpus label, confidently. */
function answerWithLabels(fake: FakeOpenAi, corpus: CorpusMessage[]): void {
  const labels = new Map(corpus.map((m) => [m.text.trim(), m.expected]));
  fake.onChat((request) => {
    const user = chatMessagesOf(request).find((m) => m.role === 'user');
    const items = JSON.parse(user?.content ?? '[]') as Array<{ id: string; text: string }>;
    return JSON.stringify({
      results: items.map(({ id, text }) => ({
        id,
        intent: labels.get(text.trim()) ?? 'other',
        confidence: 0.9,
        quantity: null,
        price: null,
        itemCode: null,
        size: null,
        item: null,
      })),
    });
  });
}

function toChat(message: CorpusMessage, index: number, run: string): ChatMessage {
  return {
    id: `${run}-${index}`,
    platform: 'whatnot',
    author: { name: message.author, badges: [] },
    text: message.text,
    capturedAt: new Date().toISOString(),
    backfill: false,
  };
}

/** Ingests one show through `backend` in forwarder-sized batches; counts the model calls it caused. */
async function runShow(
  backend: Backend,
  fake: FakeOpenAi,
  llm: OpenAiClassifier,
  show: { corpus: CorpusMessage[]; rate: number; sessionId: string },
): Promise<Record<string, number | null>> {
  const before = { calls: fake.chatRequests().length, ...llm.stats };
  const batches = forwarderBatches(
    show.corpus.map((m, i) => toChat(m, i, show.sessionId)),
    show.rate,
    show.rate,
  );
  let sent = 0;
  let firstThousand: number | null = null;
  for (const batch of batches) {
    await backend.ingest(show.sessionId, batch);
    sent += batch.length;
    if (firstThousand === null && sent >= 1000) firstThousand = fake.chatRequests().length - before.calls;
  }
  const count = show.corpus.length;
  const per1000 = (n: number): number | null => round((n / count) * 1000, 1);
  return {
    batches: batches.length,
    avgBatch: round(count / batches.length, 2),
    ambiguousPer1000: per1000(show.corpus.filter((m) => classifyRules(m.text).ambiguous).length),
    llmCallsPer1000: per1000(fake.chatRequests().length - before.calls),
    llmCallsFirst1000: firstThousand,
    sentToLlmPer1000: per1000(llm.stats.messagesSent - before.messagesSent),
    cacheHitsPer1000: per1000(llm.stats.cacheHits - before.cacheHits),
    llmFailures: llm.stats.failures - before.failures,
  };
}

export const llmEconomy: Benchmark = {
  names: ['llm-economy'],
  async run(context: BenchContext) {
    const count = context.quick ? 1_000 : 3_000;
    // Two different shows: the second runs on the answers the first left in the classifier's cache,
    // as on a service that stays up (one classifier serves every session).
    const shows = [generateChatMix(count, 42), generateChatMix(count, 4242)];
    const fake = await startFakeOpenAi();
    answerWithLabels(fake, shows.flat());
    const dataDir = tempDir('earshot-bench-llm-');
    const results: BenchResult[] = [];
    try {
      for (const rate of RATES) {
        // A fresh classifier per rate: its answer cache starts empty, as after a restart. No cool-down: a
        // stray loopback connection reset must not silence the model for 30 s and flatter the count.
        const llm: OpenAiClassifier = createOpenAiClassifier({
          apiKey: 'bench-key',
          baseUrl: fake.baseUrl,
          model: 'gpt-4o-mini',
          timeoutMs: 10_000,
          cooldownMs: 0,
        });
        const backend = await openEmbedded({ dataDir: path.join(dataDir, String(rate)), llm });
        try {
          for (const [index, corpus] of shows.entries()) {
            const cache = index === 0 ? 'cold' : 'warm';
            const metrics = await runShow(backend, fake, llm, { corpus, rate, sessionId: `llm-${rate}-${cache}` });
            context.log(`  ${rate} msg/s, ${cache} cache: ${metrics.llmCallsPer1000} LLM calls per 1,000 messages`);
            results.push({ name: 'llm-economy', params: { rate, cache, messages: count }, metrics });
          }
        } finally {
          await backend.close();
        }
      }
    } finally {
      await fake.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    return results;
  },
};
