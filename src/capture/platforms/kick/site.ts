/** Kick's shared facts (see ../site.ts). Facts: docs/PLATFORMS.md. */
import type { PlatformSite } from '../site.ts';

export const kickSite = {
  platform: 'kick',
  label: 'Kick',
  hostPattern: /(^|\.)kick\.com$/i,
  chatInput: '#message-input',
} as const satisfies PlatformSite;
