/**
 * ingest: messages per second from the capture side into storage + classification, three ways:
 *   - embedded-core: EmbeddedBackend.ingest directly, batches of FORWARD_BATCH_SIZE (the ceiling);
 *   - embedded: through the Forwarder (durable outbox journal, batching) into the embedded backend,
 *     as the default service runs;
 *   - edge-function: through the Forwarder and SupabaseBackend (HTTP) into monitor-realtime-stream
 *     running under real Deno (npm packages from node_modules), whose postgres.js talks to a real PostgreSQL.
 * Each is fed a backlog of a realistic live-shopping mix at once and timed until the last message is
 * acknowledged. LLM off (rules only): llm-economy covers the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Backend } from '../src/backend/types.ts';
import { SupabaseBackend } from '../src/backend/supabase.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { Forwarder } from '../src/pipeline/forwarder.ts';
import { Outbox } from '../src/pipeline/outbox.ts';
import { generateChatMix } from '../supabase/functions/_shared/intent/corpus.ts';
import { openEmbedded, tempDir } from '../test/support/backend.ts';
import { startDenoFunction, type RunningFunction } from '../test/support/deno-function.ts';
import { startPostgres, type RealPostgres } from '../test/support/postgres.ts';
import { now, waitUntil, type BenchContext, type BenchResult, type Benchmark } from './lib/harness.ts';
import { cpuWindow } from './lib/proc.ts';
import { round } from './lib/stats.ts';

const BATCH_SIZE = 100;
const BATCH_DELAY_MS = 50;
/** Messages the capture side hands over at once (a MutationObserver batch is usually 1-20 rows). */
const CAPTURE_BATCH = 10;

let runId = 0;
/** The chat mix as captured ChatMessages, with ids unique per call. */
function messages(count: number): ChatMessage[] {
  runId++;
  const capturedAt = new Date().toISOString();
  return generateChatMix(count, runId).map((m, i) => ({
    id: `ingest-${runId}-${i}`,
    platform: 'whatnot',
    author: { name: m.author, badges: [] },
    text: m.text,
    capturedAt,
    backfill: false,
  }));
}

/** Calls backend.ingest batch after batch, as the forwarder would with a full outbox. */
async function ingestInBatches(backend: Backend, sessionId: string, batch: ChatMessage[]): Promise<void> {
  for (let i = 0; i < batch.length; i += BATCH_SIZE) await backend.ingest(sessionId, batch.slice(i, i + BATCH_SIZE));
}

interface Timed {
  seconds: number;
  perSecond: number;
  nodeCpuPct: number | null;
  denoCpuPct: number | null;
  foreignCpuPct: number | null;
}

/** Pushes `batch` through a forwarder into `backend`; resolves when the last message is acknowledged. */
async function throughForwarder(backend: Backend, batch: ChatMessage[], sessionId: string, denoPid?: number): Promise<Timed> {
  const dataDir = tempDir('earshot-bench-ingest-');
  let announced = 0;
  const forwarder = new Forwarder({
    backend,
    outbox: await Outbox.open(path.join(dataDir, 'outbox'), { logger: silentLogger() }),
    publisher: { publish: () => void announced++ },
    logger: silentLogger(),
    batchSize: BATCH_SIZE,
    batchDelayMs: BATCH_DELAY_MS,
    deadLetterFile: path.join(dataDir, 'dead-letter.jsonl'),
  });
  forwarder.start();
  try {
    const cpu = cpuWindow(denoPid === undefined ? [] : [denoPid]);
    const started = now();
    for (let i = 0; i < batch.length; i += CAPTURE_BATCH) forwarder.accept(sessionId, batch.slice(i, i + CAPTURE_BATCH));
    const done = await waitUntil(() => forwarder.backlog().delivered >= batch.length, 300_000);
    const seconds = (now() - started) / 1000;
    const usage = cpu.stop();
    const report = forwarder.backlog();
    if (!done) throw new Error(`only ${report.delivered} of ${batch.length} delivered (${report.lastError ?? 'no error'})`);
    if (report.deadLettered > 0) throw new Error(`${report.deadLettered} messages dead-lettered`);
    return {
      seconds,
      perSecond: batch.length / seconds,
      nodeCpuPct: usage.nodeCores * 100,
      denoCpuPct: denoPid === undefined ? null : (usage.treeCores ?? 0) * 100,
      foreignCpuPct: usage.foreignCores * 100,
    };
  } finally {
    await forwarder.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function result(mode: string, count: number, timed: Timed, extra: Record<string, number | string | null> = {}): BenchResult {
  return {
    name: 'ingest',
    params: { mode, messages: count, batchSize: BATCH_SIZE },
    metrics: {
      messagesPerSec: round(timed.perSecond, 0),
      seconds: round(timed.seconds, 2),
      nodeCpuPct: round(timed.nodeCpuPct, 1),
      denoCpuPct: round(timed.denoCpuPct, 1),
      foreignCpuPct: round(timed.foreignCpuPct, 1),
      ...extra,
    },
  };
}

export const ingest: Benchmark = {
  names: ['ingest'],
  async run(context: BenchContext) {
    const results: BenchResult[] = [];
    const count = context.quick ? 1_000 : 5_000;

    // Embedded: the shared core in-process over PGlite persisted on disk (as under DATA_DIR).
    const embeddedDir = tempDir('earshot-bench-db-');
    const embedded = await openEmbedded({ dataDir: embeddedDir });
    try {
      // Warm-up (WebAssembly tiers, query plans): not timed.
      await ingestInBatches(embedded, 'bench-warmup', messages(300));
      const batch = messages(count);
      const cpu = cpuWindow();
      const started = now();
      await ingestInBatches(embedded, 'bench-core', batch);
      const seconds = (now() - started) / 1000;
      const usage = cpu.stop();
      const timed: Timed = { seconds, perSecond: count / seconds, nodeCpuPct: usage.nodeCores * 100, denoCpuPct: null, foreignCpuPct: usage.foreignCores * 100 };
      context.log(`  embedded-core: ${timed.perSecond.toFixed(0)} msg/s`);
      results.push(result('embedded-core', count, timed));

      // Live-sized batches (issue 30): service CPU per stored message when a show hands storage 1, 3 or 10
      // messages at a time, on a show already 3,000 messages long, for a platform read through its chat
      // (generic: the offer context is read from the show's lines) and a live-shopping one (whatnot).
      for (const platform of ['generic', 'whatnot'] as const) {
        const sessionId = `bench-small-${platform}`;
        const prefill = messages(3_000).map((m) => ({ ...m, platform }));
        await ingestInBatches(embedded, sessionId, prefill);
        for (const size of [1, 3, 10]) {
          const rounds = context.quick ? 60 : 200;
          const small = messages(size * rounds).map((m) => ({ ...m, platform }));
          const spent = process.cpuUsage();
          const began = now();
          for (let i = 0; i < small.length; i += size) await embedded.ingest(sessionId, small.slice(i, i + size));
          const cpuUs = process.cpuUsage(spent);
          const cpuMsPerMessage = (cpuUs.user + cpuUs.system) / 1000 / small.length;
          context.log(`  small batches ${platform} x${size}: ${cpuMsPerMessage.toFixed(2)} ms CPU per message`);
          results.push({
            name: 'ingest',
            params: { mode: 'embedded-small-batches', platform, batchSize: size, showLength: 3_000 },
            metrics: { cpuMsPerMessage: round(cpuMsPerMessage, 2), wallMsPerBatch: round((now() - began) / rounds, 2) },
          });
        }
      }

      const viaForwarder = await throughForwarder(embedded, messages(count), 'bench-forwarder');
      context.log(`  embedded via forwarder: ${viaForwarder.perSecond.toFixed(0)} msg/s`);
      results.push(result('embedded', count, viaForwarder));
    } finally {
      await embedded.close();
      fs.rmSync(embeddedDir, { recursive: true, force: true });
    }

    // The edge function under Deno, over HTTP, against a real PostgreSQL server (as on Supabase).
    let pgServer: RealPostgres | undefined;
    let fn: RunningFunction | undefined;
    try {
      pgServer = await startPostgres();
      const serviceKey = 'bench-service-role-key';
      const denoStarted = now();
      const starting = startDenoFunction('monitor-realtime-stream', {
        SUPABASE_DB_URL: pgServer.url,
        SUPABASE_SERVICE_ROLE_KEY: serviceKey,
      });
      fn = await withTimeout(starting, 180_000, 'the edge function did not start under Deno within 180 s').catch((error: unknown) => {
        // A late start must not leave Deno running after the benchmark.
        void starting.then((late) => late.stop(), () => undefined);
        throw error;
      });
      const startupSeconds = (now() - denoStarted) / 1000;
      const supabase = new SupabaseBackend({ url: fn.url, serviceRoleKey: serviceKey, timeoutMs: 60_000 });
      await supabase.ping();
      await ingestInBatches(supabase, 'bench-warmup', messages(300));
      const edgeCount = context.quick ? 500 : 2_000;
      const timed = await throughForwarder(supabase, messages(edgeCount), 'bench-edge', fn.child.pid);
      context.log(`  edge function (Deno): ${timed.perSecond.toFixed(0)} msg/s`);
      results.push(result('edge-function', edgeCount, timed, { denoStartupSec: round(startupSeconds, 1) }));
    } catch (error) {
      context.log(`  edge function: FAILED ${(error as Error).message}`);
      results.push({ name: 'ingest', params: { mode: 'edge-function' }, metrics: { error: (error as Error).message.slice(0, 300) } });
    } finally {
      await fn?.stop();
      await pgServer?.stop().catch(() => undefined);
    }
    return results;
  },
};
