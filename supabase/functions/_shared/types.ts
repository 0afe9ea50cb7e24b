/**
 * The shared backend core's types: what goes in (a chat message, a session) and what comes out (one
 * result per message, a page of history). The Node service's Backend interface re-exports these, so
 * the edge functions and the embedded backend answer with exactly the same shapes.
 * Dependency-free: loaded by Node (tsc) and by Deno.
 */
import type { Intent } from './intent/index.ts';
import type { Lot } from './ledger/rules.ts';

export type { Intent, Lot };

/** Longest chat text stored; longer text is cut (the same cap as the service's capture). */
export const MAX_TEXT_LENGTH = 2_000;
/** Longest author name stored. */
export const MAX_AUTHOR_LENGTH = 200;
/** Longest message key / session id. */
export const MAX_ID_LENGTH = 200;
/** Most messages one batch may carry. */
export const MAX_BATCH_MESSAGES = 1_000;

/** Who wrote a message. */
export interface CoreAuthor {
  name: string;
  id?: string;
  badges: string[];
}

/** One chat message as the core stores it (the service's ChatMessage, plus an optional platform id). */
export interface CoreMessage {
  /** Identity within the session: the platform id or Earshot's stream-position id. */
  id: string;
  platform: string;
  author: CoreAuthor;
  text: string;
  sentAt?: string;
  capturedAt: string;
  backfill: boolean;
  kind?: 'text' | 'paid' | 'membership' | 'sticker' | 'system';
  paid?: { amount: number; currency: string; display?: string };
  /** The platform's own message id, when the caller knows `id` is not one. */
  platformMessageId?: string;
}

/** The buyer payload the seed dashboard (DealFlow) reads. */
export interface BuyerPayload {
  username: string;
  message: string;
  confidence: number;
  item?: string;
  price?: number;
  quantity?: number;
  size?: string;
  /** The ledger's lot this buyer won ("C3", "A1 (2)"); item and price are then the lot's title and price. */
  lot?: string;
}

/** A captured sale as the pick list shows it (sales_captured, oldest first). */
export interface CapturedBuyer {
  messageId: string;
  capturedAt: string;
  buyer: BuyerPayload;
}

export type AnswerStatus = 'suggested' | 'pending' | 'sent' | 'failed' | 'dismissed';

/** An answer to a viewer's question (filled by the knowledge-base hook). */
export interface AnswerPayload {
  question: string;
  answer: string;
  status: AnswerStatus;
  sources: Array<{ documentId: string; title: string; chunkId?: string }>;
  replyId?: string;
}

/** What the backend says about one ingested message. */
export interface IngestResult {
  messageId: string;
  /** false when the message was already stored (idempotent write) or was rejected. */
  stored: boolean;
  intent: Intent;
  confidence: number;
  /** Present when the message is a captured buyer (purchase at or above the threshold). */
  buyer?: BuyerPayload;
  /** Present when the knowledge base answered the message. */
  answer?: AnswerPayload;
  /** Lots of the claims ledger this message changed (their state after the batch): lot_update events. */
  lots?: Lot[];
  /** Present when this one message was rejected (the rest of the batch is still stored). */
  error?: { code: 'invalid_message'; message: string };
}

/** A session row as the service reports it. */
export interface SessionUpsert {
  sessionId: string;
  platform: string;
  url?: string;
  source?: string;
  status: string;
  detail?: string;
  startedAt?: string;
  /** The dashboard user owning the session (RLS); kept when omitted. */
  ownerId?: string;
  /** The host's usernames (start-monitoring's `seller`): their messages announce lots. Kept when omitted. */
  sellers?: string[];
}

/** A message as history returns it: what was captured, plus its session, classification and deletion. */
export interface StoredMessage extends Pick<CoreMessage, 'id' | 'platform' | 'author' | 'text' | 'sentAt' | 'capturedAt' | 'backfill'> {
  sessionId: string;
  intent?: Intent;
  confidence?: number;
  deleted: boolean;
}

export interface MessageQuery {
  /** Full-text search (web-search syntax: words, "phrases", -exclusions, or). */
  q?: string;
  limit: number;
  /** Only messages strictly older than this: an ISO time, or the id of a message (a page cursor). */
  before?: string;
}

/** A page of history, newest first; `nextCursor` is the `before` of the next page (null at the end). */
export interface MessagePage {
  messages: StoredMessage[];
  nextCursor: string | null;
}

/** What one housekeeping pass did. */
export interface HousekeepingReport {
  deletedMessages: number;
  closedSessions: string[];
}
