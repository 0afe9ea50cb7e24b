/** Kick: the popout chat page and its Pusher WebSocket. data-index slots are recycled, never an identity. Facts: docs/PLATFORMS.md. */
import { idOf, isoTime, isRecord, parseJson } from '../common.ts';
import type { KickChatMessageWire, KickMessageDeletedWire, KickUserBannedWire, PusherFrame } from './kick.external.ts';
import { kickSite } from './site.ts';
import type { NetworkChatEvent, PlatformAdapter } from '../types.ts';

export function kickChannel(url: URL): string | undefined {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'popout' && parts[1]) return parts[1].toLowerCase();
  return parts[0]?.toLowerCase();
}

const EVENT_PREFIX = /^App\\Events\\/;

/** `data` decoded whether the frame carries it as a JSON string (current) or already as an object (older). */
function frameData(frame: PusherFrame): Record<string, unknown> | undefined {
  const data = typeof frame.data === 'string' ? parseJson(frame.data) : frame.data;
  return isRecord(data) ? data : undefined;
}

function chatMessage(data: KickChatMessageWire): NetworkChatEvent | undefined {
  const id = idOf(data.id);
  if (!id || typeof data.content !== 'string') return undefined;
  const sender = isRecord(data.sender) ? data.sender : {};
  const badges = Array.isArray(sender.identity?.badges) ? sender.identity.badges : [];
  return {
    type: 'message',
    message: {
      id,
      author: {
        name: sender.username ?? sender.slug ?? '',
        id: idOf(sender.id),
        badges: badges.map((b) => b?.type).filter((t): t is string => typeof t === 'string'),
      },
      // Emotes travel as [emote:37226:KEKW]; the page shows an image whose alt is the name.
      text: data.content.replace(/\[emote:\d+:([^\]]*)\]/g, '$1'),
      sentAt: isoTime(data.created_at),
    },
  };
}

const KICK_EVENTS = new Set(['ChatMessageEvent', 'MessageDeletedEvent', 'UserBannedEvent', 'StopStreamBroadcast', 'StreamerIsLive', 'LivestreamUpdated']);

/** Parses one Pusher frame: chat, deletions, bans, the show going live and its end; protocol frames are ignored. */
export function parseKickFrame(payload: string): NetworkChatEvent[] {
  const frame = parseJson(payload) as PusherFrame | undefined;
  if (!isRecord(frame) || typeof frame.event !== 'string') return [];
  const event = frame.event.replace(EVENT_PREFIX, '');
  if (!KICK_EVENTS.has(event)) return [];
  const data = frameData(frame);
  if (!data) return event === 'StopStreamBroadcast' ? [{ type: 'ended', detail: 'stream stopped' }] : [];
  switch (event) {
    case 'ChatMessageEvent': {
      const message = chatMessage(data as KickChatMessageWire);
      return message ? [message] : [];
    }
    case 'MessageDeletedEvent': {
      const id = idOf((data as KickMessageDeletedWire).message?.id);
      return id ? [{ type: 'deleted', messageId: id }] : [];
    }
    case 'UserBannedEvent': {
      const id = idOf((data as KickUserBannedWire).user?.id);
      return id ? [{ type: 'author_removed', authorId: id }] : [];
    }
    case 'StreamerIsLive':
    case 'LivestreamUpdated': {
      // The channel's current livestream: a new id is a new show (the channel went live again).
      const wire = data as { livestream?: { id?: unknown }; id?: unknown };
      const id = idOf(wire.livestream?.id ?? wire.id);
      return id ? [{ type: 'show', showId: id }] : [];
    }
    default:
      return [{ type: 'ended', detail: 'stream stopped' }];
  }
}

export const kick: PlatformAdapter = {
  platform: kickSite.platform,
  matches: (url) => kickSite.hostPattern.test(url.hostname),
  chatUrl(url) {
    const channel = kickChannel(url);
    return channel ? `https://kick.com/popout/${encodeURIComponent(channel)}/chat` : url.href;
  },
  dom: {
    container: '#chatroom-messages',
    // Older markup nests [data-chat-entry] inside the [data-index] slot: count each row once.
    row: '[data-index], [data-chat-entry]:not([data-index] *)',
    author: 'button[title], .chat-entry-username',
    text: '.chat-entry-content',
    // Role badges beside the name (broadcaster, moderator, vip...): the type in data-badge, else the label.
    badges: { selector: '.badge-tooltip, [data-badge]', attribute: 'data-badge' },
  },
  network: { parseWebSocketFrame: parseKickFrame },
};
