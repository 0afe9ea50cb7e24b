/**
 * Wire types of the YouTube Data API v3 as it sends them (only the fields Earshot reads). Every field is
 * optional: the payload is outside input, mapping.ts converts it once into ChatMessage.
 * Reference: developers.google.com/youtube/v3/live/docs/liveChatMessages, docs/PLATFORMS.md.
 */

/** `GET /videos?part=liveStreamingDetails&id=ID` */
export interface VideoListResponse {
  items?: Array<{
    id?: string;
    liveStreamingDetails?: {
      activeLiveChatId?: string;
      actualStartTime?: string;
      actualEndTime?: string;
      scheduledStartTime?: string;
    };
  }>;
}

/** `GET /liveChat/messages` and each object pushed by `GET /liveChat/messages/stream`. */
export interface LiveChatMessageListResponse {
  nextPageToken?: string;
  pollingIntervalMillis?: number;
  /** Set once the stream went offline; the chat is over. */
  offlineAt?: string;
  items?: LiveChatMessageResource[];
  /** A streaming connection may push an error object instead of a page. */
  error?: ApiErrorBody['error'];
}

export type LiveChatEventType =
  | 'textMessageEvent'
  | 'superChatEvent'
  | 'superStickerEvent'
  | 'newSponsorEvent'
  | 'memberMilestoneChatEvent'
  | 'membershipGiftingEvent'
  | 'giftMembershipReceivedEvent'
  | 'messageDeletedEvent'
  | 'userBannedEvent'
  | 'chatEndedEvent'
  | 'sponsorOnlyModeStartedEvent'
  | 'sponsorOnlyModeEndedEvent'
  | 'tombstone'
  | 'pollEvent'
  | (string & {});

export interface LiveChatMessageResource {
  id?: string;
  snippet?: {
    type?: LiveChatEventType;
    liveChatId?: string;
    authorChannelId?: string;
    publishedAt?: string;
    hasDisplayContent?: boolean;
    displayMessage?: string;
    textMessageDetails?: { messageText?: string };
    messageDeletedDetails?: { deletedMessageId?: string };
    userBannedDetails?: {
      bannedUserDetails?: { channelId?: string; displayName?: string };
      banType?: 'permanent' | 'temporary' | (string & {});
      banDurationSeconds?: number | string;
    };
    superChatDetails?: {
      /** Micro-units of `currency`, as a decimal string (JSON uint64). */
      amountMicros?: string | number;
      currency?: string;
      amountDisplayString?: string;
      userComment?: string;
      tier?: number;
    };
    superStickerDetails?: {
      superStickerMetadata?: { stickerId?: string; altText?: string; language?: string };
      amountMicros?: string | number;
      currency?: string;
      amountDisplayString?: string;
      tier?: number;
    };
    newSponsorDetails?: { memberLevelName?: string; isUpgrade?: boolean };
    memberMilestoneChatDetails?: { userComment?: string; memberMonth?: number; memberLevelName?: string };
    membershipGiftingDetails?: { giftMembershipsCount?: number; giftMembershipsLevelName?: string };
    giftMembershipReceivedDetails?: { memberLevelName?: string; gifterChannelId?: string };
  };
  authorDetails?: {
    channelId?: string;
    channelUrl?: string;
    displayName?: string;
    profileImageUrl?: string;
    isVerified?: boolean;
    isChatOwner?: boolean;
    isChatSponsor?: boolean;
    isChatModerator?: boolean;
  };
}

/** Google's error envelope: `{error:{code, message, errors:[{reason, domain, message}]}}`. */
export interface ApiErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    errors?: Array<{ reason?: string; domain?: string; message?: string }>;
  };
}

/** `POST /liveChat/messages?part=snippet` request body. */
export interface LiveChatMessageInsertBody {
  snippet: { liveChatId: string; type: 'textMessageEvent'; textMessageDetails: { messageText: string } };
}

/** The OAuth token endpoint's answer to a refresh_token grant. */
export interface OAuthTokenResponse {
  access_token?: string;
  expires_in?: number;
  token_type?: string;
  error?: string;
  error_description?: string;
}
