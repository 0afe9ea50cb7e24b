/** Twitch: the popout chat page and its IRC-over-WebSocket traffic. Facts: shared/PLATFORMS.md. */
import { isoTime } from './common.ts';
import type { IrcLine, IrcTags } from './twitch.external.ts';
import type { NetworkChatEvent, PlatformAdapter } from './types.ts';

const RESERVED = new Set(['directory', 'videos', 'settings', 'subscriptions', 'inventory', 'wallet', 'search', 'p', 'popout', 'moderator']);

export function twitchChannel(url: URL): string | undefined {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'popout' && parts[1]) return parts[1].toLowerCase();
  if (parts[0] && !RESERVED.has(parts[0].toLowerCase())) return parts[0].toLowerCase();
  return undefined;
}

const TAG_ESCAPES: Record<string, string> = { s: ' ', ':': ';', '\\': '\\', r: '\r', n: '\n' };

/** Splits one IRC line (`@tags :prefix COMMAND params :trailing`) into its parts. */
export function parseIrcLine(line: string): IrcLine | undefined {
  let rest = line;
  const tags: IrcTags = {};
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ');
    if (space < 0) return undefined;
    for (const pair of rest.slice(1, space).split(';')) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1).replace(/\\(.?)/g, (_m, c: string) => TAG_ESCAPES[c] ?? c);
      if (key) tags[key] = value;
    }
    rest = rest.slice(space + 1).trimStart();
  }
  let prefix: string | undefined;
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    if (space < 0) return undefined;
    prefix = rest.slice(1, space);
    rest = rest.slice(space + 1).trimStart();
  }
  const trailingAt = rest.indexOf(' :');
  const head = trailingAt < 0 ? rest : rest.slice(0, trailingAt);
  const params = head.split(' ').filter(Boolean);
  const command = params.shift();
  if (!command) return undefined;
  if (trailingAt >= 0) params.push(rest.slice(trailingAt + 2));
  return { tags, prefix, command: command.toUpperCase(), params };
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
  // eslint-disable-next-line no-control-regex -- CTCP ACTION is delimited by \x01 by definition
  const action = /^\u0001ACTION (.*)\u0001?$/.exec(text);
  if (action) text = action[1]!.endsWith('\u0001') ? action[1]!.slice(0, -1) : action[1]!;
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
  platform: 'twitch',
  matches: (url) => /(^|\.)twitch\.tv$/i.test(url.hostname),
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
