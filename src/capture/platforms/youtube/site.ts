/** YouTube's shared facts (see ../site.ts). Replies go through the Data API, so no chat input. Facts: docs/PLATFORMS.md. */
import type { PlatformSite } from '../site.ts';

export const youtubeSite = {
  platform: 'youtube',
  label: 'YouTube',
  hostPattern: /(^|\.)(youtube\.com|youtu\.be)$/i,
} as const satisfies PlatformSite;
