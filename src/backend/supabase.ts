/**
 * The Supabase backend: HTTP to the monitor-realtime-stream edge function, which runs the same shared
 * core against the project's Postgres. Requests carry the service-role key and, when
 * INGEST_SIGNING_SECRET is set, an HMAC signature of the body with a timestamp (replays are refused).
 */
import { z } from 'zod';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { EarshotError, describeError } from '../errors.ts';
import { signatureHeaders } from '../../supabase/functions/_shared/auth.ts';
import { LotShape } from '../../supabase/functions/_shared/wire.ts';
import {
  toSessionUpsert,
  type Backend,
  type HousekeepingCutoffs,
  type HousekeepingReport,
  type IngestResult,
  type CapturedBuyer,
  type Lot,
  type LotPatch,
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
}

/** HTTP statuses that mean "this request can never succeed": the batch goes to the dead-letter file. */
const PERMANENT_STATUSES = new Set([400, 404, 405, 409, 410, 413, 415, 422]);

// Wire shapes of the function's answers, checked once at the edge.
const Buyer = z.object({
  username: z.string(),
  message: z.string(),
  confidence: z.number(),
  item: z.string().optional(),
  price: z.number().optional(),
  quantity: z.number().optional(),
  size: z.string().optional(),
  lot: z.string().optional(),
});
const Answer = z.object({
  question: z.string(),
  answer: z.string(),
  status: z.enum(['suggested', 'pending', 'sent', 'failed']),
  sources: z.array(z.object({ documentId: z.string(), title: z.string(), chunkId: z.string().optional() })),
  replyId: z.string().optional(),
});
const IngestResponse = z.object({
  results: z.array(
    z.object({
      messageId: z.string(),
      stored: z.boolean(),
      intent: z.enum(['purchase', 'question', 'other']),
      confidence: z.number(),
      buyer: Buyer.optional(),
      answer: Answer.optional(),
      error: z.object({ code: z.literal('invalid_message'), message: z.string() }).optional(),
      lots: z.array(LotShape).optional(),
    }),
  ),
});
const PageResponse = z.object({
  messages: z.array(
    z.object({
      id: z.string(),
      sessionId: z.string(),
      platform: z.string(),
      author: z.object({ name: z.string(), id: z.string().optional(), badges: z.array(z.string()) }),
      text: z.string(),
      sentAt: z.string().optional(),
      capturedAt: z.string(),
      backfill: z.boolean(),
      intent: z.enum(['purchase', 'question', 'other']).optional(),
      confidence: z.number().optional(),
      deleted: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
const BuyersResponse = z.object({
  buyers: z.array(z.object({ messageId: z.string(), capturedAt: z.string(), buyer: Buyer })),
});
const LotsResponse = z.object({ lots: z.array(LotShape) });
const LotResponse = z.object({ lot: LotShape });
const HousekeepResponse = z.object({ deletedMessages: z.number(), closedSessions: z.array(z.string()) });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export class SupabaseBackend implements Backend {
  readonly kind = 'supabase' as const;
  private readonly options: SupabaseBackendOptions;
  private readonly endpoint: string;

  constructor(options: SupabaseBackendOptions) {
    this.options = options;
    this.endpoint = `${options.url.replace(/\/+$/, '')}/functions/v1/${options.functionName ?? 'monitor-realtime-stream'}`;
  }

  async init(): Promise<void> {
    // Nothing to open: the schema is applied by `supabase db push`. Reachability shows in ping().
  }

  async upsertSession(info: SessionInfo): Promise<void> {
    // The seller who started the show (accounts) owns its row; SUPABASE_OWNER_ID is the single-owner default.
    // Only this signed, service-role call names an owner: the edge function takes it from nowhere else.
    await this.post({ action: 'upsert_session', session: toSessionUpsert(info, info.ownerId ?? this.options.ownerId) });
  }

  async ingest(sessionId: string, messages: ChatMessage[]): Promise<IngestResult[]> {
    const body = await this.post({ streamSessionId: sessionId, messages });
    return parseResponse(IngestResponse, body).results;
  }

  async markDeleted(sessionId: string, messageIds: string[]): Promise<void> {
    await this.post({ action: 'mark_deleted', streamSessionId: sessionId, messageIds });
  }

  async listMessages(sessionId: string, query: MessageQuery): Promise<MessagePage> {
    const params = new URLSearchParams({ streamSessionId: sessionId, limit: String(query.limit) });
    if (query.q) params.set('q', query.q);
    if (query.before) params.set('before', query.before);
    try {
      return parseResponse(PageResponse, await this.request('GET', `?${params}`));
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
    return parseResponse(BuyersResponse, await this.request('GET', `?${params}`)).buyers;
  }

  async listLots(sessionId: string): Promise<Lot[]> {
    const params = new URLSearchParams({ action: 'lots', streamSessionId: sessionId });
    return parseResponse(LotsResponse, await this.request('GET', `?${params}`)).lots;
  }

  async correctLot(sessionId: string, code: string, patch: LotPatch): Promise<Lot | undefined> {
    try {
      return parseResponse(LotResponse, await this.post({ action: 'correct_lot', streamSessionId: sessionId, code, patch })).lot;
    } catch (error) {
      if (error instanceof EarshotError && error.context.code === 'lot_not_found') return undefined;
      throw error;
    }
  }

  async housekeep(cutoffs: HousekeepingCutoffs): Promise<HousekeepingReport> {
    const body = await this.post({
      action: 'housekeep',
      deleteBefore: cutoffs.deleteBefore.toISOString(),
      staleBefore: cutoffs.staleBefore.toISOString(),
    });
    return parseResponse(HousekeepResponse, body);
  }

  async ping(): Promise<void> {
    await this.request('GET', '?action=ping');
  }

  async close(): Promise<void> {
    // Stateless over fetch.
  }

  private post(body: unknown): Promise<unknown> {
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
    const error = ErrorBody.safeParse(body);
    const code = error.success ? error.data.error.code : undefined;
    const message = `Supabase function answered ${response.status}${error.success ? `: ${error.data.error.message}` : ''}`;
    if (PERMANENT_STATUSES.has(response.status)) {
      throw new EarshotError('backend_rejected', message, { status: response.status, code });
    }
    throw new EarshotError('backend_unavailable', message, { status: response.status, code });
  }
}

function parseResponse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    // A malformed answer is retried: a half-deployed function may answer properly later.
    throw new EarshotError('backend_unavailable', 'Supabase function answered an unexpected shape');
  }
  return result.data;
}
