/**
 * Which show events become webhook events, and each one's id. The id is derived from what the event is
 * (the show, the lot and the assignment it sold to, the message, the reply), never from a counter, so an
 * event seen again (a retried batch, a restart that replays the outbox, two instances) is the same id:
 * the outbox stores it once and the receiver, which deduplicates on webhook-id, sees it once.
 */
import crypto from 'node:crypto';
import type { SessionEventBody } from '../domain/events.ts';
import type { WebhookEventRecord } from '../../supabase/functions/_shared/webhooks/store.ts';
import type { WebhookPayload } from '../../supabase/functions/_shared/contract.ts';

/** Statuses that end a show (its webhook is show.ended). */
const ENDED = new Set(['ended', 'stopped', 'error']);

/** A short, stable event id from the event's identity: `evt_` and 26 base64url characters of its sha256. */
export function eventId(identity: string): string {
  return `evt_${crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 26)}`;
}

/** The webhook event a show event is, if any (pure but for the time stamp). */
export function toWebhookEvent(sessionId: string, body: SessionEventBody, now: Date = new Date()): WebhookEventRecord | undefined {
  const timestamp = now.toISOString();
  const make = (identity: string, payload: WebhookPayload): WebhookEventRecord => ({
    id: eventId(`${sessionId}\n${identity}`),
    type: payload.type,
    sessionId,
    payload,
  });
  switch (body.type) {
    case 'lot_update': {
      const { lot } = body;
      // A seller's correction is lot.corrected, once per version it made.
      if (body.by === 'seller') return make(`lot.corrected\n${lot.code}\n${lot.version}`, { type: 'lot.corrected', timestamp, data: { sessionId, lot } });
      // A sale is one event per (lot, assignment): later updates of a sold lot (a paid mark, a waitlist) are not new sales.
      if (lot.status !== 'sold') return undefined;
      return make(`lot.sold\n${lot.code}\n${lot.assignment?.id ?? ''}`, { type: 'lot.sold', timestamp, data: { sessionId, lot } });
    }
    case 'buyer_detected':
      // Only winners are buyers (the ledger's word); waitlisted and interested viewers are not.
      if (body.buyer.status !== undefined && body.buyer.status !== 'winner') return undefined;
      return make(`buyer.detected\n${body.messageId}`, {
        type: 'buyer.detected',
        timestamp,
        data: { sessionId, messageId: body.messageId, buyer: body.buyer },
      });
    case 'session_status':
      if (body.status === 'live') return make('show.started', { type: 'show.started', timestamp, data: { sessionId, status: body.status } });
      if (ENDED.has(body.status)) {
        return make('show.ended', {
          type: 'show.ended',
          timestamp,
          data: { sessionId, status: body.status, ...(body.detail === undefined ? {} : { detail: body.detail }) },
        });
      }
      return undefined;
    case 'source_health':
      if (body.health.state !== 'silent' && body.health.state !== 'stalled') return undefined;
      return make(`source.silent\n${body.health.source}\n${body.health.since}`, { type: 'source.silent', timestamp, data: { sessionId, health: body.health } });
    case 'answer': {
      if (body.status !== 'suggested') return undefined;
      const { type: _type, ...answer } = body;
      return make(`answer.suggested\n${body.replyId ?? body.messageId}`, { type: 'answer.suggested', timestamp, data: { sessionId, ...answer } });
    }
    default:
      return undefined;
  }
}
