/**
 * The embedded backend, run on a worker thread (host.ts): the same Backend, so main.ts and everything
 * above it cannot tell, but PGlite's queries, the shared core's ingest and classification never hold
 * the thread that captures chat and fans it out (npm run bench: capture latency at 1,000 msg/s).
 *
 * A new database is first created and migrated by a short-lived child process (initdb's WebAssembly
 * memory, ~400 MB at its peak, cannot shrink and leaves with that process), then the worker serves. A worker that dies is started again on the next call; calls in flight fail with
 * `backend_unavailable`, which the forwarder retries from its durable outbox.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChatMessage, SessionInfo } from '../../domain/message.ts';
import { EarshotError, isErrorCode } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { OverlayStore } from '../../../supabase/functions/_shared/overlay/store.ts';
import type { WebhookStore } from '../../../supabase/functions/_shared/webhooks/store.ts';
import type { Sql } from '../../../supabase/functions/_shared/db.ts';
import type {
  Backend,
  CapturedBuyer,
  HousekeepingCutoffs,
  HousekeepingReport,
  IngestResult,
  KnowledgeStore,
  AuditLot,
  InterestedViewer,
  Lot,
  LotHistoryEntry,
  LotPatch,
  SellerAct,
  MessagePage,
  MessageQuery,
} from '../types.ts';
import { sqlKnowledge } from '../knowledge.ts';
import { sqlOverlays } from '../overlay.ts';
import { sqlWebhooks } from '../webhooks.ts';
import { rejectBadData } from '../rejection.ts';
import { BOOTSTRAP, entryPath, waitReady } from './bootstrap.ts';
import type { EmbeddedWorkerOptions, WireError, WorkerRequest, WorkerResponse } from './protocol.ts';

const ENTRY = entryPath(__dirname, 'host');
const PREPARE_ENTRY = entryPath(__dirname, 'prepare');

/** Named states of the worker (one field, transitions in one place). */
type WorkerState = 'idle' | 'starting' | 'ready' | 'closed';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface WorkerBackendOptions extends EmbeddedWorkerOptions {
  logger: Logger;
}

export class WorkerBackend implements Backend {
  readonly kind = 'embedded' as const;
  private readonly options: WorkerBackendOptions;
  private state: WorkerState = 'idle';
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts = 0;

  constructor(options: WorkerBackendOptions) {
    this.options = options;
  }

  /** Times the worker was started again after it died (health, tests). */
  get restartCount(): number {
    return this.restarts;
  }

  /** The worker's thread id while it runs. */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  async init(): Promise<void> {
    await this.ensureWorker();
  }

  /**
   * The shared core's Sql over the worker: queries and transactions cross the thread (protocol.ts). What
   * `knowledge` runs on, and what tests inspect the database with; not part of Backend.
   */
  readonly sql: Sql = this.sqlFor(undefined);

  /**
   * The knowledge base on this thread over `sql`: its models (embeddings, answers) are the caller's and
   * wait on the network, while its queries run on the worker with everything else of the database.
   */
  readonly knowledge: KnowledgeStore = sqlKnowledge(this.sql, { ownerStandIn: true });

  /** The webhook outbox, over the worker like the knowledge base. */
  readonly webhooks: WebhookStore = sqlWebhooks(this.sql, { ownerStandIn: true });

  /** Overlay links and featured messages, over the worker like the knowledge base. */
  readonly overlays: OverlayStore = sqlOverlays(this.sql, { ownerStandIn: true });

  // The writes the forwarder makes: a refusal of the data that crossed the thread unmapped (a raw
  // PostgreSQL error keeps its SQLSTATE on the wire) is `backend_rejected` here too, never a retry.
  upsertSession(info: SessionInfo): Promise<void> {
    return rejectBadData(() => this.call('upsertSession', [info])) as Promise<void>;
  }

  ingest(sessionId: string, messages: ChatMessage[]): Promise<IngestResult[]> {
    return rejectBadData(() => this.call('ingest', [sessionId, messages])) as Promise<IngestResult[]>;
  }

  markDeleted(sessionId: string, messageIds: string[]): Promise<void> {
    return rejectBadData(() => this.call('markDeleted', [sessionId, messageIds])) as Promise<void>;
  }

  listMessages(sessionId: string, query: MessageQuery): Promise<MessagePage> {
    return this.call('listMessages', [sessionId, query]) as Promise<MessagePage>;
  }

  listBuyers(sessionId: string, limit: number): Promise<CapturedBuyer[]> {
    return this.call('listBuyers', [sessionId, limit]) as Promise<CapturedBuyer[]>;
  }

  listLots(sessionId: string): Promise<Lot[]> {
    return this.call('listLots', [sessionId]) as Promise<Lot[]>;
  }

  correctLot(sessionId: string, code: string, patch: LotPatch, act: SellerAct = {}): Promise<Lot | undefined> {
    return this.call('correctLot', [sessionId, code, patch, act]) as Promise<Lot | undefined>;
  }

  undoLot(sessionId: string, code: string, act: SellerAct = {}): Promise<Lot | undefined> {
    return this.call('undoLot', [sessionId, code, act]) as Promise<Lot | undefined>;
  }

  settleLots(sessionId: string): Promise<Lot[]> {
    return this.call('settleLots', [sessionId]) as Promise<Lot[]>;
  }

  lotHistory(sessionId: string, code: string): Promise<LotHistoryEntry[] | undefined> {
    return this.call('lotHistory', [sessionId, code]) as Promise<LotHistoryEntry[] | undefined>;
  }

  auditLots(sessionId: string): Promise<AuditLot[]> {
    return this.call('auditLots', [sessionId]) as Promise<AuditLot[]>;
  }

  listInterested(sessionId: string): Promise<InterestedViewer[]> {
    return this.call('listInterested', [sessionId]) as Promise<InterestedViewer[]>;
  }

  housekeep(cutoffs: HousekeepingCutoffs): Promise<HousekeepingReport> {
    return this.call('housekeep', [cutoffs]) as Promise<HousekeepingReport>;
  }

  ping(): Promise<void> {
    return this.call('ping', []) as Promise<void>;
  }

  /** Forwards any other method of the embedded backend (the Backend interface grows with features). */
  call(method: string, args: unknown[]): Promise<unknown> {
    return this.request({ op: 'call', method, args });
  }

  /** Ends the worker abruptly, as a crash would (fault tests); the next call starts a new one. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const worker = this.worker ?? (await this.starting?.catch(() => null)) ?? null;
    if (worker && this.state === 'ready') {
      await this.request({ op: 'call', method: 'close', args: [] }).catch(() => undefined);
    }
    this.state = 'closed';
    this.worker = null;
    await worker?.terminate();
    this.failPending('The embedded backend is closed');
  }

  private sqlFor(tx: number | undefined): Sql {
    return {
      query: <T>(text: string, params: unknown[] = []) => this.request({ op: 'query', tx, text, params }) as Promise<T[]>,
      transaction: async <T>(fn: (sql: Sql) => Promise<T>): Promise<T> => {
        const opened = (await this.request({ op: 'begin', parent: tx })) as number;
        let result: T;
        try {
          result = await fn(this.sqlFor(opened));
        } catch (error) {
          await this.request({ op: 'end', tx: opened, commit: false }).catch(() => undefined);
          throw error;
        }
        await this.request({ op: 'end', tx: opened, commit: true });
        return result;
      },
    };
  }

  private async request(body: DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown> {
    const worker = await this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  private ensureWorker(): Promise<Worker> {
    if (this.state === 'closed') return Promise.reject(new EarshotError('backend_unavailable', 'The embedded backend is closed'));
    if (this.state === 'ready' && this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.startWorker().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async startWorker(): Promise<Worker> {
    this.state = 'starting';
    try {
      // A new database is made by a process of its own, whose memory goes when it exits.
      await prepareInChildProcess(this.options);
      const worker = this.spawn();
      await waitReady<WireError>(worker, {
      failed: rebuildError,
      exited: (code) => new EarshotError('backend_unavailable', `The embedded backend worker exited (${code}) while starting`),
    });
      if ((this.state as WorkerState) === 'closed') {
        await worker.terminate();
        throw new EarshotError('backend_unavailable', 'The embedded backend is closed');
      }
      worker.on('message', (message: WorkerResponse) => this.workerOnMessage(message));
      worker.on('error', (error) => this.options.logger.error({ err: error.message }, 'embedded backend worker failed'));
      worker.once('exit', (code) => this.workerOnExit(worker, code));
      this.worker = worker;
      this.state = 'ready';
      return worker;
    } catch (error) {
      if ((this.state as WorkerState) !== 'closed') this.state = 'idle';
      throw error instanceof EarshotError ? error : rebuildError(error as WireError | Error);
    }
  }

  private spawn(): Worker {
    const { logger: _logger, ...options } = this.options;
    return new Worker(BOOTSTRAP, { eval: true, workerData: { entry: ENTRY, options } });
  }

  private workerOnMessage(message: WorkerResponse): void {
    if (!('id' in message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(rebuildError(message.error));
  }

  private workerOnExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    if (this.state === 'closed') return;
    this.state = 'idle';
    this.restarts++;
    this.options.logger.error({ code }, 'embedded backend worker exited; it starts again on the next call');
    this.failPending(`The embedded backend worker exited (${code})`);
  }

  private failPending(message: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new EarshotError('backend_unavailable', message));
    }
  }
}

/**
 * Creates and migrates `<dataDir>/pglite` in a child process when it does not exist yet (prepare.ts).
 * The service and `earshot replay` call it before opening the database themselves.
 */
export async function prepareInChildProcess(options: { dataDir?: string; templateDir?: string }): Promise<void> {
  const { dataDir, templateDir } = options;
  if (!dataDir || fs.existsSync(path.join(dataDir, 'pglite'))) return;
  const child = spawn(process.execPath, ['-e', BOOTSTRAP], {
    env: { ...process.env, EARSHOT_ENTRY: PREPARE_ENTRY, EARSHOT_PREPARE_OPTIONS: JSON.stringify({ dataDir, templateDir }) },
    // The IPC channel lets the child notice when its parent is gone (it exits then).
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    const reason = stderr.trim().split('\n').slice(-3).join(' ');
    throw new EarshotError('backend_unavailable', `Could not create the embedded database: ${reason}`, { dataDir });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;


/** An error from the worker, rebuilt: EarshotErrors keep their code (HTTP maps it), others their fields. */
function rebuildError(wire: WireError | Error): Error {
  if (wire instanceof Error) return wire;
  // Any error of the one base (CoreError, KbError... included) keeps its stable code across the thread.
  if (isErrorCode(wire.code)) return new EarshotError(wire.code, wire.message, wire.context ?? {});
  const error = new Error(wire.message) as Error & { code?: string; detail?: string; constraint?: string };
  error.name = wire.name;
  if (wire.code) error.code = wire.code;
  if (wire.detail) error.detail = wire.detail;
  if (wire.constraint) error.constraint = wire.constraint;
  return error;
}
