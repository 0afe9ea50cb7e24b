/** Events fanned out to WebSocket subscribers: the typed map behind the public WebSocket contract. */
import type { AnswerPayload, AnswerStatus, BuyerPayload, FeaturedMessage, Lot, ShowSummary, SourceHealth } from '../../supabase/functions/_shared/contract.ts';
import type { ChatMessage, SessionStatus } from './message.ts';

/** The seed dashboard's buyer payload (DealFlow reads exactly these names), defined once in the contract. */
export type { AnswerStatus, BuyerPayload, FeaturedMessage, Lot, ShowSummary, SourceHealth };

/** Events before the hub stamps them with a sequence number. */
export type SessionEventBody =
  | { type: 'new_message'; message: ChatMessage }
  | { type: 'buyer_detected'; messageId: string; buyer: BuyerPayload }
  /** The knowledge base's answer to a message: the contract's answer payload, as ingest returned it. */
  | ({ type: 'answer'; messageId: string } & AnswerPayload)
  | { type: 'reply_status'; replyId: string; messageId?: string; status: AnswerStatus; detail?: string; askers?: string[] }
  | { type: 'message_deleted'; messageId: string; reason?: string }
  /** A lot changed (chat, a correction, undo, the show's end); `summary` is the show's counts after it. */
  | { type: 'lot_update'; lot: Lot; summary?: ShowSummary; by?: 'seller' }
  | { type: 'session_status'; status: SessionStatus; detail?: string }
  /** A source of the show changed health state (see the contract's SourceHealth). */
  | { type: 'source_health'; health: SourceHealth }
  /** The seller featured a message on the show's overlay, or cleared it (null). */
  | { type: 'featured_message'; featured: FeaturedMessage | null }
  /** The show's overlay got a new link: hubs close their overlay connections of the show (src/fanout/hub.ts). */
  | { type: 'overlay_link_changed' };

export type SessionEventType = SessionEventBody['type'];

/** An event as subscribers receive it: stamped with its session and a per-session `seq`. */
export type SessionEvent = SessionEventBody & { sessionId: string; seq: number };
