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
  AuditLot,
  InterestedViewer,
  LotHistoryEntry,
} from '../../supabase/functions/_shared/contract.ts';
import type { LotPatch } from '../../supabase/functions/_shared/ledger/corrections.ts';
import { MAX_AUTHOR_LENGTH, sanitizeText, scrubText } from '../../supabase/functions/_shared/text.ts';
import type { KnowledgeBase, KnowledgeBaseOptions } from '../../supabase/functions/_shared/kb/index.ts';
import type { OverlayStore } from '../../supabase/functions/_shared/overlay/store.ts';
import type { WebhookStore } from '../../supabase/functions/_shared/webhooks/store.ts';

export type { AuditLot, CapturedBuyer, HousekeepingReport, IngestResult, InterestedViewer, Intent, Lot, LotHistoryEntry, LotPatch, MessagePage, MessageQuery, StoredMessage };

/** Who makes a seller's change (history's `by`): the signed-in seller, or null without accounts. */
export interface SellerAct {
  userId?: string | null;
}

/**
 * The session row both backends write for a session of the service. Its text is scrubbed here too: a
 * session saved, or queued in the outbox, before text was scrubbed at the HTTP edge still stores.
 */
export function toSessionUpsert(info: SessionInfo, ownerId?: string): SessionUpsert {
  const sellers = (info.sellers ?? []).map((name) => sanitizeText(name, MAX_AUTHOR_LENGTH)).filter(Boolean);
  return {
    sessionId: info.sessionId,
    platform: info.platform,
    url: scrubText(info.url),
    source: info.source,
    status: info.status,
    detail: info.detail === undefined ? undefined : scrubText(info.detail),
    startedAt: info.startedAt,
    ownerId,
    ...(sellers.length > 0 ? { sellers } : {}),
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

/** What a knowledge base is opened with: its owner, its models and where embedding failures go. */
export interface OpenKnowledgeOptions extends Omit<KnowledgeBaseOptions, 'ownerId'> {
  /** A signed-in seller (accounts); omitted: the backend's default owner (SUPABASE_OWNER_ID, or none). */
  ownerId?: string;
}

/**
 * A backend's knowledge base, whatever database is under it. The models stay the caller's (they run
 * where the caller runs); the SQL stays the backend's.
 */
export interface KnowledgeStore {
  /** A knowledge base bound to one owner: their documents and commands answer their shows' viewers. */
  open(options?: OpenKnowledgeOptions): Promise<KnowledgeBase>;
  /** True when questions are also matched by meaning (pgvector); false: full-text search alone. */
  vectorSearch(): Promise<boolean>;
}

export interface Backend {
  readonly kind: 'embedded' | 'postgres' | 'supabase';
  /**
   * The knowledge base: documents, answers, bot commands and settings, and the reply outbox. Usable after
   * init(). Undefined when this backend has none (Supabase mode without SUPABASE_DB_URL): the knowledge
   * base routes then answer kb_unavailable and no replies are delivered.
   */
  readonly knowledge?: KnowledgeStore;
  /** Sellers' webhook endpoints and the outbox of their deliveries; absent where no database is reachable. */
  readonly webhooks?: WebhookStore;
  /** Shows' overlay links (hashed) and featured messages; absent where no database is reachable. */
  readonly overlays?: OverlayStore;
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
  /**
   * A seller's correction of one lot; undefined when the show has no such lot. Throws EarshotError
   * lot_changed (the current lot in `context.lot`) for a stale `patch.version`, invalid_body for marks on
   * a lot without a winner.
   */
  correctLot?(sessionId: string, code: string, patch: LotPatch, act?: SellerAct): Promise<Lot | undefined>;
  /** Undoes the latest seller change of a lot; undefined when no such lot. Throws nothing_to_undo or lot_changed. */
  undoLot?(sessionId: string, code: string, act?: SellerAct): Promise<Lot | undefined>;
  /** The end of a show: every open lot closes (sold to its winner, else unsold); returns the lots it closed. */
  settleLots?(sessionId: string): Promise<Lot[]>;
  /** A lot's history, oldest first; undefined when no such lot. */
  lotHistory?(sessionId: string, code: string): Promise<LotHistoryEntry[] | undefined>;
  /** The show's audit export: per lot, every change with its message's platform and capture times. */
  auditLots?(sessionId: string): Promise<AuditLot[]>;
  /** Viewers with purchase intent that no lot holds (leads, not buyers). */
  listInterested?(sessionId: string): Promise<InterestedViewer[]>;
  /** Retention and stale-session closing. */
  housekeep(cutoffs: HousekeepingCutoffs): Promise<HousekeepingReport>;
  /** Throws when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
