/**
 * The embedded backend's worker thread: hosts the EmbeddedBackend (PGlite, the shared core's ingest,
 * classification, the knowledge-base hook) so storage never runs on the thread that captures chat and
 * fans it out. Answers the main thread's Backend calls, raw SQL and transactions (protocol.ts).
 * Started by worker-backend.ts; never imported by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKbHook } from '../../../supabase/functions/_shared/kb/index.ts';
import type { Sql } from '../../../supabase/functions/_shared/db.ts';
import { kbModelsFromConfig } from '../../kb/models.ts';
import { createLogger } from '../../log.ts';
import { classifierFromConfig, EmbeddedBackend } from '../embedded.ts';
import { toWireError, type EmbeddedWorkerOptions, type WorkerRequest, type WorkerResponse } from './protocol.ts';

/** Ends the transaction body (the callback of sql.transaction) when the main thread says so. */
class RollbackRequested extends Error {}

interface OpenTransaction {
  sql: Sql;
  end: (commit: boolean) => void;
  done: Promise<unknown>;
}

async function run(options: EmbeddedWorkerOptions): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('host.ts runs in a worker thread');
  const send = (message: WorkerResponse): void => port.postMessage(message);

  const logger = createLogger(options.logLevel);
  const { embedder, model } = kbModelsFromConfig(options.openai, logger);
  const llm = classifierFromConfig(options.openai, options.llmCacheFile);
  const backend = new EmbeddedBackend({
    dataDir: options.dataDir,
    templateDir: options.templateDir,
    buyerThreshold: options.buyerThreshold,
    llm,
    answer: createKbHook({
      trigger: options.botTrigger,
      embedder,
      model,
      maxRepliesPerMinute: options.repliesPerMinute,
      onError: (error) => logger.warn({ err: String(error) }, 'knowledge base hook failed'),
    }),
  });
  await backend.init();
  const persistTimer = llm ? setInterval(() => persistQuietly(), 60_000) : undefined;
  persistTimer?.unref();
  function persistQuietly(): void {
    try {
      llm?.persist();
    } catch (error) {
      logger.warn({ err: String(error) }, 'could not save the LLM verdict cache');
    }
  }

  const transactions = new Map<number, OpenTransaction>();
  let nextTx = 1;

  const begin = (parent: Sql): Promise<number> =>
    new Promise<number>((resolveBegun, rejectBegun) => {
      const tx = nextTx++;
      let end!: (commit: boolean) => void;
      const ended = new Promise<boolean>((resolve) => (end = resolve));
      const done = parent
        .transaction(async (sql) => {
          transactions.set(tx, { sql, end, done });
          resolveBegun(tx);
          if (!(await ended)) throw new RollbackRequested();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RollbackRequested)) rejectBegun(error);
          throw error;
        })
        .finally(() => transactions.delete(tx));
      // Keep `done` from being an unhandled rejection while nobody awaits it yet.
      done.catch(() => undefined);
    });

  async function handle(request: WorkerRequest): Promise<unknown> {
    switch (request.op) {
      case 'call': {
        const method = (backend as unknown as Record<string, unknown>)[request.method];
        if (typeof method !== 'function' || request.method.startsWith('_') || request.method === 'constructor') {
          throw new Error(`The embedded backend has no method ${request.method}`);
        }
        if (request.method === 'close') {
          clearInterval(persistTimer);
          persistQuietly();
        }
        return (method as (...args: unknown[]) => unknown).apply(backend, request.args);
      }
      case 'query': {
        const sql = request.tx === undefined ? backend.sql : transactions.get(request.tx)?.sql;
        if (!sql) throw new Error(`Transaction ${request.tx} is not open`);
        return sql.query(request.text, request.params);
      }
      case 'begin': {
        const parent = request.parent === undefined ? backend.sql : transactions.get(request.parent)?.sql;
        if (!parent) throw new Error(`Transaction ${request.parent} is not open`);
        return begin(parent);
      }
      case 'end': {
        const open = transactions.get(request.tx);
        if (!open) throw new Error(`Transaction ${request.tx} is not open`);
        open.end(request.commit);
        try {
          await open.done;
        } catch (error) {
          if (!(error instanceof RollbackRequested)) throw error;
        }
        return undefined;
      }
    }
  }

  port.on('message', (request: WorkerRequest) => {
    handle(request).then(
      (value) => send({ id: request.id, ok: true, value }),
      (error: unknown) => send({ id: request.id, ok: false, error: toWireError(error) }),
    );
  });
  send({ op: 'ready' });
}

run((workerData as { options: EmbeddedWorkerOptions }).options).catch((error: unknown) => {
  parentPort?.postMessage({ op: 'failed', error: toWireError(error) } satisfies WorkerResponse);
});
