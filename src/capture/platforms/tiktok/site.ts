/** TikTok's shared facts (see ../site.ts). Its chat input is not known well enough to type into. Facts: docs/PLATFORMS.md. */
import type { PlatformSite } from '../site.ts';

export const tiktokSite = {
  platform: 'tiktok',
  label: 'TikTok',
  hostPattern: /(^|\.)tiktok\.com$/i,
} as const satisfies PlatformSite;
