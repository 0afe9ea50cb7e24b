/**
 * Client-side platform detection from a pasted URL, only to show the user what Earshot will think it is
 * before they press Start; the server's answer (its adapter registry) is authoritative.
 */

export interface Detection {
  /** `whatnot` ... `tiktok`, `demo` for this service's demo, `generic` for other pages, null when not a URL. */
  platform: string | null;
  label: string;
  /** Why the URL cannot be used as typed. */
  problem?: string;
}

const HOSTS: Array<{ pattern: RegExp; platform: string; label: string }> = [
  { pattern: /(^|\.)whatnot\.com$/i, platform: 'whatnot', label: 'Whatnot' },
  { pattern: /(^|\.)(youtube\.com|youtu\.be)$/i, platform: 'youtube', label: 'YouTube' },
  { pattern: /(^|\.)twitch\.tv$/i, platform: 'twitch', label: 'Twitch' },
  { pattern: /(^|\.)kick\.com$/i, platform: 'kick', label: 'Kick' },
  { pattern: /(^|\.)tiktok\.com$/i, platform: 'tiktok', label: 'TikTok' },
];

/** What platform a typed URL looks like; `origin` is this dashboard's origin (for the demo). */
export function detectPlatform(input: string, origin: string): Detection {
  const text = input.trim();
  if (!text) return { platform: null, label: '' };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`);
  } catch {
    return { platform: null, label: 'Not a URL', problem: 'Paste the full address of the live page.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { platform: null, label: 'Not a web page', problem: 'Only http and https pages can be monitored.' };
  }
  if (url.origin === origin && url.pathname === '/demo/live') return { platform: 'demo', label: 'Earshot demo (Whatnot-style)' };
  const known = HOSTS.find((h) => h.pattern.test(url.hostname));
  if (known) return { platform: known.platform, label: known.label };
  return { platform: 'generic', label: 'Other page (needs CSS selectors)' };
}

/** The URL as the server should get it (a bare host gets https://). */
export function normalizeUrl(input: string): string {
  const text = input.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
}
