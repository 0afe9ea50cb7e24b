/** Whatnot (whatnot.com/live/<id>): react-virtuoso chat list. Facts: shared/PLATFORMS.md. */
import type { PlatformAdapter } from './types.ts';

export const whatnot: PlatformAdapter = {
  platform: 'whatnot',
  matches: (url) => /(^|\.)whatnot\.com$/i.test(url.hostname),
  dom: {
    container: "[data-testid='virtuoso-item-list']",
    row: "[data-testid='chat-message']",
    author: "a[href*='/user/'], strong",
    text: "[data-testid='chat-message-text'], :scope",
    // Recommended-show cards sit in the same list on some layouts; they are not chat.
    exclude: "[data-testid*='show-card'], [data-testid*='recommend']",
  },
};
