/**
 * OAuth access tokens for the YouTube Data API from a long-lived refresh token (YOUTUBE_OAUTH_*).
 * Tokens are cached until a minute before they expire; concurrent callers share one refresh.
 */
import type { Clock } from './clock.ts';
import { LOCAL_REASONS, YouTubeApiError } from './errors.ts';
import type { OAuthTokenResponse } from './youtube.external.ts';

/** Supplies bearer tokens; `invalidate` after a 401 forces a fresh one. */
export interface AccessTokenProvider {
  token(signal?: AbortSignal): Promise<string>;
  invalidate(): void;
}

export interface RefreshTokenAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenUrl: string;
  clock: Clock;
  timeoutMs?: number;
}

/** Refresh a minute early so a token never expires between fetching it and using it. */
const EXPIRY_MARGIN_MS = 60_000;

export class RefreshTokenAuth implements AccessTokenProvider {
  private readonly options: RefreshTokenAuthOptions;
  private cached: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;

  constructor(options: RefreshTokenAuthOptions) {
    this.options = options;
  }

  token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > this.options.clock.now()) {
      return Promise.resolve(this.cached.token);
    }
    this.inflight ??= this.refresh(signal).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  invalidate(): void {
    this.cached = null;
  }

  private async refresh(signal?: AbortSignal): Promise<string> {
    const { clientId, clientSecret, refreshToken, tokenUrl } = this.options;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: refreshToken,
        }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = timeout.aborted ? LOCAL_REASONS.timeout : LOCAL_REASONS.network;
      throw new YouTubeApiError(0, reason, `OAuth token refresh failed: ${reason}`, { operation: 'oauth.token' }, { cause: error });
    }
    let body: OAuthTokenResponse = {};
    try {
      body = (await response.json()) as OAuthTokenResponse;
    } catch {
      body = {};
    }
    if (!response.ok || typeof body.access_token !== 'string' || !body.access_token) {
      // 400 invalid_grant (revoked or wrong refresh token) will not heal by retrying; 5xx may.
      const refused = response.status >= 400 && response.status < 500;
      const what = typeof body.error === 'string' ? body.error.slice(0, 100) : `http${response.status}`;
      throw new YouTubeApiError(
        response.status,
        refused || response.ok ? LOCAL_REASONS.oauthRefused : `http${response.status}`,
        `OAuth token refresh refused: ${what}`,
        { operation: 'oauth.token' },
      );
    }
    const lifetimeSec = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.cached = { token: body.access_token, expiresAt: this.options.clock.now() + lifetimeSec * 1000 };
    return body.access_token;
  }
}
