/**
 * Edge function monitor-realtime-stream: stores chat messages once, classifies intent, captures buyers.
 * A thin entry: settings -> dependencies -> the shared handler (all logic lives in ../_shared, the
 * same modules the Node service runs in embedded mode). Request and answer formats: ../_shared/contract.ts.
 *
 * Settings (../_shared/settings.ts, the same schema, defaults and bounds as the service's): SUPABASE_DB_URL
 * (set by Supabase), SUPABASE_SERVICE_ROLE_KEY and/or INGEST_SIGNING_SECRET (callers authenticate with
 * one), BUYER_CONFIDENCE_THRESHOLD, OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_TIMEOUT_MS,
 * OPENAI_EMBEDDING_MODEL, BOT_TRIGGER, REPLY_RATE_PER_MINUTE, DB_POOL_MAX. A bad value stops the function
 * at start, naming the variable. EARSHOT_FUNCTION_PORT serves on that loopback port outside Supabase
 * (local runs and tests; 0 picks one and prints it).
 */
import { createMonitorHandler } from '../_shared/handler.ts';
import { classifyMessages, createOpenAiClassifier } from '../_shared/intent/index.ts';
import { createKbHook, createOpenAiAnswerModel, createOpenAiEmbedder } from '../_shared/kb/index.ts';
import { connectPostgres } from '../_shared/postgres.ts';
import { loadFunctionSettings } from '../_shared/settings.ts';

const settings = loadFunctionSettings(Deno.env.toObject());

const openai = settings.OPENAI_API_KEY
  ? { apiKey: settings.OPENAI_API_KEY, baseUrl: settings.OPENAI_BASE_URL, timeoutMs: settings.OPENAI_TIMEOUT_MS }
  : undefined;
const llm = openai ? createOpenAiClassifier({ ...openai, model: settings.OPENAI_MODEL }) : undefined;

// Knowledge-base answers, commands and replies (the same hook the embedded backend runs).
const answer = createKbHook({
  trigger: settings.BOT_TRIGGER,
  embedder: openai ? createOpenAiEmbedder({ ...openai, model: settings.OPENAI_EMBEDDING_MODEL }) : undefined,
  model: openai ? createOpenAiAnswerModel({ ...openai, model: settings.OPENAI_MODEL }) : undefined,
  maxRepliesPerMinute: settings.REPLY_RATE_PER_MINUTE,
  onError: (error) => console.error('knowledge base hook failed', error instanceof Error ? error.message : String(error)),
});

const handler = createMonitorHandler({
  sql: connectPostgres(settings.SUPABASE_DB_URL, { max: settings.DB_POOL_MAX }),
  serviceRoleKey: settings.SUPABASE_SERVICE_ROLE_KEY,
  signingSecret: settings.INGEST_SIGNING_SECRET,
  ingest: {
    classify: (items, context) => classifyMessages(items, { llm, offer: context?.offer }),
    buyerThreshold: settings.BUYER_CONFIDENCE_THRESHOLD,
    answer,
  },
});

const port = settings.EARSHOT_FUNCTION_PORT;
if (port === undefined) {
  Deno.serve(handler);
} else {
  Deno.serve(
    {
      port,
      hostname: '127.0.0.1',
      onListen: ({ port }) => console.log(JSON.stringify({ listening: port })),
    },
    handler,
  );
}
