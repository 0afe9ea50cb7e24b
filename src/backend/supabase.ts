/**
 * The Supabase backend: HTTP to the monitor-realtime-stream edge function, which runs the same shared
 * core against the project's Postgres. Requests carry the service-role key and, when
 * INGEST_SIGNING_SECRET is set, an HMAC signature of the body with a timestamp (replays are refused).
 */
import type { OverlayStore } from '../../supabase/functions/_shared/overlay/store.ts';
import type { WebhookStore } from '../../supabase/functions/_shared/webhooks/store.ts';
import type { z } from 'zod';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { EarshotError, describeError } from '../errors.ts';
import { signatureHeaders } from '../../supabase/functions/_shared/auth.ts';
import {
  BuyersAnswer,
  DeletedAnswer,
  ErrorAnswer,
  HistoryAnswer,
  HousekeepAnswer,
  IngestAnswer,
  AuditAnswer,
  InterestedAnswer,
  LotAnswer,
  LotHistoryAnswer,
  LotsAnswer,
  SettleAnswer,
  SessionAnswer,
  describeIssues,
  type MonitorPost,
} from '../../supabase/functions/_shared/contract.ts';
import { connectPostgres } from '../../supabase/functions/_shared/postgres.ts';
import { sqlKnowledge } from './knowledge.ts';
import { sqlOverlays } from './overlay.ts';
import { sqlWebhooks } from './webhooks.ts';
import {
  toSessionUpsert,
  type Backend,
  type HousekeepingCutoffs,
  type HousekeepingReport,
  type IngestResult,
  type CapturedBuyer,
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

export interface SupabaseBackendOptions {
  /** SUPABASE_URL, e.g. https://xyz.supabase.co (functions live under /functions/v1/). */
  url: string;
  serviceRoleKey: string;
  signingSecret?: string;
  /** The dashboard user who owns sessions this service creates (row level security). */
  ownerId?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Function name (tests may serve it elsewhere). */
  functionName?: string;
  /**
   * SUPABASE_DB_URL: the project's Postgres, where the service reads and writes the knowledge base and the
   * reply outbox itself (the edge function answers from the same tables). Omitted: no knowledge base.
   */
  dbUrl?: string;
}

/**
 * HTTP statuses that mean "this request can never succeed" when the function itself says so (its
 * `{error: {code}}` answer): the forwarder splits the batch and dead-letters what stays refused. The
 * same status from something in front of it (a gateway's 404 for a function not deployed yet) is
 * transient, or every message would be dead-lettered until the deploy; but a body too large is too
 * large whoever says it.
 */
const PERMANENT_STATUSES = new Set([400, 404, 405, 409, 410, 413, 415, 422]);

export class SupabaseBackend implements Backend {
  readonly kind = 'supabase' as const;
  private readonly options: SupabaseBackendOptions;
  private readonly endpoint: string;
  /** The pool to SUPABASE_DB_URL; postgres.js connects on the first query, so none is opened before use. */
  private readonly database: ReturnType<typeof connectPostgres> | undefined;
  readonly knowledge: KnowledgeStore | undefined;
  readonly webhooks: WebhookStore | undefined;
  readonly overlays: OverlayStore | undefined;

  constructor(options: SupabaseBackendOptions) {
    this.options = options;
    this.database = options.dbUrl ? connectPostgres(options.dbUrl) : undefined;
    // Supabase Auth owns auth.users: a seller's row is already there, none is added.
    this.knowledge = this.database ? sqlKnowledge(this.database, { defaultOwnerId: options.ownerId, ownerStandIn: false }) : undefined;
    this.webhooks = this.database ? sqlWebhooks(this.database, { ownerStandIn: false }) : undefined;
    this.overlays = this.database ? sqlOverlays(this.database, { ownerStandIn: false }) : undefined;
    this.endpoint = `${options.url.replace(/\/+$/, '')}/functions/v1/${options.functionName ?? 'monitor-realtime-stream'}`;
  }

  async init(): Promise<void> {
    // Nothing to open: the schema is applied by `supabase db push`. Reachability shows in ping().
  }

  async upsertSession(info: SessionInfo): Promise<void> {
    // The seller who started the show (accounts) owns its row; SUPABASE_OWNER_ID is the single-owner default.
    // Only this signed, service-role call names an owner: the edge function takes it from nowhere else.
    const body = await this.post({ action: 'upsert_session', session: toSessionUpsert(info, info.ownerId ?? this.options.ownerId) });
    parseAnswer(SessionAnswer, body, 'upsert_session');
  }

  async ingest(sessionId: string, messages: ChatMessage[]): Promise<IngestResult[]> {
    const body = await this.post({ streamSessionId: sessionId, messages });
    return parseAnswer(IngestAnswer, body, 'ingest').results;
  }

  async markDeleted(sessionId: string, messageIds: string[]): Promise<void> {
    parseAnswer(DeletedAnswer, await this.post({ action: 'mark_deleted', streamSessionId: sessionId, messageIds }), 'mark_deleted');
  }

  async listMessages(sessionId: string, query: MessageQuery): Promise<MessagePage> {
    const params = new URLSearchParams({ streamSessionId: sessionId, limit: String(query.limit) });
    if (query.q) params.set('q', query.q);
    if (query.before) params.set('before', query.before);
    try {
      return parseAnswer(HistoryAnswer, await this.request('GET', `?${params}`), 'history');
    } catch (error) {
      // A bad cursor is the caller's mistake, not the backend's.
      if (error instanceof EarshotError && error.context.code === 'invalid_body') {
        throw new EarshotError('invalid_body', error.message, { sessionId });
      }
      throw error;
    }
  }

  async listBuyers(sessionId: string, limit: number): Promise<CapturedBuyer[]> {
    const params = new URLSearchParams({ action: 'buyers', streamSessionId: sessionId, limit: String(limit) });
    return parseAnswer(BuyersAnswer, await this.request('GET', `?${params}`), 'buyers').buyers;
  }

  async listLots(sessionId: string): Promise<Lot[]> {
    const params = new URLSearchParams({ action: 'lots', streamSessionId: sessionId });
    return parseAnswer(LotsAnswer, await this.request('GET', `?${params}`), 'lots').lots;
  }

  async correctLot(sessionId: string, code: string, patch: LotPatch, act: SellerAct = {}): Promise<Lot | undefined> {
    try {
      const body = await this.post({ action: 'correct_lot', streamSessionId: sessionId, code, patch, userId: act.userId ?? null });
      return parseAnswer(LotAnswer, body, 'correct_lot').lot;
    } catch (error) {
      return ledgerRefusal(error, sessionId);
    }
  }

  async undoLot(sessionId: string, code: string, act: SellerAct = {}): Promise<Lot | undefined> {
    try {
      return parseAnswer(LotAnswer, await this.post({ action: 'undo_lot', streamSessionId: sessionId, code, userId: act.userId ?? null }), 'undo_lot').lot;
    } catch (error) {
      return ledgerRefusal(error, sessionId);
    }
  }

  async settleLots(sessionId: string): Promise<Lot[]> {
    return parseAnswer(SettleAnswer, await this.post({ action: 'settle_lots', streamSessionId: sessionId }), 'settle_lots').lots;
  }

  async lotHistory(sessionId: string, code: string): Promise<LotHistoryEntry[] | undefined> {
    const params = new URLSearchParams({ action: 'lot_history', streamSessionId: sessionId, code });
    try {
      return parseAnswer(LotHistoryAnswer, await this.request('GET', `?${params}`), 'lot_history').history;
    } catch (error) {
      return ledgerRefusal(error, sessionId);
    }
  }

  async auditLots(sessionId: string): Promise<AuditLot[]> {
    const params = new URLSearchParams({ action: 'audit', streamSessionId: sessionId });
    return parseAnswer(AuditAnswer, await this.request('GET', `?${params}`), 'audit').lots;
  }

  async listInterested(sessionId: string): Promise<InterestedViewer[]> {
    const params = new URLSearchParams({ action: 'interested', streamSessionId: sessionId });
    return parseAnswer(InterestedAnswer, await this.request('GET', `?${params}`), 'interested').interested;
  }

  async housekeep(cutoffs: HousekeepingCutoffs): Promise<HousekeepingReport> {
    const body = await this.post({
      action: 'housekeep',
      deleteBefore: cutoffs.deleteBefore.toISOString(),
      staleBefore: cutoffs.staleBefore.toISOString(),
    });
    return parseAnswer(HousekeepAnswer, body, 'housekeep');
  }

  async ping(): Promise<void> {
    await this.request('GET', '?action=ping');
  }

  async close(): Promise<void> {
    // The functions are stateless over fetch; only the knowledge base's pool has something to end.
    await this.database?.close();
  }

  private post(body: MonitorPost): Promise<unknown> {
    return this.request('POST', JSON.stringify(body));
  }

  /** `payload` is the JSON body for POST and the query string for GET (both are what gets signed). */
  private async request(method: 'GET' | 'POST', payload: string): Promise<unknown> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.serviceRoleKey}`,
      apikey: this.options.serviceRoleKey,
      ...(this.options.signingSecret ? await signatureHeaders(this.options.signingSecret, payload) : {}),
    };
    if (method === 'POST') headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(method === 'GET' ? `${this.endpoint}${payload}` : this.endpoint, {
        method,
        headers,
        body: method === 'POST' ? payload : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new EarshotError('backend_unavailable', `Supabase function unreachable: ${describeError(error)}`, {}, { cause: error });
    }
    const text = await response.text().catch(() => '');
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (a gateway page); reported below by status
    }
    if (response.ok) return body;
    const error = ErrorAnswer.safeParse(body);
    const code = error.success ? error.data.error.code : undefined;
    const message = `Supabase function answered ${response.status}${error.success ? `: ${error.data.error.message}` : ''}`;
    if (PERMANENT_STATUSES.has(response.status) && (error.success || response.status === 413)) {
      const lot = error.success ? error.data.error.lot : undefined;
      throw new EarshotError('backend_rejected', message, { status: response.status, code, ...(lot ? { lot } : {}) });
    }
    throw new EarshotError('backend_unavailable', message, { status: response.status, code });
  }
}

/**
 * A ledger call's refusal as the service's own error: no such lot is undefined; a stale correction is
 * lot_changed with the current lot; nothing to undo and a malformed correction keep their codes.
 */
function ledgerRefusal(error: unknown, sessionId: string): undefined {
  if (error instanceof EarshotError && error.code === 'backend_rejected') {
    const code = error.context.code;
    if (code === 'lot_not_found') return undefined;
    if (code === 'lot_changed') throw new EarshotError('lot_changed', error.message, { sessionId, lot: error.context.lot });
    if (code === 'nothing_to_undo' || code === 'invalid_body') throw new EarshotError(code, error.message, { sessionId });
  }
  throw error;
}

/**
 * Checks one answer against the contract. A malformed answer is `backend_unavailable`, so the forwarder
 * retries it (a half-deployed function may answer properly later); the message names the answer and
 * the first fields that did not fit, never their values.
 */
function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, answer: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new EarshotError(
      'backend_unavailable',
      `Supabase function answered ${answer} in an unexpected shape: ${describeIssues(result.error)}`,
      { answer },
    );
  }
  return result.data;
}
