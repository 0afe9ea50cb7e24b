/** Whatnot's shared facts (see ../site.ts). Facts: docs/PLATFORMS.md. */
import type { PlatformSite } from '../site.ts';

export const whatnotSite = {
  platform: 'whatnot',
  label: 'Whatnot',
  hostPattern: /(^|\.)whatnot\.com$/i,
  chatInput: "[data-testid='chat-input']",
} as const satisfies PlatformSite;
