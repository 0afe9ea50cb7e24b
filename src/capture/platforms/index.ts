/** Detection from a URL and the adapter for a session, over the platforms listed in ./registry.ts. */
import type { Platform, SelectorSet } from '../../domain/message.ts';
import { EarshotError } from '../../errors.ts';
import { genericAdapter } from './generic/adapter.ts';
import { kick } from './kick/adapter.ts';
import { PLATFORM_SITES } from './registry.ts';
import { tiktok } from './tiktok/adapter.ts';
import { twitch } from './twitch/adapter.ts';
import type { PlatformAdapter } from './types.ts';
import { whatnot } from './whatnot/adapter.ts';
import { youtube } from './youtube/adapter.ts';

/**
 * Each registered platform's capture adapter. Typed by the registry, so a platform listed there without
 * an adapter here does not compile; `generic` is built per session from the request's selectors.
 */
const ADAPTERS: { readonly [P in Exclude<Platform, 'generic'>]: PlatformAdapter } = {
  whatnot,
  youtube,
  twitch,
  kick,
  tiktok,
};

/** The built-in adapters in the registry's detection order. */
export const BUILTIN_ADAPTERS: readonly PlatformAdapter[] = PLATFORM_SITES.flatMap((site) =>
  site.platform === 'generic' ? [] : [ADAPTERS[site.platform]],
);

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
