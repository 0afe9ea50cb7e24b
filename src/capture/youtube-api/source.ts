/**
 * A YouTube session read through the Data API (source "api"): the video's activeLiveChatId from
 * videos.list, then liveChatMessages by server streaming (YOUTUBE_STREAMING) or adaptive polling.
 * Every failure is classified once (errors.ts) into: end the session, fail it with Google's reason,
 * wait for the quota reset (or hand over to the browser), or back off and retry — never a tight loop.
 */
import { sanitizeText, type SessionStatus } from '../../domain/message.ts';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { LRUCache } from 'lru-cache';
import type { ChatSource, ChatTarget, SourceSink } from '../source.ts';
import type { LiveChatApi } from './client.ts';
import { systemClock, type Clock } from './clock.ts';
import { classifyFailure, YouTubeApiError } from './errors.ts';
import { mapItems } from './mapping.ts';
import { AdaptiveInterval, pollLiveChat, type AdaptiveIntervalOptions, type ChatCursor } from './poller.ts';
import { streamLiveChat } from './stream.ts';
import type { LiveChatMessageListResponse } from './youtube.external.ts';

/** Waits after failures (exported so tests state expectations in the same terms). */
export const BACKOFF = {
  /** First retry after a 5xx or network failure; doubles per failure. */
  transientBaseMs: 2_000,
  transientMaxMs: 60_000,
  /** First retry after rateLimitExceeded; doubles per repeat. */
  rateLimitBaseMs: 5_000,
  rateLimitMaxMs: 300_000,
  /** Pause before reopening a streaming connection that delivered pages and then closed. */
  streamReconnectMs: 1_000,
  /** Extra wait past midnight Pacific before calling again after quotaExceeded. */
  quotaResetMarginMs: 5_000,
} as const;

/** What the source needs to know about quota (the QuotaLedger). */
export interface QuotaClock {
  /** Epoch ms of the next reset. */
  resetsAt(): number;
  usedBy(sessionId: string): number;
}

export interface YouTubeApiSourceOptions {
  sessionId: string;
  videoId: string;
  api: LiveChatApi;
  quota: QuotaClock;
  sink: SourceSink;
  logger: Logger;
  clock?: Clock;
  /** Use liveChat/messages/stream (falls back to polling when it is unavailable). */
  streaming?: boolean;
  timing?: AdaptiveIntervalOptions;
  /** Jitter source in [0, 1); tests pass a constant. */
  random?: () => number;
  /**
   * Called once when the quota runs out, instead of waiting for the reset (a start request with
   * `fallback: true`). The source has stopped calling the API by then; the caller switches the session
   * to the browser source.
   */
  onQuotaExhausted?: (detail: string) => void;
  /** What `saveState` returned in the previous run of the service (continues from the same page). */
  resumeState?: unknown;
}

/** What a session keeps across a restart: where in the chat it was. */
export interface SavedYouTubeState {
  v: 1;
  videoId: string;
  liveChatId?: string;
  pageToken?: string;
  delivered: boolean;
}

function parseSavedState(raw: unknown, videoId: string): SavedYouTubeState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const state = raw as Partial<SavedYouTubeState>;
  if (state.v !== 1 || state.videoId !== videoId) return undefined;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value && value.length <= 2_000 ? value : undefined);
  return { v: 1, videoId, liveChatId: text(state.liveChatId), pageToken: text(state.pageToken), delivered: state.delivered === true };
}

type Path = 'streaming' | 'polling';

export class YouTubeApiSource implements ChatSource {
  readonly kind = 'api' as const;
  private readonly options: YouTubeApiSourceOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly controller = new AbortController();
  private readonly timing: AdaptiveInterval;
  private readonly cursor: ChatCursor = { notBefore: 0 };
  // A second guard behind the session's own: a resumed stream may repeat its last page.
  /** Ids already delivered: polls overlap, and the sink should not be handed a message twice. */
  private readonly seen = new LRUCache<string, true>({ max: 20_000, ttl: 24 * 3600_000 });
  private loop: Promise<void> | null = null;
  /** The chat the previous run read, whose page token may be reused once videos.list confirms it. */
  private readonly resumed: SavedYouTubeState | undefined;
  private stopped = false;
  private status: SessionStatus = 'starting';
  private statusDetail: string | undefined;
  private liveChatId: string | undefined;
  private path: Path;
  private anyPageDelivered = false;
  private transientFailures = 0;
  private rateLimitHits = 0;
  /** Streaming connections in a row that closed without delivering any chat item. */
  private quietReconnects = 0;
  private stats = { pages: 0, messages: 0, deleted: 0, reconnects: 0, retries: 0 };

  constructor(options: YouTubeApiSourceOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.timing = new AdaptiveInterval(options.timing);
    this.path = options.streaming ? 'streaming' : 'polling';
    this.resumed = parseSavedState(options.resumeState, options.videoId);
  }

  /** Resolves after the first attempt to find the live chat, so the start answer already says live or ended. */
  async start(): Promise<void> {
    if (this.loop) return;
    let firstAttemptDone!: () => void;
    const firstAttempt = new Promise<void>((resolve) => {
      firstAttemptDone = resolve;
    });
    this.loop = this.run(firstAttemptDone)
      .catch((error: unknown) => {
        // run() handles every API failure; reaching here is a bug, and the session must say so.
        this.options.logger.error({ sessionId: this.options.sessionId, err: describeError(error) }, 'youtube source crashed');
        this.setStatus('error', describeError(error));
      })
      .finally(firstAttemptDone);
    await firstAttempt;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.controller.abort();
    await this.loop?.catch(() => undefined);
  }

  saveState(): SavedYouTubeState {
    return {
      v: 1,
      videoId: this.options.videoId,
      liveChatId: this.liveChatId ?? this.resumed?.liveChatId,
      pageToken: this.cursor.pageToken ?? this.resumed?.pageToken,
      delivered: this.anyPageDelivered || this.resumed?.delivered === true,
    };
  }

  chatTarget(): ChatTarget {
    const liveChatId = this.liveChatId ?? this.resumed?.liveChatId;
    return liveChatId ? { liveChatId } : {};
  }

  describe(): Record<string, unknown> {
    return {
      path: this.path,
      videoId: this.options.videoId,
      liveChatId: this.liveChatId,
      idle: this.timing.idle,
      nextCallAt: this.cursor.notBefore > 0 ? new Date(this.cursor.notBefore).toISOString() : undefined,
      quotaUsed: this.options.quota.usedBy(this.options.sessionId),
      ...this.stats,
    };
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private setStatus(status: SessionStatus, detail?: string): void {
    if (this.stopped) return;
    if (status === this.status && detail === this.statusDetail) return;
    this.status = status;
    this.statusDetail = detail;
    this.options.sink.status(status, detail);
  }

  private async run(firstAttemptDone: () => void): Promise<void> {
    const { logger, sessionId } = this.options;
    while (!this.stopped) {
      try {
        if (!this.liveChatId) {
          const found = await this.findLiveChat();
          firstAttemptDone();
          if (!found) return;
        }
        const liveChatId = this.liveChatId!;
        if (this.path === 'streaming') {
          const outcome = await streamLiveChat(this.loopBase(liveChatId));
          if (outcome.ended || this.stopped) return;
          // The server closed (or dropped) a connection that worked: reopen it from the last token.
          this.stats.reconnects++;
          if (outcome.dropped) logger.info({ sessionId, err: describeError(outcome.dropped) }, 'youtube stream dropped; resuming');
          if (outcome.pages === 0) {
            await this.backoffTransient(new Error('stream closed without data'));
          } else {
            // Each connection costs quota: connections that keep closing without chat wait longer each time.
            this.quietReconnects = outcome.items > 0 ? 0 : this.quietReconnects + 1;
            const delay =
              this.quietReconnects === 0
                ? BACKOFF.streamReconnectMs
                : this.backoff(BACKOFF.transientBaseMs, this.quietReconnects, BACKOFF.transientMaxMs);
            await this.clock.sleep(delay, this.signal);
          }
        } else {
          await pollLiveChat({ ...this.loopBase(liveChatId), clock: this.clock, timing: this.timing });
          return;
        }
      } catch (error) {
        firstAttemptDone();
        if (this.stopped) return;
        if (!(await this.onFailure(error))) return;
      }
    }
  }

  private loopBase(liveChatId: string) {
    return {
      api: this.options.api,
      cursor: this.cursor,
      liveChatId,
      sessionId: this.options.sessionId,
      signal: this.signal,
      deliver: (page: LiveChatMessageListResponse) => this.deliver(page),
    };
  }

  /** videos.list -> activeLiveChatId. Returns false when the session is over (status already set). */
  private async findLiveChat(): Promise<boolean> {
    const { videoId, sessionId } = this.options;
    const lookup = await this.options.api.findLiveChat(videoId, { sessionId, signal: this.signal });
    if (this.stopped) return false;
    if (!lookup.found) {
      this.setStatus('error', 'videoNotFound');
      return false;
    }
    if (!lookup.liveChatId) {
      const detail = lookup.actualEndTime
        ? `no active live chat: the stream ended at ${sanitizeText(lookup.actualEndTime, 40)}`
        : 'no active live chat: the video is not live';
      this.setStatus('ended', detail);
      return false;
    }
    this.liveChatId = lookup.liveChatId;
    if (this.resumed?.liveChatId === lookup.liveChatId && this.cursor.pageToken === undefined) {
      // Same chat as before the restart: continue after the last page read, not from the backfill again.
      this.cursor.pageToken = this.resumed.pageToken;
      this.anyPageDelivered ||= this.resumed.delivered;
    }
    this.transientFailures = 0;
    this.setStatus('live');
    return true;
  }

  /** Maps one page into the sink. Returns true when the chat is over. */
  private deliver(page: LiveChatMessageListResponse): boolean {
    if (this.stopped) return true;
    const mapped = mapItems(page.items, { backfill: !this.anyPageDelivered, capturedAt: new Date(this.clock.now()).toISOString() });
    this.anyPageDelivered = true;
    this.stats.pages++;
    this.transientFailures = 0;
    this.rateLimitHits = 0;
    const fresh = mapped.messages.filter((m) => !this.seen.has(m.id) && Boolean(this.seen.set(m.id, true)));
    if (this.status !== 'live') this.setStatus('live');
    if (fresh.length > 0) {
      this.stats.messages += fresh.length;
      this.options.sink.messages(fresh);
    }
    if (mapped.deletedIds.length > 0) {
      this.stats.deleted += mapped.deletedIds.length;
      this.options.sink.deleted(mapped.deletedIds, 'deleted on YouTube');
    }
    for (const ban of mapped.bans) {
      this.options.logger.info({ sessionId: this.options.sessionId, channelId: ban.channelId, banType: ban.banType }, 'youtube viewer banned');
    }
    if (typeof page.offlineAt === 'string' && page.offlineAt) {
      this.setStatus('ended', `the stream went offline at ${sanitizeText(page.offlineAt, 40)}`);
      return true;
    }
    if (mapped.chatEnded) {
      this.setStatus('ended', 'chatEndedEvent');
      return true;
    }
    return false;
  }

  /** Acts on a failed call. Returns false when the session is over. */
  private async onFailure(error: unknown): Promise<boolean> {
    const { logger, sessionId } = this.options;
    const action = classifyFailure(error);
    const reason = error instanceof YouTubeApiError ? error.reason : 'unexpected';
    switch (action) {
      case 'ended':
        this.setStatus('ended', reason);
        return false;
      case 'fatal':
        logger.warn({ sessionId, reason, err: describeError(error) }, 'youtube chat unavailable');
        this.setStatus('error', reason);
        return false;
      case 'stream_unavailable':
        logger.info({ sessionId, err: describeError(error) }, 'youtube streaming unavailable; polling instead');
        this.path = 'polling';
        return true;
      case 'quota':
        return this.onQuotaExhausted();
      case 'rate_limit': {
        this.rateLimitHits++;
        this.stats.retries++;
        const delay = this.backoff(BACKOFF.rateLimitBaseMs, this.rateLimitHits, BACKOFF.rateLimitMaxMs);
        logger.warn({ sessionId, retryInMs: delay }, 'youtube rateLimitExceeded; backing off');
        // Also hold back the next poll: the API asked us to slow down.
        this.cursor.notBefore = Math.max(this.cursor.notBefore, this.clock.now() + delay);
        await this.clock.sleep(delay, this.signal);
        return true;
      }
      case 'transient':
        await this.backoffTransient(error);
        return true;
    }
  }

  private async onQuotaExhausted(): Promise<boolean> {
    const resetsAt = this.options.quota.resetsAt();
    if (this.options.onQuotaExhausted) {
      const detail = 'quotaExceeded: switching to the browser source';
      this.setStatus('quota_exhausted', detail);
      this.options.logger.warn({ sessionId: this.options.sessionId }, 'youtube quota exhausted; falling back to the browser');
      this.options.onQuotaExhausted(detail);
      return false;
    }
    this.setStatus('quota_exhausted', `quotaExceeded: resumes after ${new Date(resetsAt).toISOString()}`);
    await this.clock.sleep(Math.max(1_000, resetsAt - this.clock.now() + BACKOFF.quotaResetMarginMs), this.signal);
    return true;
  }

  private async backoffTransient(error: unknown): Promise<void> {
    this.transientFailures++;
    this.stats.retries++;
    const delay = this.backoff(BACKOFF.transientBaseMs, this.transientFailures, BACKOFF.transientMaxMs);
    const reason = error instanceof YouTubeApiError ? error.reason : describeError(error);
    this.options.logger.warn({ sessionId: this.options.sessionId, reason, retryInMs: delay }, 'youtube call failed; retrying');
    this.setStatus('recovering', reason);
    await this.clock.sleep(delay, this.signal);
  }

  /**
   * base × 2^(n-1), capped, plus up to 25 % jitter so sessions that failed together do not retry together.
   * Not a cockatiel retry policy: each failure is first classified (end, fail, quota, rate limit,
   * transient, poll instead), the wait changes the session's status and the cursor's notBefore, and a
   * delivered page resets the counters; the loop is the session's life, not one call retried.
   */
  private backoff(baseMs: number, attempt: number, maxMs: number): number {
    const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(exponential * (1 + 0.25 * this.random()));
  }
}
