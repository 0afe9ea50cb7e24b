/**
 * Replies into YouTube live chats through liveChatMessages.insert (50 quota units), as the bot account
 * whose OAuth refresh token is configured (YOUTUBE_OAUTH_*). The live chat id comes from the API source
 * when the session uses it, else from one videos.list lookup per session.
 */
import { youtubeVideoId } from '../capture/platforms/youtube/adapter.ts';
import type { CallOptions, LiveChatLookup, LiveChatSender } from '../capture/youtube-api/client.ts';
import { classifyFailure, YouTubeApiError } from '../capture/youtube-api/errors.ts';
import { DeliveryError, type DeliveryTarget, type ReplyTransport } from './types.ts';

export interface YouTubeReplyTransportOptions {
  /** The YouTube client (it holds the OAuth token provider and the quota ledger). */
  api: LiveChatSender & { findLiveChat(videoId: string, options?: CallOptions): Promise<LiveChatLookup> };
}

export class YouTubeReplyTransport implements ReplyTransport {
  readonly name = 'youtube-api';
  private readonly options: YouTubeReplyTransportOptions;
  private readonly chatIds = new Map<string, string>();

  constructor(options: YouTubeReplyTransportOptions) {
    this.options = options;
  }

  accepts(target: DeliveryTarget): boolean {
    return target.platform === 'youtube';
  }

  async send(target: DeliveryTarget, text: string): Promise<{ platformReplyId?: string }> {
    const liveChatId = await this.liveChatId(target);
    try {
      const inserted = await this.options.api.insertMessage(liveChatId, text, { sessionId: target.sessionId });
      return inserted.id ? { platformReplyId: inserted.id } : {};
    } catch (error) {
      throw toDeliveryError(error);
    }
  }

  private async liveChatId(target: DeliveryTarget): Promise<string> {
    if (target.liveChatId) return target.liveChatId;
    const known = this.chatIds.get(target.sessionId);
    if (known) return known;
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new DeliveryError('no_video', false, 'The session URL names no YouTube video');
    }
    const videoId = youtubeVideoId(url);
    if (!videoId) throw new DeliveryError('no_video', false, 'The session URL names no YouTube video');
    let lookup: LiveChatLookup;
    try {
      lookup = await this.options.api.findLiveChat(videoId, { sessionId: target.sessionId });
    } catch (error) {
      throw toDeliveryError(error);
    }
    if (!lookup.found || !lookup.liveChatId) throw new DeliveryError('liveChatEnded', false, 'The video has no active live chat');
    this.chatIds.set(target.sessionId, lookup.liveChatId);
    return lookup.liveChatId;
  }
}

/** What a YouTube failure means for a reply: retry on network trouble and rate limits, else give up. */
function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const reason = error instanceof YouTubeApiError ? error.reason : 'unexpected';
  const action = classifyFailure(error);
  const retryable = action === 'transient' || action === 'rate_limit';
  return new DeliveryError(reason, retryable, error instanceof Error ? error.message : String(error), { cause: error });
}
