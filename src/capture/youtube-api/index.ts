/**
 * The YouTube Data API source assembled from configuration: one quota ledger and one client for the
 * service, and a source per session. main.ts wires this into the session manager.
 */
import path from 'node:path';
import type { Config } from '../../config.ts';
import type { SourceKind } from '../../domain/message.ts';
import { EarshotError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { SourceFactoryInput } from '../source.ts';
import { youtubeVideoId } from '../platforms/youtube/adapter.ts';
import type { PlatformAdapter } from '../platforms/types.ts';
import { YouTubeClient } from './client.ts';
import { systemClock, type Clock } from './clock.ts';
import { RefreshTokenAuth } from './oauth.ts';
import { QuotaLedger } from './quota.ts';
import { YouTubeApiSource } from './source.ts';

/** Where the day's quota usage is kept, under DATA_DIR. */
export const QUOTA_FILE = 'youtube-quota.json';
/** YouTube video ids are 11 characters today; allow some slack, but nothing that is not an id. */
const VIDEO_ID = /^[A-Za-z0-9_-]{6,64}$/;

export interface YouTubeApi {
  quota: QuotaLedger;
  /** The client, when YOUTUBE_API_KEY or OAuth credentials are set (the knowledge base sends replies with it). */
  client?: YouTubeClient;
  /** "api" for YouTube video URLs when credentials exist, else "browser". */
  defaultSource(adapter: PlatformAdapter, url: URL): SourceKind;
  /**
   * Builds the API source of a session. Throws unsupported_platform for non-YouTube URLs, source_unavailable
   * without credentials, invalid_body when the URL names no video.
   */
  createSource(input: SourceFactoryInput, onQuotaExhausted?: (detail: string) => void): YouTubeApiSource;
}

export function createYouTubeApi(
  config: Config['youtube'],
  deps: { dataDir: string; logger: Logger; clock?: Clock },
): YouTubeApi {
  const clock = deps.clock ?? systemClock;
  const quota = new QuotaLedger({
    dailyLimit: config.dailyQuota,
    clock,
    file: path.join(deps.dataDir, QUOTA_FILE),
    logger: deps.logger,
  });
  const oauth = config.oauth ? new RefreshTokenAuth({ ...config.oauth, clock }) : undefined;
  const client = config.apiKey || oauth ? new YouTubeClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, oauth, quota }) : undefined;

  return {
    quota,
    client,
    defaultSource: (adapter, url) => (client && adapter.platform === 'youtube' && youtubeVideoId(url) ? 'api' : 'browser'),
    createSource(input, onQuotaExhausted) {
      if (input.adapter.platform !== 'youtube') {
        throw new EarshotError('unsupported_platform', `source "api" is only available for YouTube URLs (this is ${input.adapter.platform})`, {
          url: input.url.href,
        });
      }
      if (!client) {
        throw new EarshotError(
          'source_unavailable',
          'source "api" needs YOUTUBE_API_KEY or YOUTUBE_OAUTH_CLIENT_ID/SECRET/REFRESH_TOKEN; use source "browser" or set them',
        );
      }
      const videoId = youtubeVideoId(input.url);
      if (!videoId || !VIDEO_ID.test(videoId)) {
        throw new EarshotError('invalid_body', 'source "api" needs a YouTube video URL (watch?v=ID, youtu.be/ID, /live/ID)', {
          url: input.url.href,
        });
      }
      return new YouTubeApiSource({
        sessionId: input.sessionId,
        videoId,
        api: client,
        quota,
        sink: input.sink,
        logger: deps.logger,
        clock,
        streaming: config.streaming,
        onQuotaExhausted,
        resumeState: input.resumeState,
      });
    },
  };
}
