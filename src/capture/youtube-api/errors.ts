/**
 * YouTube Data API failures: one error class carrying Google's `reason`, and the single place that
 * decides what each reason means for a session (end it, fail it, wait for the quota, back off, retry).
 */
import { EarshotError } from '../../errors.ts';
import type { ApiErrorBody } from './youtube.external.ts';

/** Reasons Earshot produces itself (Google's own reasons are camelCase words from the error body). */
export const LOCAL_REASONS = {
  /** The request never got an answer (DNS, reset, refused). */
  network: 'network',
  /** No answer within the client's timeout. */
  timeout: 'timeout',
  /** The server-streaming endpoint does not exist here (404 without a chat reason, 501, or no connection). */
  streamUnavailable: 'streamUnavailable',
  /** The answer was not the JSON the API documents. */
  badResponse: 'badResponse',
  /** The OAuth token endpoint refused the refresh token. */
  oauthRefused: 'oauthRefused',
} as const;

/** A failed YouTube Data API call. `reason` is `error.errors[0].reason` or one of LOCAL_REASONS. */
export class YouTubeApiError extends EarshotError {
  readonly reason: string;
  /** HTTP status; 0 when there was no HTTP answer. */
  readonly status: number;

  constructor(status: number, reason: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(isQuotaReason(reason) ? 'quota_exhausted' : 'youtube_api_error', message, { ...context, status, reason }, options);
    this.name = 'YouTubeApiError';
    this.reason = reason;
    this.status = status;
  }

  /** Builds the error from a non-2xx answer and its body text (JSON or not). */
  static fromResponse(status: number, bodyText: string, operation: string): YouTubeApiError {
    let body: ApiErrorBody | undefined;
    try {
      body = JSON.parse(bodyText) as ApiErrorBody;
    } catch {
      body = undefined;
    }
    return YouTubeApiError.fromBody(status, body, operation);
  }

  static fromBody(status: number, body: ApiErrorBody | undefined, operation: string): YouTubeApiError {
    const first = Array.isArray(body?.error?.errors) ? body.error.errors[0] : undefined;
    const reason = typeof first?.reason === 'string' && first.reason ? first.reason.slice(0, 100) : `http${status}`;
    const said = typeof body?.error?.message === 'string' ? body.error.message.slice(0, 300) : '';
    return new YouTubeApiError(status, reason, `${operation} failed: ${status} ${reason}${said ? ` (${said})` : ''}`, {
      operation,
    });
  }
}

function isQuotaReason(reason: string): boolean {
  return reason === 'quotaExceeded' || reason === 'dailyLimitExceeded';
}

/** What a session does about a failure. */
export type FailureAction =
  /** The chat is over: status `ended`. */
  | 'ended'
  /** Nothing will change by retrying: status `error` with the reason. */
  | 'fatal'
  /** The daily quota is spent: no calls until the reset. */
  | 'quota'
  /** Too many calls too fast: exponential backoff. */
  | 'rate_limit'
  /** Server or network trouble: retry with backoff and jitter. */
  | 'transient'
  /** The streaming endpoint is not available: poll instead. */
  | 'stream_unavailable';

const ENDED = new Set(['liveChatEnded']);
const RATE_LIMIT = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const TRANSIENT = new Set(['backendError', 'internalError', LOCAL_REASONS.network, LOCAL_REASONS.timeout, LOCAL_REASONS.badResponse]);

/** Maps a failure to what the session does; unknown errors (a bug, a surprise) count as transient. */
export function classifyFailure(error: unknown): FailureAction {
  if (!(error instanceof YouTubeApiError)) return 'transient';
  const { reason, status } = error;
  if (ENDED.has(reason)) return 'ended';
  if (isQuotaReason(reason)) return 'quota';
  if (RATE_LIMIT.has(reason) || status === 429) return 'rate_limit';
  if (reason === LOCAL_REASONS.streamUnavailable) return 'stream_unavailable';
  if (TRANSIENT.has(reason) || status >= 500) return 'transient';
  // liveChatDisabled, forbidden, liveChatNotFound, keyInvalid, insufficientPermissions, oauthRefused...
  return 'fatal';
}
