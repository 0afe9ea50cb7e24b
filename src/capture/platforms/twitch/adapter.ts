/** Twitch: the popout chat page and its IRC-over-WebSocket traffic. Facts: docs/PLATFORMS.md. */
import { decodeCtcp, parseMessage, prefixToString, type Message, type MessageConstructor } from 'ircv3';
import { isoTime } from '../common.ts';
import type { IrcLine, IrcTags } from './twitch.external.ts';
import { twitchSite } from './site.ts';
import type { NetworkChatEvent, PlatformAdapter } from '../types.ts';

/** Every line parses as a plain Message: we read commands and tags, not the library's typed classes. */
const NO_COMMAND_CLASSES = new Map<string, MessageConstructor>();

const RESERVED = new Set(['directory', 'videos', 'settings', 'subscriptions', 'inventory', 'wallet', 'search', 'p', 'popout', 'moderator']);

export function twitchChannel(url: URL): string | undefined {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'popout' && parts[1]) return parts[1].toLowerCase();
  if (parts[0] && !RESERVED.has(parts[0].toLowerCase())) return parts[0].toLowerCase();
  return undefined;
}

/**
 * Splits one IRC line (`@tags :prefix COMMAND params :trailing`) into its parts with ircv3's parser (tag
 * unescaping per the IRCv3 spec). Parameters are left unchecked: Twitch's own commands (CLEARMSG,
 * CLEARCHAT) are unknown to the library, and a line that breaks a command's parameter rules is still
 * read as far as it goes. A line without a command is not IRC: undefined.
 */
export function parseIrcLine(line: string): IrcLine | undefined {
  let message: Message;
  try {
    message = parseMessage(line, undefined, NO_COMMAND_CLASSES, false, [], false);
  } catch {
    return undefined;
  }
  return {
    tags: Object.fromEntries(message.tags) as IrcTags,
    prefix: message.prefix ? prefixToString(message.prefix) : undefined,
    command: message.command,
    params: message.rawParamValues,
  };
}

/** Badge names from `moderator/1,subscriber/12` (versions dropped). */
function badgeNames(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((b) => b.split('/')[0] ?? '')
    .filter(Boolean);
}

function privmsg(line: IrcLine): NetworkChatEvent | undefined {
  const id = line.tags.id;
  let text = line.params[1];
  if (!id || typeof text !== 'string') return undefined;
  // `/me waves` arrives as a CTCP ACTION; the page shows just the words.
  const ctcp = decodeCtcp(text);
  if (ctcp && ctcp.command === 'ACTION') text = ctcp.params;
  const login = line.prefix?.split('!')[0];
  const bits = Number(line.tags.bits);
  return {
    type: 'message',
    message: {
      id,
      author: {
        name: line.tags['display-name'] || login || '',
        id: line.tags['user-id'] || undefined,
        badges: badgeNames(line.tags.badges),
      },
      text,
      sentAt: isoTime(line.tags['tmi-sent-ts']),
      ...(Number.isFinite(bits) && bits > 0
        ? { kind: 'paid' as const, paid: { amount: bits, currency: 'BITS', display: `${bits} bits` } }
        : {}),
    },
  };
}

/** Parses one WebSocket frame: one or more IRC lines. PRIVMSG is chat, CLEARMSG/CLEARCHAT are deletions. */
export function parseTwitchFrame(payload: string): NetworkChatEvent[] {
  const out: NetworkChatEvent[] = [];
  for (const raw of payload.split(/\r?\n/)) {
    if (!raw) continue;
    const line = parseIrcLine(raw);
    if (!line) continue;
    if (line.command === 'PRIVMSG') {
      const event = privmsg(line);
      if (event) out.push(event);
    } else if (line.command === 'CLEARMSG' && line.tags['target-msg-id']) {
      out.push({ type: 'deleted', messageId: line.tags['target-msg-id'] });
    } else if (line.command === 'CLEARCHAT' && line.tags['target-user-id']) {
      // Without a target user, CLEARCHAT wipes the room for everyone; the messages were still said.
      out.push({ type: 'author_removed', authorId: line.tags['target-user-id'] });
    }
  }
  return out;
}

export const twitch: PlatformAdapter = {
  platform: twitchSite.platform,
  matches: (url) => twitchSite.hostPattern.test(url.hostname),
  chatUrl(url) {
    const channel = twitchChannel(url);
    return channel ? `https://www.twitch.tv/popout/${encodeURIComponent(channel)}/chat` : url.href;
  },
  dom: {
    container: '.chat-list--default, .chat-list--other, .chat-room__content',
    row: ".chat-line__message[data-a-target='chat-line-message']",
    author: '.chat-author__display-name',
    text: "[data-a-target='chat-line-message-body']",
    authorIdAttribute: 'data-a-user',
    deleted: "[data-a-target='chat-deleted-message-placeholder'], .chat-line__message--deleted",
    badges: { selector: 'img.chat-badge', attribute: 'alt' },
  },
  network: { parseWebSocketFrame: parseTwitchFrame },
};
