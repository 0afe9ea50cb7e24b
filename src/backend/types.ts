/**
 * The Backend interface: what the service needs from storage and intelligence. Two implementations:
 * embedded (the shared core in-process over PGlite) and supabase (HTTP to the edge functions).
 */
import type { AnswerStatus, BuyerPayload } from '../domain/events.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';

export type Intent = 'purchase' | 'question' | 'other';

/** What the backend says about one ingested message. */
export interface IngestResult {
  messageId: string;
  /** false when the message was already stored (idempotent write). */
  stored: boolean;
  intent: Intent;
  confidence: number;
  /** Present when the message was captured as a buyer (purchase at or above the threshold). */
  buyer?: BuyerPayload;
  /** Present when the knowledge base answered the message. */
  answer?: {
    question: string;
    answer: string;
    status: AnswerStatus;
    sources: Array<{ documentId: string; title: string; chunkId?: string }>;
    replyId?: string;
  };
}

export interface StoredMessage {
  id: string;
  sessionId: string;
  platform: string;
  author: { name: string; id?: string; badges: string[] };
  text: string;
  sentAt?: string;
  capturedAt: string;
  intent?: Intent;
  confidence?: number;
  deleted: boolean;
}

export interface MessageQuery {
  q?: string;
  limit: number;
  /** Returns messages strictly older than this cursor (an ISO time or a message id cursor). */
  before?: string;
}

export interface Backend {
  readonly kind: 'embedded' | 'supabase';
  init(): Promise<void>;
  /** Creates or updates the session row (status, url, platform...). */
  upsertSession(info: SessionInfo): Promise<void>;
  /** Stores a batch idempotently, classifies it and returns one result per message, in order. */
  ingest(sessionId: string, messages: ChatMessage[]): Promise<IngestResult[]>;
  /** Marks messages deleted (moderation on the platform). */
  markDeleted(sessionId: string, messageIds: string[]): Promise<void>;
  listMessages(sessionId: string, query: MessageQuery): Promise<StoredMessage[]>;
  /** Throws when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
