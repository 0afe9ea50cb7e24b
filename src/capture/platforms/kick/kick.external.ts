/**
 * Kick's wire format: Pusher frames on the page's WebSocket. `data` is usually a JSON string inside the
 * JSON frame (double-encoded); older frames carry it decoded. Facts: docs/PLATFORMS.md.
 */

/** One Pusher frame. */
export interface PusherFrame {
  event: string;
  /** A JSON string (current) or an object (older frames). */
  data?: string | Record<string, unknown>;
  channel?: string;
}

export interface KickBadgeWire {
  /** broadcaster, moderator, vip, subscriber, founder, og, verified, staff, sub_gifter... */
  type?: string;
  text?: string;
  count?: number;
}

export interface KickSenderWire {
  id?: number | string;
  username?: string;
  slug?: string;
  identity?: { color?: string; badges?: KickBadgeWire[] };
}

/** Data of `App\Events\ChatMessageEvent`. */
export interface KickChatMessageWire {
  id?: string;
  chatroom_id?: number;
  /** Text with emotes as `[emote:<id>:<name>]`. */
  content?: string;
  type?: 'message' | 'reply' | string;
  created_at?: string;
  sender?: KickSenderWire;
  metadata?: unknown;
}

/** Data of `App\Events\MessageDeletedEvent`. */
export interface KickMessageDeletedWire {
  id?: string;
  message?: { id?: string };
}

/** Data of `App\Events\UserBannedEvent`. */
export interface KickUserBannedWire {
  id?: string;
  user?: { id?: number | string; username?: string; slug?: string };
}
