/**
 * The platforms Earshot knows: the one list. Adding a platform is a folder beside this file and its line
 * here; the compiler then asks for the name in the domain's PLATFORMS (src/domain imports nothing from
 * the rest of src, so it cannot read this list) and for the adapter in ./index.ts. The dashboard and
 * reply delivery read the sites from here.
 *
 * Pure data (each site.ts imports nothing at run time), so the dashboard can import it without pulling
 * in capture code.
 */
import type { Platform } from '../../domain/message.ts';
import { genericSite } from './generic/site.ts';
import { kickSite } from './kick/site.ts';
import { tiktokSite } from './tiktok/site.ts';
import { twitchSite } from './twitch/site.ts';
import { whatnotSite } from './whatnot/site.ts';
import { youtubeSite } from './youtube/site.ts';

/** In detection order; `generic` last (it matches no host). */
export const PLATFORM_SITES = [whatnotSite, youtubeSite, twitchSite, kickSite, tiktokSite, genericSite] as const;

/** A platform's stable name, as stored with messages and sessions. */
export type PlatformName = (typeof PLATFORM_SITES)[number]['platform'];

/** True only when both sides name the same platforms. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A compile error here means the registry and the domain's PLATFORMS disagree: add or remove the name there. */
export const REGISTRY_MATCHES_DOMAIN: SameNames<PlatformName, Platform> = true;

/** The site a hostname belongs to; `generic` for hosts no platform claims. */
export function siteForHost(hostname: string): (typeof PLATFORM_SITES)[number] {
  return PLATFORM_SITES.find((site) => 'hostPattern' in site && site.hostPattern.test(hostname)) ?? genericSite;
}
