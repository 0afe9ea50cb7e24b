/** The `reply_status` event for a reply's current state (WebSocket subscribers follow the outbox live). */
import type { SessionEventBody } from '../domain/events.ts';
import type { Reply } from '../../supabase/functions/_shared/kb/index.ts';

export function replyStatusEvent(reply: Reply): Extract<SessionEventBody, { type: 'reply_status' }> {
  return {
    type: 'reply_status',
    replyId: reply.id,
    ...(reply.messageId ? { messageId: reply.messageId } : {}),
    status: reply.status,
    ...(reply.reason ? { detail: reply.reason } : {}),
    // Every dashboard shows who a merged suggestion is for.
    ...(reply.askers.length > 0 ? { askers: reply.askers } : {}),
  };
}
