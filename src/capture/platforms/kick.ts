/** Kick: the popout chat page. data-index slots are recycled, never an identity. Facts: shared/PLATFORMS.md. */
import type { PlatformAdapter } from './types.ts';

export function kickChannel(url: URL): string | undefined {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'popout' && parts[1]) return parts[1].toLowerCase();
  return parts[0]?.toLowerCase();
}

export const kick: PlatformAdapter = {
  platform: 'kick',
  matches: (url) => /(^|\.)kick\.com$/i.test(url.hostname),
  chatUrl(url) {
    const channel = kickChannel(url);
    return channel ? `https://kick.com/popout/${encodeURIComponent(channel)}/chat` : url.href;
  },
  dom: {
    container: '#chatroom-messages',
    row: '[data-chat-entry], [data-index]',
    author: 'button[title], .chat-entry-username',
    text: '.chat-entry-content',
  },
};
