/**
 * The Backend interface: what the service needs from storage and intelligence. The shared core in-process,
 * over PGlite (`embedded`) or over a PostgreSQL server the user runs (`postgres`, DATABASE_URL), and
 * supabase (HTTP to the edge functions).
 * Result shapes come from the shared core (supabase/functions/_shared/types.ts), so both answer alike.
 */
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import type {
  HousekeepingReport,
  SessionUpsert,
  IngestResult,
  Intent,
  CapturedBuyer,
  MessagePage,
  MessageQuery,
  StoredMessage,
  Lot,
} from '../../supabase/functions/_shared/types.ts';
import type { LotPatch } from '../../supabase/functions/_shared/ledger/corrections.ts';
import type { Sql } from '../../supabase/functions/_shared/db.ts';

export type { CapturedBuyer, HousekeepingReport, IngestResult, Intent, Lot, LotPatch, MessagePage, MessageQuery, StoredMessage };

/** The session row both backends write for a session of the service. */
export function toSessionUpsert(info: SessionInfo, ownerId?: string): SessionUpsert {
  return {
    sessionId: info.sessionId,
    platform: info.platform,
    url: info.url,
    source: info.source,
    status: info.status,
    detail: info.detail,
    startedAt: info.startedAt,
    ownerId,
    ...(info.sellers && info.sellers.length > 0 ? { sellers: info.sellers } : {}),
  };
}

/** Cut-off times for one housekeeping pass (computed from the caller's clock). */
export interface HousekeepingCutoffs {
  /** Messages captured before this are deleted (retention). */
  deleteBefore: Date;
  /** Open sessions silent since before this are ended. */
  staleBefore: Date;
  now: Date;
}

export interface Backend {
  readonly kind: 'embedded' | 'postgres' | 'supabase';
  /**
   * The shared core's database when the core runs in this process (embedded, postgres), after init():
   * the knowledge base and replies use it. Undefined when the core runs elsewhere (supabase).
   */
  readonly sql?: Sql;
  init(): Promise<void>;
  /** Creates or updates the session row (status, url, platform...). */
  upsertSession(info: SessionInfo): Promise<void>;
  /**
   * Stores a batch idempotently, classifies it and returns one result per message, in order.
   * Throws EarshotError `backend_rejected` when the batch itself can never be accepted (do not retry),
   * anything else when it may succeed later.
   */
  ingest(sessionId: string, messages: ChatMessage[]): Promise<IngestResult[]>;
  /** Marks messages deleted (moderation on the platform). */
  markDeleted(sessionId: string, messageIds: string[]): Promise<void>;
  /** A page of stored messages, newest first. */
  listMessages(sessionId: string, query: MessageQuery): Promise<MessagePage>;
  /** The session's captured buyers, first claimer first. */
  listBuyers(sessionId: string, limit: number): Promise<CapturedBuyer[]>;
  /**
   * The show's claims ledger, lots in announcement order. Optional only while every implementation
   * catches up (the worker-thread backend proxies the embedded one); the lots routes answer
   * backend_unavailable without it.
   */
  listLots?(sessionId: string): Promise<Lot[]>;
  /** A seller's correction of one lot; undefined when the show has no such lot. */
  correctLot?(sessionId: string, code: string, patch: LotPatch): Promise<Lot | undefined>;
  /** Retention and stale-session closing. */
  housekeep(cutoffs: HousekeepingCutoffs): Promise<HousekeepingReport>;
  /** Throws when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
