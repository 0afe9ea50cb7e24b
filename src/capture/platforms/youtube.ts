/** YouTube web chat: the chat-only page live_chat?v=ID. Facts: shared/PLATFORMS.md. */
import type { PlatformAdapter } from './types.ts';

/** The video id in any YouTube URL form (watch?v=, /live/, youtu.be/, live_chat?v=). */
export function youtubeVideoId(url: URL): string | undefined {
  if (/(^|\.)youtu\.be$/i.test(url.hostname)) return url.pathname.split('/')[1] || undefined;
  const v = url.searchParams.get('v');
  if (v) return v;
  const live = /^\/(?:live|shorts|embed)\/([\w-]{6,})/.exec(url.pathname);
  return live?.[1];
}

export const youtube: PlatformAdapter = {
  platform: 'youtube',
  matches: (url) => /(^|\.)(youtube\.com|youtu\.be)$/i.test(url.hostname),
  chatUrl(url) {
    if (url.pathname.startsWith('/live_chat')) return url.href;
    const id = youtubeVideoId(url);
    return id ? `https://www.youtube.com/live_chat?is_popout=1&v=${encodeURIComponent(id)}` : url.href;
  },
  dom: {
    container: 'yt-live-chat-app #items.yt-live-chat-item-list-renderer, #items.yt-live-chat-item-list-renderer',
    row: 'yt-live-chat-text-message-renderer, yt-live-chat-paid-message-renderer, yt-live-chat-membership-item-renderer, yt-live-chat-paid-sticker-renderer',
    author: '#author-name',
    text: '#message',
    idAttribute: 'id',
    deleted: '[is-deleted]',
    badges: { selector: 'yt-live-chat-author-badge-renderer[type]', attribute: 'type' },
    paidAmount: '#purchase-amount, #purchase-amount-chip',
  },
};
