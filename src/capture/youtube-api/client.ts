/**
 * HTTP calls to the YouTube Data API v3: each one charged to the quota ledger first, authenticated with
 * the API key (reads) or an OAuth bearer token, bounded by a timeout, and turned into a YouTubeApiError
 * with Google's reason when it fails. The key travels in the x-goog-api-key header (as Google's own
 * client libraries send it), so it never appears in a URL that a proxy or an error message could log.
 */
import { LOCAL_REASONS, YouTubeApiError } from './errors.ts';
import { JsonObjectSplitter } from '../json-stream.ts';
import type { AccessTokenProvider } from './oauth.ts';
import type { QuotaLedger, QuotaOperation } from './quota.ts';
import type {
  ApiErrorBody,
  LiveChatMessageInsertBody,
  LiveChatMessageListResponse,
  VideoListResponse,
} from './youtube.external.ts';

/** Per-call context: whose quota it is and how to cancel it. */
export interface CallOptions {
  sessionId?: string;
  signal?: AbortSignal;
}

/** What videos.list says about a video's live chat. */
export type LiveChatLookup =
  | { found: false }
  | { found: true; liveChatId?: string; actualEndTime?: string; scheduledStartTime?: string };

/** The calls a chat source makes; the YouTube client implements it, tests may pass a plain object. */
export interface LiveChatApi {
  findLiveChat(videoId: string, options?: CallOptions): Promise<LiveChatLookup>;
  listMessages(liveChatId: string, pageToken: string | undefined, options?: CallOptions): Promise<LiveChatMessageListResponse>;
  /** Server streaming: yields each pushed page until the server closes the response. */
  streamMessages(liveChatId: string, pageToken: string | undefined, options?: CallOptions): AsyncIterable<LiveChatMessageListResponse>;
}

/** Sending into a live chat (the knowledge base's reply delivery). Needs OAuth. */
export interface LiveChatSender {
  insertMessage(liveChatId: string, text: string, options?: CallOptions): Promise<{ id?: string }>;
}

export interface YouTubeClientOptions {
  /** e.g. https://www.googleapis.com/youtube/v3 (YOUTUBE_API_BASE_URL), without a trailing slash. */
  baseUrl: string;
  apiKey?: string;
  oauth?: AccessTokenProvider;
  quota: QuotaLedger;
  /** Limit for one unary call. */
  timeoutMs?: number;
  /** A streaming connection that delivers nothing for this long is dropped and resumed. */
  streamIdleTimeoutMs?: number;
  /** Items per list page (200–2000). */
  maxResults?: number;
}

/** The longest text YouTube accepts in one chat message. */
export const MAX_INSERT_LENGTH = 200;
const PARTS = 'snippet,authorDetails';
/** 404 reasons that mean the chat is gone, as opposed to the streaming route being absent. */
const CHAT_GONE_REASONS = new Set(['liveChatNotFound', 'liveChatEnded', 'videoNotFound']);

export class YouTubeClient implements LiveChatApi, LiveChatSender {
  private readonly options: YouTubeClientOptions;

  constructor(options: YouTubeClientOptions) {
    if (!options.apiKey && !options.oauth) throw new Error('YouTubeClient needs an API key or OAuth credentials');
    this.options = options;
  }

  async findLiveChat(videoId: string, options: CallOptions = {}): Promise<LiveChatLookup> {
    const body = await this.call<VideoListResponse>('videos.list', 'GET', '/videos', { part: 'liveStreamingDetails', id: videoId }, undefined, options);
    const video = Array.isArray(body.items) ? body.items[0] : undefined;
    if (!video) return { found: false };
    const details = video.liveStreamingDetails;
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value.slice(0, 300) : undefined);
    return {
      found: true,
      liveChatId: text(details?.activeLiveChatId),
      actualEndTime: text(details?.actualEndTime),
      scheduledStartTime: text(details?.scheduledStartTime),
    };
  }

  listMessages(liveChatId: string, pageToken: string | undefined, options: CallOptions = {}): Promise<LiveChatMessageListResponse> {
    return this.call<LiveChatMessageListResponse>(
      'liveChatMessages.list',
      'GET',
      '/liveChat/messages',
      { liveChatId, part: PARTS, maxResults: String(this.options.maxResults ?? 2000), pageToken },
      undefined,
      options,
    );
  }

  async *streamMessages(
    liveChatId: string,
    pageToken: string | undefined,
    options: CallOptions = {},
  ): AsyncGenerator<LiveChatMessageListResponse> {
    const operation: QuotaOperation = 'liveChatMessages.stream';
    this.options.quota.spend(operation, options.sessionId);
    const bearer = this.usesBearer(false);
    const url = this.url('/liveChat/messages/stream', { liveChatId, part: PARTS, pageToken });
    // One controller for the whole connection: the caller's stop, the idle watchdog, or leaving the loop.
    const connection = new AbortController();
    const onAbort = (): void => connection.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const idleMs = this.options.streamIdleTimeoutMs ?? 120_000;
    let idleFired = false;
    const onIdle = (): void => {
      idleFired = true;
      connection.abort();
    };
    let idle = setTimeout(onIdle, idleMs).unref();
    const feedWatchdog = (): void => {
      clearTimeout(idle);
      idle = setTimeout(onIdle, idleMs).unref();
    };
    try {
      const headers = await this.headers(bearer, options.signal);
      let response: Response;
      try {
        response = await fetch(url, { headers, signal: connection.signal });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new YouTubeApiError(0, LOCAL_REASONS.streamUnavailable, `${operation}: no connection`, { operation }, { cause: error });
      }
      if (!response.ok) {
        const failure = YouTubeApiError.fromResponse(response.status, await response.text().catch(() => ''), operation);
        if ((response.status === 404 && !CHAT_GONE_REASONS.has(failure.reason)) || response.status === 501 || response.status === 405) {
          throw new YouTubeApiError(response.status, LOCAL_REASONS.streamUnavailable, `${operation}: endpoint unavailable (${response.status})`, {
            operation,
          });
        }
        throw this.noted(failure);
      }
      if (!response.body) return;
      const splitter = new JsonObjectSplitter();
      const decoder = new TextDecoder();
      try {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          feedWatchdog();
          for (const text of splitter.push(decoder.decode(value, { stream: true }))) {
            const page = parseJson<LiveChatMessageListResponse>(text, operation);
            if (page.error) throw this.noted(YouTubeApiError.fromBody(page.error.code ?? 0, page as ApiErrorBody, operation));
            yield page;
          }
        }
      } catch (error) {
        if (error instanceof YouTubeApiError || options.signal?.aborted) throw error;
        const reason = idleFired ? LOCAL_REASONS.timeout : LOCAL_REASONS.network;
        throw new YouTubeApiError(0, reason, `${operation}: connection lost (${reason})`, { operation }, { cause: error });
      }
    } finally {
      clearTimeout(idle);
      options.signal?.removeEventListener('abort', onAbort);
      // Leaving early (the consumer stopped) must close the socket too.
      connection.abort();
    }
  }

  async insertMessage(liveChatId: string, text: string, options: CallOptions = {}): Promise<{ id?: string }> {
    if (!this.options.oauth) {
      throw new YouTubeApiError(0, 'oauthRequired', 'Sending to a YouTube chat needs YOUTUBE_OAUTH_* credentials', {
        operation: 'liveChatMessages.insert',
      });
    }
    const body: LiveChatMessageInsertBody = {
      snippet: { liveChatId, type: 'textMessageEvent', textMessageDetails: { messageText: [...text].slice(0, MAX_INSERT_LENGTH).join('') } },
    };
    const answer = await this.call<{ id?: string }>('liveChatMessages.insert', 'POST', '/liveChat/messages', { part: 'snippet' }, body, {
      ...options,
      write: true,
    });
    return typeof answer.id === 'string' ? { id: answer.id } : {};
  }

  /** Reads use the key when there is one (no token round-trips); writes always go through OAuth. */
  private usesBearer(write: boolean): boolean {
    return this.options.oauth !== undefined && (write || !this.options.apiKey);
  }

  private url(route: string, query: Record<string, string | undefined>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
    return `${this.options.baseUrl}${route}?${params}`;
  }

  private async headers(bearer: boolean, signal?: AbortSignal): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bearer && this.options.oauth) headers.authorization = `Bearer ${await this.options.oauth.token(signal)}`;
    else if (this.options.apiKey) headers['x-goog-api-key'] = this.options.apiKey;
    return headers;
  }

  /** Remembers what a failure means for everyone: quotaExceeded stops every session until the reset. */
  private noted(error: YouTubeApiError): YouTubeApiError {
    if (error.code === 'quota_exhausted') this.options.quota.markExhausted();
    return error;
  }

  private async call<T>(
    operation: QuotaOperation,
    method: 'GET' | 'POST',
    route: string,
    query: Record<string, string | undefined>,
    body: unknown,
    options: CallOptions & { write?: boolean },
  ): Promise<T> {
    this.options.quota.spend(operation, options.sessionId);
    const bearer = this.usesBearer(options.write === true);
    const url = this.url(route, query);
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
      let response: Response;
      let text: string;
      try {
        const headers = await this.headers(bearer, options.signal);
        if (body !== undefined) headers['content-type'] = 'application/json';
        response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
        });
        text = await response.text();
      } catch (error) {
        if (options.signal?.aborted || error instanceof YouTubeApiError) throw error;
        const reason = timeout.aborted ? LOCAL_REASONS.timeout : LOCAL_REASONS.network;
        throw new YouTubeApiError(0, reason, `${operation} failed: ${reason}`, { operation }, { cause: error });
      }
      if (response.status === 401 && bearer && attempt === 0) {
        // An access token can be revoked or expire early: fetch a fresh one once.
        this.options.oauth!.invalidate();
        continue;
      }
      if (!response.ok) throw this.noted(YouTubeApiError.fromResponse(response.status, text, operation));
      return parseJson<T>(text, operation);
    }
  }
}

function parseJson<T>(text: string, operation: string): T {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as T;
  } catch {
    // fall through
  }
  throw new YouTubeApiError(200, LOCAL_REASONS.badResponse, `${operation}: the answer is not a JSON object`, { operation });
}
