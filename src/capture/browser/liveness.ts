/**
 * Whether a capture page is alive, decided from the agent's periodic probe (container found, rows
 * visible, an "ended" banner) and when chat last arrived. Pure: BrowserSource carries the verdict out
 * (a status change, a reload, a screenshot).
 */
import type { SessionStatus } from '../../domain/message.ts';

/** What the agent's sweep found on the page. */
export interface Probe {
  containerFound: boolean;
  rowCount: number;
  /** The page shows that the stream is over. */
  ended: boolean;
}

/** The page's timeline (ms since epoch; 0 = not yet). */
export interface PageTimes {
  pageOpenedAt: number;
  /** Chat was last seen: new rows on either path, or rows visible at a probe. */
  chatSeenAt: number;
  /** New chat last arrived on either path (visible old rows do not count). */
  newChatAt: number;
}

export interface LivenessLimits {
  /** No chat seen for this long since the page opened: `no_chat_found`. */
  noChatTimeoutMs: number;
  /** No new chat for this long: reload the page (YouTube's web chat stalls silently). */
  stallReloadMs?: number;
}

export type ProbeVerdict =
  | { action: 'end'; detail: string }
  | { action: 'reload' }
  /** Rows are on the page: chat was seen now, and the session is live unless it ended. */
  | { action: 'chat_visible' }
  | { action: 'no_chat_found'; detail: string }
  /** An empty but present chat: live, just quiet. */
  | { action: 'live' }
  | { action: 'none' };

/** What one probe means for a page whose session has `status` (and may be recovering right now). */
export function judgeProbe(
  probe: Probe,
  session: { status: SessionStatus; recovering: boolean },
  times: PageTimes,
  limits: LivenessLimits,
  now: number,
): ProbeVerdict {
  if (probe.ended) return { action: 'end', detail: 'the page says the stream has ended' };
  const stallMs = limits.stallReloadMs;
  if (stallMs && !session.recovering && session.status !== 'ended' && now - Math.max(times.pageOpenedAt, times.newChatAt) >= stallMs) {
    return { action: 'reload' };
  }
  if (probe.containerFound && probe.rowCount > 0) return { action: 'chat_visible' };
  if (session.status === 'ended' || session.recovering) return { action: 'none' };
  const since = Math.max(times.pageOpenedAt, times.chatSeenAt);
  if (now - since >= limits.noChatTimeoutMs && session.status !== 'no_chat_found') {
    return { action: 'no_chat_found', detail: probe.containerFound ? 'chat container has no messages' : 'chat container not found' };
  }
  if (probe.containerFound && session.status === 'starting') return { action: 'live' };
  return { action: 'none' };
}
