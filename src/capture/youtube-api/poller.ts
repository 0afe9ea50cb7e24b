/**
 * Polling liveChatMessages.list page after page, never sooner than the API's pollingIntervalMillis and
 * never under 2 s; after a few empty pages the wait grows (a quiet chat should not burn quota), and the
 * first message brings it back to the API's pace.
 */
import type { LiveChatApi } from './client.ts';
import type { Clock } from './clock.ts';
import type { LiveChatMessageListResponse } from './youtube.external.ts';

export interface AdaptiveIntervalOptions {
  /** Floor for any wait between calls. */
  minMs?: number;
  /** Wait used when the API does not say (it always does; this is for odd answers). */
  defaultMs?: number;
  /** Empty pages in a row before slowing down. */
  idleAfter?: number;
  /** How much slower an idle chat is polled. */
  idleFactor?: number;
  /** Ceiling of the idle wait (the API's own interval still wins when it asks for more). */
  maxIdleMs?: number;
}

export const POLL_DEFAULTS: Required<AdaptiveIntervalOptions> = {
  minMs: 2_000,
  defaultMs: 5_000,
  idleAfter: 3,
  idleFactor: 4,
  maxIdleMs: 30_000,
};

/**
 * The seed bot's timing: the API's interval (at least 2 s) while chat is active; after 3 empty polls in a
 * row that interval ×4, capped at 30 s; back to the API's interval at the first message.
 */
export class AdaptiveInterval {
  private readonly options: Required<AdaptiveIntervalOptions>;
  private emptyStreak = 0;

  constructor(options: AdaptiveIntervalOptions = {}) {
    this.options = { ...POLL_DEFAULTS, ...options };
  }

  /** The wait before the next call, given how many items the page just read carried. */
  next(itemCount: number, pollingIntervalMillis: number | undefined): number {
    const { minMs, defaultMs, idleAfter, idleFactor, maxIdleMs } = this.options;
    const asked =
      typeof pollingIntervalMillis === 'number' && Number.isFinite(pollingIntervalMillis) && pollingIntervalMillis >= 0
        ? pollingIntervalMillis
        : defaultMs;
    const fast = Math.max(asked, minMs);
    if (itemCount > 0) {
      this.emptyStreak = 0;
      return fast;
    }
    this.emptyStreak++;
    if (this.emptyStreak < idleAfter) return fast;
    return Math.max(fast, Math.min(fast * idleFactor, maxIdleMs));
  }

  /** True while the chat counts as idle (polled slowly). */
  get idle(): boolean {
    return this.emptyStreak >= this.options.idleAfter;
  }
}

/** Where reading stands: shared by polling and streaming so either resumes where the other stopped. */
export interface ChatCursor {
  pageToken?: string;
  /** Epoch ms before which the API must not be called again (pollingIntervalMillis). */
  notBefore: number;
}

export interface PollLoop {
  api: LiveChatApi;
  clock: Clock;
  timing: AdaptiveInterval;
  cursor: ChatCursor;
  liveChatId: string;
  sessionId: string;
  signal: AbortSignal;
  /** Hands one page to the session; returns true when the chat is over. */
  deliver(page: LiveChatMessageListResponse): boolean;
}

/**
 * Polls until the chat ends (resolves) or a call fails (rejects with the API error; the cursor keeps the
 * last delivered token so the caller can resume without losing or repeating a page). Returns early
 * when the signal aborts.
 */
export async function pollLiveChat(loop: PollLoop): Promise<void> {
  const { api, clock, timing, cursor, signal } = loop;
  while (!signal.aborted) {
    const wait = cursor.notBefore - clock.now();
    if (wait > 0) {
      await clock.sleep(wait, signal);
      if (signal.aborted) return;
    }
    const page = await api.listMessages(loop.liveChatId, cursor.pageToken, { sessionId: loop.sessionId, signal });
    const itemCount = Array.isArray(page.items) ? page.items.length : 0;
    cursor.notBefore = clock.now() + timing.next(itemCount, page.pollingIntervalMillis);
    const ended = loop.deliver(page);
    if (typeof page.nextPageToken === 'string' && page.nextPageToken) cursor.pageToken = page.nextPageToken;
    if (ended) return;
  }
}
