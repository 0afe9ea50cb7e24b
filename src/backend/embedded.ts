/**
 * The edge functions' shared core, run in-process. Over PGlite (a real Postgres engine in WebAssembly)
 * persisted under DATA_DIR/pglite: the embedded backend, what users get without any storage settings.
 * Over a PostgreSQL server the user runs (DATABASE_URL): storage that several instances share without
 * Supabase. Same class, same queries; only where the `Sql` comes from differs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Config } from '../config.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';
import type { OverlayStore } from '../../supabase/functions/_shared/overlay/store.ts';
import type { WebhookStore } from '../../supabase/functions/_shared/webhooks/store.ts';
import type { Sql } from '../../supabase/functions/_shared/db.ts';
import { CoreError } from '../../supabase/functions/_shared/errors.ts';
import { connectPostgres } from '../../supabase/functions/_shared/postgres.ts';
import { listBuyers, listMessages } from '../../supabase/functions/_shared/history.ts';
import { runHousekeeping } from '../../supabase/functions/_shared/housekeeping.ts';
import { ingestMessages, type AnswerFn } from '../../supabase/functions/_shared/ingest.ts';
import { createKbHook, type KbHookOptions } from '../../supabase/functions/_shared/kb/index.ts';
import { classifyMessages, createOpenAiClassifier, type LlmClassifier } from '../../supabase/functions/_shared/intent/index.ts';
import { markDeleted, upsertSession } from '../../supabase/functions/_shared/sessions.ts';
import { auditLots, correctLot, listInterested, listLots, lotHistory, saveSellers, settleLots, undoLot } from '../../supabase/functions/_shared/ledger/store.ts';
import { applyMigrations, findSupabaseDir, listMigrations, migrateServer, pgliteTarget } from './migrations.ts';
import type { PGlite } from './pglite.ts';
import { pgliteSql } from './pglite-sql.ts';
import { rejectBadData } from './rejection.ts';
import { addStandInUser, sqlKnowledge } from './knowledge.ts';
import { sqlOverlays } from './overlay.ts';
import { sqlWebhooks } from './webhooks.ts';
import {
  toSessionUpsert,
  type Backend,
  type CapturedBuyer,
  type HousekeepingCutoffs,
  type HousekeepingReport,
  type IngestResult,
  type KnowledgeStore,
  type AuditLot,
  type InterestedViewer,
  type Lot,
  type LotHistoryEntry,
  type LotPatch,
  type SellerAct,
  type MessagePage,
  type MessageQuery,
} from './types.ts';

export interface EmbeddedBackendOptions {
  /** DATA_DIR: the database lives in `<dataDir>/pglite`. Omitted: in memory (nothing survives close). */
  dataDir?: string;
  /**
   * DATABASE_URL: run over this PostgreSQL server instead of PGlite (`dataDir` and `templateDir` are then
   * unused). Several instances may share it.
   */
  databaseUrl?: string;
  /** Connections in the pool to `databaseUrl` (default 10). */
  poolSize?: number;
  buyerThreshold: number;
  /** Second opinion for ambiguous messages (OPENAI_API_KEY set). */
  llm?: LlmClassifier;
  /** Knowledge-base answers for questions. */
  answer?: AnswerFn;
  /** The repository's supabase folder (found from this module when omitted). */
  supabaseDir?: string;
  /**
   * A folder caching an initialized, migrated database per schema version: a new database is copied
   * from it (a fraction of a second) instead of created (seconds). For tests and throwaway DATA_DIRs.
   */
  templateDir?: string;
}

/**
 * postgresql.conf of the embedded database, written by PGlite at every open. PGlite runs one backend in
 * WebAssembly whose memory never shrinks, and Postgres' defaults size it for a server: shared_buffers
 * 128 MB alone made the idle service ~330 MB RSS. 16 MB keeps the working set of a few live shows (the
 * file system's page cache holds the rest) at ~175 MB for PGlite (npm run bench, memory).
 */
export const PGLITE_CONF = ['shared_buffers = 16MB', 'max_connections = 10', 'wal_buffers = 1MB', 'work_mem = 4MB'];

/** Opens PGlite on `dir` (in memory when undefined) with the vector extension and {@link PGLITE_CONF}. */
export async function openPglite(dir: string | undefined): Promise<PGlite> {
  // Loaded here, not at the top: the service's main thread imports this module for DATABASE_URL and
  // never opens PGlite (the embedded database lives on its worker thread).
  const { PGlite, vector } = await import('./pglite.ts');
  // The vector extension is registered up front so later migrations (knowledge base) can create it.
  return PGlite.create(dir, { extensions: { vector }, postgresqlconf: PGLITE_CONF });
}

/**
 * Creates and migrates the database under `<dataDir>/pglite` if it does not exist yet, then closes it.
 * Run in a short-lived worker (src/backend/worker), so the memory initdb needs leaves with the worker.
 */
export async function prepareDatabase(options: Pick<EmbeddedBackendOptions, 'dataDir' | 'templateDir' | 'supabaseDir'>): Promise<void> {
  if (!options.dataDir) return;
  const dir = path.join(options.dataDir, 'pglite');
  if (fs.existsSync(dir)) return;
  const supabaseDir = options.supabaseDir ?? findSupabaseDir();
  if (options.templateDir) {
    await copyTemplate(dir, options.templateDir, supabaseDir);
    return;
  }
  // Built beside and renamed when complete: a run killed half-way leaves no half-made database behind.
  const building = `${dir}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(options.dataDir, { recursive: true });
  await createMigratedDatabase(building, supabaseDir);
  fs.renameSync(building, dir);
}

/** Creates a database in `dir` with every migration applied, and closes it; removes `dir` if that fails. */
async function createMigratedDatabase(dir: string, supabaseDir: string): Promise<void> {
  try {
    const db = await openPglite(dir);
    try {
      await applyMigrations(pgliteTarget(db), supabaseDir);
    } finally {
      await db.close();
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export class EmbeddedBackend implements Backend {
  readonly kind: 'embedded' | 'postgres';
  private readonly options: EmbeddedBackendOptions;
  private database: PGlite | null = null;
  private server: (Sql & { close(): Promise<void> }) | null = null;
  private sqlAdapter: Sql | null = null;

  /**
   * `sql` bound late: the stores below exist from the start and fail `backend_unavailable` before init()
   * or after close(), like every other call.
   */
  private readonly lateSql: Sql = {
    query: <T>(text: string, params?: unknown[]) => this.sql.query<T>(text, params),
    transaction: <T>(fn: (tx: Sql) => Promise<T>) => this.sql.transaction(fn),
  };

  /** The knowledge base over this database. */
  readonly knowledge: KnowledgeStore = sqlKnowledge(this.lateSql, { ownerStandIn: true });

  /** The webhook outbox over this database (late-bound like `knowledge`). */
  readonly webhooks: WebhookStore = sqlWebhooks(this.lateSql, { ownerStandIn: true });

  /** Overlay links and featured messages over this database. */
  readonly overlays: OverlayStore = sqlOverlays(this.lateSql, { ownerStandIn: true });

  constructor(options: EmbeddedBackendOptions) {
    this.options = options;
    this.kind = options.databaseUrl ? 'postgres' : 'embedded';
  }

  /** Opens (or creates) the database and applies pending migrations. */
  async init(): Promise<void> {
    if (this.sqlAdapter) return;
    if (this.options.databaseUrl) {
      await migrateServer(this.options.databaseUrl, this.options.supabaseDir);
      this.server = connectPostgres(this.options.databaseUrl, { max: this.options.poolSize ?? 10 });
      this.sqlAdapter = this.server;
      return;
    }
    const dir = this.options.dataDir ? path.join(this.options.dataDir, 'pglite') : undefined;
    if (dir && this.options.templateDir && !fs.existsSync(dir)) {
      await copyTemplate(dir, this.options.templateDir, this.options.supabaseDir ?? findSupabaseDir());
    }
    const db = await openPglite(dir);
    try {
      await applyMigrations(pgliteTarget(db), this.options.supabaseDir);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    this.database = db;
    this.sqlAdapter = pgliteSql(db);
  }

  /** The PGlite instance (tests); only without `databaseUrl`. */
  get db(): PGlite {
    if (!this.database) throw new EarshotError('backend_unavailable', 'Embedded backend is not initialized over PGlite');
    return this.database;
  }

  /**
   * The shared core's view of the database: for this backend's own work, the worker thread that hosts it
   * (host.ts) and tests. Not part of Backend: the service reaches the knowledge base through `knowledge`.
   */
  get sql(): Sql {
    if (!this.sqlAdapter) throw new EarshotError('backend_unavailable', 'Embedded backend is not initialized');
    return this.sqlAdapter;
  }

  async upsertSession(info: SessionInfo): Promise<void> {
    // With accounts on, the show belongs to its seller (RLS, and the bot answers from that seller's
    // documents). auth.users here is the prelude's stand-in for Supabase Auth's table: the id is enough
    // (on a Supabase project's own database the user is already there and nothing is inserted).
    const session = toSessionUpsert(info, info.ownerId);
    // All of it: a NUL in a seller's name fails in saveSellers (jsonb), and that is the data's fault too.
    await rejectBadData(async () => {
      if (info.ownerId) await addStandInUser(this.sql, info.ownerId);
      await upsertSession(this.sql, session);
      if (session.sellers) await saveSellers(this.sql, session.sessionId, session.sellers);
    });
  }

  listLots(sessionId: string): Promise<Lot[]> {
    return listLots(this.sql, sessionId);
  }

  correctLot(sessionId: string, code: string, patch: LotPatch, act: SellerAct = {}): Promise<Lot | undefined> {
    return correctLot(this.sql, sessionId, code, patch, { userId: act.userId ?? null });
  }

  undoLot(sessionId: string, code: string, act: SellerAct = {}): Promise<Lot | undefined> {
    return undoLot(this.sql, sessionId, code, { userId: act.userId ?? null });
  }

  settleLots(sessionId: string): Promise<Lot[]> {
    return settleLots(this.sql, sessionId);
  }

  lotHistory(sessionId: string, code: string): Promise<LotHistoryEntry[] | undefined> {
    return lotHistory(this.sql, sessionId, code);
  }

  auditLots(sessionId: string): Promise<AuditLot[]> {
    return auditLots(this.sql, sessionId);
  }

  listInterested(sessionId: string): Promise<InterestedViewer[]> {
    return listInterested(this.sql, sessionId);
  }

  ingest(sessionId: string, messages: ChatMessage[]): Promise<IngestResult[]> {
    const llm = this.options.llm;
    return rejectBadData(() =>
      ingestMessages(this.sql, sessionId, messages, {
        classify: (items, context) => classifyMessages(items, { llm, offer: context?.offer }),
        buyerThreshold: this.options.buyerThreshold,
        answer: this.options.answer,
      }),
    );
  }

  async markDeleted(sessionId: string, messageIds: string[]): Promise<void> {
    await rejectBadData(() => markDeleted(this.sql, sessionId, messageIds));
  }

  async listBuyers(sessionId: string, limit: number): Promise<CapturedBuyer[]> {
    return listBuyers(this.sql, sessionId, limit);
  }

  async listMessages(sessionId: string, query: MessageQuery): Promise<MessagePage> {
    try {
      return await listMessages(this.sql, sessionId, query);
    } catch (error) {
      if (error instanceof CoreError) throw new EarshotError('invalid_body', error.message, { sessionId });
      throw error;
    }
  }

  housekeep(cutoffs: HousekeepingCutoffs): Promise<HousekeepingReport> {
    return runHousekeeping(this.sql, cutoffs);
  }

  async ping(): Promise<void> {
    await this.sql.query('select 1');
  }

  async close(): Promise<void> {
    const { database, server } = this;
    this.database = null;
    this.server = null;
    this.sqlAdapter = null;
    if (database) await database.close();
    if (server) await server.close();
  }
}

/**
 * The DATABASE_URL backend as the service runs it: the shared core over `databaseUrl`, with the same
 * classifier and knowledge-base answer hook the embedded worker builds for itself. It runs on the
 * caller's thread (postgres.js waits on sockets, it does not compute). The LLM's verdicts are kept in
 * memory only: DATA_DIR belongs to one instance, the database to all of them.
 */
export function databaseUrlBackend(
  config: Pick<Config, 'openai' | 'buyerConfidenceThreshold' | 'botTrigger' | 'kb'>,
  databaseUrl: string,
  kb: Pick<KbHookOptions, 'embedder' | 'model' | 'onError'>,
): EmbeddedBackend {
  return new EmbeddedBackend({
    databaseUrl,
    buyerThreshold: config.buyerConfidenceThreshold,
    llm: classifierFromConfig(config.openai),
    answer: createKbHook({ trigger: config.botTrigger, maxRepliesPerMinute: config.kb.repliesPerMinute, ...kb }),
  });
}

/**
 * The LLM second opinion for ambiguous messages, when OPENAI_API_KEY is configured. With `cacheFile`, its
 * remembered answers are read at start and written by `persist()`, so a restarted service does not ask
 * the model again about texts it has already judged.
 */
export function classifierFromConfig(
  openai: Config['openai'],
  cacheFile?: string,
): (LlmClassifier & { persist(): void }) | undefined {
  if (!openai) return undefined;
  const classifier = createOpenAiClassifier({
    apiKey: openai.apiKey,
    baseUrl: openai.baseUrl,
    model: openai.model,
    timeoutMs: openai.timeoutMs,
    initialCache: cacheFile ? readCacheFile(cacheFile) : undefined,
  });
  return {
    classify: (items) => classifier.classify(items),
    persist: () => {
      if (cacheFile) writeFileAtomic.sync(cacheFile, JSON.stringify(classifier.exportCache()), { fsync: true });
    },
  };
}

function readCacheFile(file: string): Array<[string, never]> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return Array.isArray(parsed) ? (parsed as Array<[string, never]>) : [];
  } catch {
    return []; // missing or unreadable: start cold, entries are validated by the classifier anyway
  }
}

/** Copies a cached, migrated database to `target`, building the cache entry first when missing. */
async function copyTemplate(target: string, templateDir: string, supabaseDir: string): Promise<void> {
  const hash = createHash('sha256');
  hash.update(String(fs.statSync(require.resolve('@electric-sql/pglite')).mtimeMs));
  hash.update(fs.readFileSync(path.join(supabaseDir, 'prelude', 'pglite.sql')));
  for (const m of listMigrations(supabaseDir)) hash.update(m.file).update(fs.readFileSync(m.file));
  const template = path.join(templateDir, `pglite-${hash.digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(path.join(template, 'PG_VERSION'))) {
    fs.mkdirSync(templateDir, { recursive: true });
    const building = fs.mkdtempSync(path.join(templateDir, 'building-'));
    await createMigratedDatabase(building, supabaseDir);
    try {
      fs.renameSync(building, template);
    } catch {
      // Another process built it first: use theirs.
      fs.rmSync(building, { recursive: true, force: true });
    }
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(template, target, { recursive: true });
}
