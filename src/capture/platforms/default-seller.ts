/**
 * The host a live URL names, so a show knows its seller without configuration: on Twitch, Kick and TikTok
 * the channel in the URL is the broadcaster (twitch.tv/<name>, kick.com/<name>, tiktok.com/@<name>/live),
 * whose chat messages announce lots as a host badge does. Whatnot and YouTube URLs name a show or a video,
 * not a person: their host is known by badge only (Whatnot host/seller, YouTube owner).
 *
 * Pure: the URL in, names out. The HTTP layer uses it when start-monitoring names no `seller`.
 */
import type { Platform } from '../../domain/message.ts';
import { kickChannel } from './kick/adapter.ts';
import { kickSite } from './kick/site.ts';
import { tiktokHost } from './tiktok/adapter.ts';
import { tiktokSite } from './tiktok/site.ts';
import { twitchChannel } from './twitch/adapter.ts';
import { twitchSite } from './twitch/site.ts';

/** Kick paths that are site pages, not channels. */
const KICK_RESERVED = new Set(['categories', 'browse', 'following', 'search', 'settings', 'dashboard', 'video', 'clips']);

/** A platform login: letters, digits, `_ . -` (what the three platforms allow in a channel name). */
const LOGIN = /^[a-z0-9][a-z0-9_.-]{0,99}$/i;

/**
 * The seller names a live URL implies: the channel on Twitch, Kick and TikTok, `[]` otherwise (another
 * platform, or a URL on the platform that names no channel, or a local page given an explicit platform).
 */
export function defaultSellerFor(url: URL, platform: Platform | undefined): string[] {
  let name: string | undefined;
  if (platform === 'twitch' && twitchSite.hostPattern.test(url.hostname)) name = twitchChannel(url);
  else if (platform === 'kick' && kickSite.hostPattern.test(url.hostname)) {
    const channel = kickChannel(url);
    name = channel && !KICK_RESERVED.has(channel) ? channel : undefined;
  } else if (platform === 'tiktok' && tiktokSite.hostPattern.test(url.hostname)) name = tiktokHost(url);
  if (!name) return [];
  const clean = safeDecode(name).replace(/^@+/, '');
  return LOGIN.test(clean) ? [clean] : [];
}

/** A path segment decoded; a malformed escape (hostile URL) is kept as typed and then fails LOGIN. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
