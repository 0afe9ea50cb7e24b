/**
 * Edge function monitor-realtime-stream: stores chat messages once, classifies intent, captures buyers.
 * A thin entry: environment -> dependencies -> the shared handler (all logic lives in ../_shared, the
 * same modules the Node service runs in embedded mode). Request formats: ../_shared/wire.ts.
 *
 * Environment: SUPABASE_DB_URL (set by Supabase), SUPABASE_SERVICE_ROLE_KEY and/or INGEST_SIGNING_SECRET
 * (callers authenticate with one), BUYER_CONFIDENCE_THRESHOLD (0.7), OPENAI_API_KEY, OPENAI_BASE_URL,
 * OPENAI_MODEL (gpt-4o-mini), OPENAI_TIMEOUT_MS (15000), OPENAI_EMBEDDING_MODEL (text-embedding-3-small),
 * BOT_TRIGGER (@earshot), REPLY_RATE_PER_MINUTE (6). EARSHOT_FUNCTION_PORT serves on that loopback
 * port outside Supabase (local runs and tests; 0 picks one and prints it).
 */
import { createMonitorHandler } from '../_shared/handler.ts';
import { classifyMessages, createOpenAiClassifier } from '../_shared/intent/index.ts';
import { createKbHook, createOpenAiAnswerModel, createOpenAiEmbedder } from '../_shared/kb/index.ts';
import { connectPostgres } from '../_shared/postgres.ts';

const env = (name: string): string | undefined => {
  const value = Deno.env.get(name)?.trim();
  return value ? value : undefined;
};

const dbUrl = env('SUPABASE_DB_URL');
if (!dbUrl) throw new Error('SUPABASE_DB_URL is not set');

const threshold = Number(env('BUYER_CONFIDENCE_THRESHOLD') ?? '0.7');
const openaiKey = env('OPENAI_API_KEY');
const llm = openaiKey
  ? createOpenAiClassifier({
      apiKey: openaiKey,
      baseUrl: env('OPENAI_BASE_URL'),
      model: env('OPENAI_MODEL') ?? 'gpt-4o-mini',
      timeoutMs: Number(env('OPENAI_TIMEOUT_MS') ?? '15000'),
    })
  : undefined;

// Knowledge-base answers, commands and replies (the same hook the embedded backend runs).
const openai = openaiKey
  ? { apiKey: openaiKey, baseUrl: env('OPENAI_BASE_URL'), timeoutMs: Number(env('OPENAI_TIMEOUT_MS') ?? '15000') }
  : undefined;
const answer = createKbHook({
  trigger: env('BOT_TRIGGER') ?? '@earshot',
  embedder: openai ? createOpenAiEmbedder({ ...openai, model: env('OPENAI_EMBEDDING_MODEL') ?? 'text-embedding-3-small' }) : undefined,
  model: openai ? createOpenAiAnswerModel({ ...openai, model: env('OPENAI_MODEL') ?? 'gpt-4o-mini' }) : undefined,
  maxRepliesPerMinute: Number(env('REPLY_RATE_PER_MINUTE') ?? '6'),
  onError: (error) => console.error('knowledge base hook failed', error instanceof Error ? error.message : String(error)),
});

const handler = createMonitorHandler({
  sql: connectPostgres(dbUrl, { max: Number(env('DB_POOL_MAX') ?? '3') }),
  serviceRoleKey: env('SUPABASE_SERVICE_ROLE_KEY'),
  signingSecret: env('INGEST_SIGNING_SECRET'),
  ingest: {
    classify: (items, context) => classifyMessages(items, { llm, offer: context?.offer }),
    buyerThreshold: Number.isFinite(threshold) ? threshold : 0.7,
    answer,
  },
});

const port = env('EARSHOT_FUNCTION_PORT');
if (port === undefined) {
  Deno.serve(handler);
} else {
  Deno.serve(
    {
      port: Number(port),
      hostname: '127.0.0.1',
      onListen: ({ port }) => console.log(JSON.stringify({ listening: port })),
    },
    handler,
  );
}
