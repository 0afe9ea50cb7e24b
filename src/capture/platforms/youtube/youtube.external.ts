/**
 * YouTube web chat's wire format: the get_live_chat JSON the chat page polls and the ytInitialData the
 * page's HTML embeds. Only the fields Earshot reads; all optional. Facts: docs/PLATFORMS.md.
 */

export interface YtSimpleText {
  simpleText?: string;
}

export interface YtEmojiWire {
  emojiId?: string;
  shortcuts?: string[];
  isCustomEmoji?: boolean;
  image?: { accessibility?: { accessibilityData?: { label?: string } } };
}

export interface YtRunWire {
  text?: string;
  emoji?: YtEmojiWire;
}

export interface YtRunsText {
  runs?: YtRunWire[];
  simpleText?: string;
}

export interface YtAuthorBadgeWire {
  liveChatAuthorBadgeRenderer?: {
    /** OWNER, MODERATOR, VERIFIED; member badges have a customThumbnail instead. */
    icon?: { iconType?: string };
    customThumbnail?: unknown;
    tooltip?: string;
  };
}

/** The fields every chat item renderer shares. */
export interface YtChatItemWire {
  id?: string;
  timestampUsec?: string;
  authorName?: YtSimpleText;
  authorExternalChannelId?: string;
  authorBadges?: YtAuthorBadgeWire[];
  message?: YtRunsText;
  /** Paid message and paid sticker. */
  purchaseAmountText?: YtSimpleText;
  /** Membership items. */
  headerPrimaryText?: YtRunsText;
  headerSubtext?: YtRunsText;
  /** Paid sticker. */
  sticker?: { accessibility?: { accessibilityData?: { label?: string } } };
}

export interface YtChatItemContainer {
  liveChatTextMessageRenderer?: YtChatItemWire;
  liveChatPaidMessageRenderer?: YtChatItemWire;
  liveChatMembershipItemRenderer?: YtChatItemWire;
  liveChatPaidStickerRenderer?: YtChatItemWire;
  liveChatSponsorshipsGiftPurchaseAnnouncementRenderer?: unknown;
}

export interface YtActionWire {
  addChatItemAction?: { item?: YtChatItemContainer };
  replaceChatItemAction?: { targetItemId?: string; replacementItem?: YtChatItemContainer };
  markChatItemAsDeletedAction?: { targetItemId?: string };
  markChatItemsByAuthorAsDeletedAction?: { externalChannelId?: string };
  /** Replay pages wrap the actions. */
  replayChatItemAction?: { actions?: YtActionWire[] };
}

export interface YtContinuationWire {
  invalidationContinuationData?: { continuation?: string; timeoutMs?: number };
  timedContinuationData?: { continuation?: string; timeoutMs?: number };
  reloadContinuationData?: { continuation?: string };
  liveChatReplayContinuationData?: { continuation?: string };
  /** Replays end with this one. */
  playerSeekContinuationData?: { continuation?: string };
}

/** `continuationContents.liveChatContinuation` of a get_live_chat response. */
export interface YtLiveChatContinuationWire {
  continuations?: YtContinuationWire[];
  actions?: YtActionWire[];
}

export interface YtGetLiveChatResponse {
  continuationContents?: { liveChatContinuation?: YtLiveChatContinuationWire };
}

/** `ytInitialData` of the chat page: the first batch, rendered client-side. */
export interface YtInitialData {
  contents?: {
    liveChatRenderer?: YtLiveChatContinuationWire & { isReplay?: boolean };
  };
}
