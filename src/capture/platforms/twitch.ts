/** Twitch: the popout chat page. Facts: shared/PLATFORMS.md. */
import type { PlatformAdapter } from './types.ts';

const RESERVED = new Set(['directory', 'videos', 'settings', 'subscriptions', 'inventory', 'wallet', 'search', 'p', 'popout', 'moderator']);

export function twitchChannel(url: URL): string | undefined {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'popout' && parts[1]) return parts[1].toLowerCase();
  if (parts[0] && !RESERVED.has(parts[0].toLowerCase())) return parts[0].toLowerCase();
  return undefined;
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
};
