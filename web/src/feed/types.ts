/** The dashboard's own camelCase types: wire frames and database rows are converted into these once. */
import type { AnswerSource, AnswerStatus, BuyerPayload } from '../wire.ts';

/** Where a record reached the dashboard from (the same record may arrive by several; merged by id). */
export type Origin = 'ws' | 'realtime' | 'history';

/** One chat message in a session's feed. */
export interface FeedMessage {
  id: string;
  platform: string;
  author: string;
  badges: string[];
  /** Plain text; rendered only as a React text node. */
  text: string;
  /** ISO time shown in the feed: when the platform says it was sent, else when Earshot captured it. */
  time: string;
  /** When Earshot captured it (ms since epoch; messages per minute are counted on this). */
  capturedAtMs: number;
  backfill: boolean;
  kind?: string;
  /** The platform's display string of a paid message ("$5.00"). */
  paidDisplay?: string;
  deleted: boolean;
  /** The text reads like a question; an answer from the server confirms it. */
  question: boolean;
  seq?: number;
  origin: Origin;
}

/** A captured buyer (the seller's pick list): the server's buyer payload, one per chat message. */
export interface Buyer extends BuyerPayload {
  messageId: string;
  /** When the dashboard learned of it (ms since epoch). */
  detectedAt: number;
  seq?: number;
  origin: Origin;
}

/** An answer to a viewer's question, suggested or sent. */
export interface Answer {
  messageId: string;
  question: string;
  answer: string;
  status: AnswerStatus;
  sources: AnswerSource[];
  replyId?: string;
  detail?: string;
  /** The platform's names of everyone it is for (viewers asking the same join one suggestion). */
  askers?: string[];
  at: number;
}

/** A range of event sequence numbers the dashboard never received. */
export interface Hole {
  from: number;
  to: number;
  /** `ring`: the server no longer held them; `sequence`: a jump seen on the socket. */
  reason: 'ring' | 'sequence';
}
