/**
 * What the service sends and answers, at the edge of the dashboard. Messages, buyers, answers and lots
 * are the backend contract's types (supabase/functions/_shared/contract.ts), session events and sessions
 * the server's own domain types: one definition each, imported as types only, so no zod reaches the
 * bundle. The hub's control frames and the HTTP answers only the dashboard reads are declared here.
 * Everything is converted once into the feed's types (feed/types.ts) and never read raw elsewhere.
 */
import type {
  AnswerSource,
  AnswerStatus,
  BuyerPayload,
  FeaturedMessage,
  InterestedViewer,
  LedgerBuyer,
  Lot,
  LotHistoryEntry,
  ShowSummary,
  SourceHealth,
} from '../../supabase/functions/_shared/contract.ts';
import type { SessionEvent } from '../../src/domain/events.ts';
import type { ChatMessage, SelectorSet, SessionInfo, SessionStatus } from '../../src/domain/message.ts';

export type { SourceHealth };
export type { AnswerSource, AnswerStatus, BuyerPayload, ChatMessage, FeaturedMessage, InterestedViewer, LedgerBuyer, Lot, LotHistoryEntry, SelectorSet, SessionEvent, SessionInfo, SessionStatus, ShowSummary };
export type { PickListBuyer } from '../../supabase/functions/_shared/ledger/corrections.ts';

/** GET /api/sessions/:id/lots (`summary` is the ledger's count plus `interested`; older services lack it). */
export interface LotsAnswer {
  sessionId: string;
  lots: Lot[];
  summary?: Partial<ShowSummary>;
}

/** GET /api/sessions/:id/buyers: the ledger's buyers and the viewers whose interest no lot holds. */
export interface BuyersAnswer {
  sessionId: string;
  buyers: LedgerBuyer[];
  interested: InterestedViewer[];
  summary?: Partial<ShowSummary>;
}

/** GET /api/sessions/:id/lots/:code/history, oldest first. */
export interface LotHistoryAnswer {
  sessionId: string;
  code: string;
  history: LotHistoryEntry[];
}

/** A correction's answer (PATCH /lots/:code, POST /lots/:code/undo). */
export interface LotAnswer {
  sessionId: string;
  lot: Lot;
}

/** GET /api/sessions/:id/overlay. */
export interface OverlaySettingsAnswer {
  sessionId: string;
  hasLink: boolean;
  linkCreatedAt: string | null;
  featured: FeaturedMessage | null;
}

/** POST /api/sessions/:id/overlay-link: the link, shown once. */
export interface OverlayLinkAnswer {
  sessionId: string;
  url: string;
  token: string;
  createdAt: string;
}

/** Frames the hub sends besides session events. */
export type ControlFrame =
  | { type: 'subscribed'; sessionId: string; seq: number }
  | { type: 'gap'; sessionId: string; from: number; to: number }
  | { type: 'error'; error: { code: string; message: string } }
  | { type: 'pong' };

/** Every frame the dashboard may receive on /ws. */
export type ServerFrame = SessionEvent | ControlFrame;

/** What the dashboard sends on /ws. */
export type ClientFrame =
  | { type: 'subscribe'; sessionId: string; since?: number }
  | { type: 'unsubscribe'; sessionId: string }
  | { type: 'ping' }
  /** Accounts: a refreshed access token for the open socket (the service then keeps it open past the old expiry). */
  | { type: 'auth'; token: string };

/** GET /health (fields beyond the contract are optional: other parts of the service add them). */
export interface HealthWire {
  status: string;
  service: string;
  activeSessions: number;
  /** The forwarder's outbox: a number, or an object with a count in it. */
  backlog?: number | Record<string, unknown>;
  [key: string]: unknown;
}

/** POST /api/start-monitoring answer. */
export type StartAnswer = SessionInfo;

/** A knowledge-base document as GET /api/kb/documents lists it (names are read tolerantly). */
export interface KbDocumentWire {
  id: string | number;
  title?: string;
  name?: string;
  filename?: string;
  size?: number;
  bytes?: number;
  byte_size?: number;
  byteSize?: number;
  source_type?: string;
  sourceType?: string;
  chunks?: number;
  chunkCount?: number;
  chunk_count?: number;
  status?: string;
  createdAt?: string;
  created_at?: string;
}

/** A chat_messages row from Supabase realtime (supabase/migrations/0001_core.sql: the seed's names plus ours). */
export interface ChatMessageRow {
  id?: string | number;
  message_key?: string;
  platform_message_id?: string;
  stream_session_id?: string;
  username?: string;
  author_badges?: string[];
  message?: string;
  platform?: string;
  backfill?: boolean;
  created_at?: string;
  sent_at?: string;
  captured_at?: string;
  deleted?: boolean;
  intent?: string;
}

/** A sales_captured row from Supabase realtime. */
export interface SaleRow {
  id?: string | number;
  message_key?: string;
  chat_message_id?: string | number;
  platform_message_id?: string;
  stream_session_id?: string;
  buyer_username?: string;
  message_text?: string;
  item_description?: string;
  item_code?: string;
  estimated_value?: number | string;
  quantity?: number;
  size?: string;
  confidence?: number;
  captured_at?: string;
}

/** An error answer: {error:{code,message}} (the service answers like the edge function). */
export type { ErrorAnswer as ErrorWire } from '../../supabase/functions/_shared/contract.ts';

/** Narrows an unknown JSON value to a frame with a string `type`. */
export function isFrame(value: unknown): value is ServerFrame {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
export type {
  WebhookDelivery as WebhookDeliveryWire,
  WebhookEndpoint as WebhookEndpointWire,
  WebhookEndpointWithSecret as WebhookEndpointWithSecretWire,
} from '../../supabase/functions/_shared/contract.ts';
