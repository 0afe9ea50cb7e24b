/** TikTok Live: its webcast protobuf frames first (./network.ts), the DOM as the fallback. Facts: docs/PLATFORMS.md. */
import { parseTikTokFetch, parseTikTokFrame } from './network.ts';
import { tiktokSite } from './site.ts';
import type { PlatformAdapter } from '../types.ts';

/** The host of a TikTok live URL (`/@name/live`); another name means the page moved on to another stream. */
export function tiktokHost(url: URL): string | undefined {
  return /\/@([^/?#]+)/.exec(url.pathname)?.[1]?.toLowerCase();
}

export const tiktok: PlatformAdapter = {
  platform: tiktokSite.platform,
  matches: (url) => tiktokSite.hostPattern.test(url.hostname),
  dom: {
    container: "[data-e2e='chat-room'], [data-e2e='live-chat-container']",
    row: "[data-e2e='chat-message']",
    author: "[data-e2e='message-owner-name']",
    text: "[class*='-DivComment']",
    // The "Host" and "Moderator" labels TikTok puts before a name (images with an alt, or labelled spans).
    badges: { selector: "[data-e2e='message-badge'], [data-e2e*='badge'] img, [class*='-DivBadge'] img" },
  },
  // When a live ends, TikTok scrolls on to someone else's live: that is the end of ours, not more chat.
  streamIdentity: tiktokHost,
  // The socket URL is signed by TikTok's scripts; the page opens it and the tap reads what it receives.
  network: { parseBinaryFrame: parseTikTokFrame, responseUrlPattern: /\/webcast\/im\/fetch\b/, parseResponseBytes: parseTikTokFetch },
};
