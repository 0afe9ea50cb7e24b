/**
 * Client-side platform detection from a pasted URL, only to show the user what Earshot will think it is
 * before they press Start; the server's answer (its adapter registry) is authoritative. Labels and host
 * patterns come from the platforms' own folders through their registry, which is pure data: no capture
 * code reaches this bundle.
 */
import { siteForHost } from '../../src/capture/platforms/registry.ts';

export interface Detection {
  /** `whatnot` ... `tiktok`, `demo` for this service's demo, `generic` for other pages, null when not a URL. */
  platform: string | null;
  label: string;
  /** Why the URL cannot be used as typed. */
  problem?: string;
  /** A channel name typed instead of a URL ("@hannahsvintage"): the pages it may mean (channelPages). */
  channel?: string;
}

/** A channel name as sellers type it: letters, digits, `_` and `-`, an optional `@`, no dot or slash. */
const CHANNEL_NAME = /^@?([A-Za-z0-9_-]{2,50})$/;

/**
 * The live pages a channel name may mean, on the platforms whose live page follows from the name (Whatnot
 * shows each have their own link, so Whatnot is not among them). The name is percent-encoded into the path.
 */
export function channelPages(name: string): Array<{ platform: string; label: string; url: string }> {
  const n = encodeURIComponent(name.replace(/^@/, ''));
  return [
    { platform: 'twitch', label: 'Twitch', url: `https://www.twitch.tv/${n}` },
    { platform: 'kick', label: 'Kick', url: `https://kick.com/${n}` },
    { platform: 'youtube', label: 'YouTube', url: `https://www.youtube.com/@${n}/live` },
    { platform: 'tiktok', label: 'TikTok', url: `https://www.tiktok.com/@${n}/live` },
  ];
}

/** What platform a typed URL looks like; `origin` is this dashboard's origin (for the demo). */
export function detectPlatform(input: string, origin: string): Detection {
  const text = input.trim();
  if (!text) return { platform: null, label: '' };
  const channel = CHANNEL_NAME.exec(text);
  // A bare word is no host ("hannahsvintage" is not a site): it is a channel name, and the seller picks where.
  if (channel) return { platform: null, label: 'A channel name', channel: channel[1]!, problem: 'Which platform is this channel on?' };
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
  const site = siteForHost(url.hostname);
  return { platform: site.platform, label: site.label };
}

/** The URL as the server should get it (a bare host gets https://). */
export function normalizeUrl(input: string): string {
  const text = input.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
}
