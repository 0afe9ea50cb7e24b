/** Any other page, read with the CSS selectors given when monitoring starts: no hosts of its own. */
import type { PlatformSite } from '../site.ts';

export const genericSite = {
  platform: 'generic',
  label: 'Other page (needs CSS selectors)',
} as const satisfies PlatformSite;
