/** The platform registry: detection from a URL and the adapter for a session. */
import type { Platform, SelectorSet } from '../../domain/message.ts';
import { EarshotError } from '../../errors.ts';
import { genericAdapter } from './generic.ts';
import { kick } from './kick.ts';
import { tiktok } from './tiktok.ts';
import { twitch } from './twitch.ts';
import type { PlatformAdapter } from './types.ts';
import { whatnot } from './whatnot.ts';
import { youtube } from './youtube.ts';

export const BUILTIN_ADAPTERS: readonly PlatformAdapter[] = [whatnot, youtube, twitch, kick, tiktok];

/**
 * The page to open for a URL: the adapter's lightest chat page, but only on the platform's own hosts.
 * A URL the adapter does not match (a local fixture passed with an explicit `platform`) is kept as given.
 */
export function chatPageUrl(adapter: PlatformAdapter, url: URL): string {
  return adapter.chatUrl && adapter.matches(url) ? adapter.chatUrl(url) : url.href;
}

/** The first adapter loaded from a file (DATA_DIR/adapters) that handles a URL no built-in adapter knows. */
export function findFileAdapter(adapters: readonly PlatformAdapter[], url: URL): PlatformAdapter | undefined {
  if (detectPlatform(url)) return undefined;
  return adapters.find((a) => a.matches(url));
}

/** The platform a URL belongs to, or undefined for hosts Earshot has no adapter for. */
export function detectPlatform(url: URL): Platform | undefined {
  return BUILTIN_ADAPTERS.find((a) => a.matches(url))?.platform;
}

/**
 * Picks the adapter for a session: explicit selectors win (the generic adapter, labelled with the given
 * or detected platform), then the named platform, then the URL's host.
 */
export function resolveAdapter(url: URL, options: { platform?: Platform; selectors?: SelectorSet }): PlatformAdapter {
  if (options.selectors) {
    const base = genericAdapter(options.selectors);
    return { ...base, platform: options.platform ?? detectPlatform(url) ?? 'generic' };
  }
  const wanted = options.platform ?? detectPlatform(url);
  const adapter = wanted ? BUILTIN_ADAPTERS.find((a) => a.platform === wanted) : undefined;
  if (!adapter) {
    throw new EarshotError(
      'selectors_required',
      `Earshot has no adapter for ${url.hostname}: pass selectors {container, row, author, text} or a known platform`,
      { url: url.href },
    );
  }
  return adapter;
}
