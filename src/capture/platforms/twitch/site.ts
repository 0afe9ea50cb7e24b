/** Twitch's shared facts (see ../site.ts). Facts: docs/PLATFORMS.md. */
import type { PlatformSite } from '../site.ts';

export const twitchSite = {
  platform: 'twitch',
  label: 'Twitch',
  hostPattern: /(^|\.)twitch\.tv$/i,
  chatInput: "[data-a-target='chat-input']",
} as const satisfies PlatformSite;
