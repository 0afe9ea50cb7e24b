/**
 * Where the reply worker delivers a session's replies: the running show's URL, platform and source, and
 * what its source knows of the chat (YouTube's live chat id). A show that is not running (stopped, ended,
 * errored, waiting for an instance) has no target: its replies fail as `session_not_running`.
 */
import type { SessionInfo, SessionStatus } from '../domain/message.ts';
import type { ChatSource } from '../capture/source.ts';
import type { DeliveryTarget } from './types.ts';

const DELIVERABLE: ReadonlySet<SessionStatus> = new Set(['starting', 'live', 'recovering']);

export interface TargetShows {
  get(sessionId: string): SessionInfo | undefined;
  sourceOf(sessionId: string): ChatSource | undefined;
}

export function replyTargets(shows: TargetShows): (sessionId: string) => Omit<DeliveryTarget, 'profile'> | undefined {
  return (sessionId) => {
    const info = shows.get(sessionId);
    if (!info || !DELIVERABLE.has(info.status)) return undefined;
    const { liveChatId } = shows.sourceOf(sessionId)?.chatTarget?.() ?? {};
    return {
      sessionId,
      url: info.url,
      platform: info.platform,
      source: info.source,
      ...(liveChatId ? { liveChatId } : {}),
    };
  };
}
