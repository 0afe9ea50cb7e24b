/** TikTok Live: DOM only (its network path is signed protobuf). Facts: shared/PLATFORMS.md. */
import type { PlatformAdapter } from './types.ts';

export const tiktok: PlatformAdapter = {
  platform: 'tiktok',
  matches: (url) => /(^|\.)tiktok\.com$/i.test(url.hostname),
  dom: {
    container: "[data-e2e='chat-room'], [data-e2e='live-chat-container']",
    row: "[data-e2e='chat-message']",
    author: "[data-e2e='message-owner-name']",
    text: "[class*='-DivComment']",
  },
};
