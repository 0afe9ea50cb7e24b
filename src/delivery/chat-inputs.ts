/**
 * Where a person types in each platform's chat. The selectors are platform facts and live in each
 * platform's folder (src/capture/platforms/<name>/site.ts, `chatInput`); facts in docs/PLATFORMS.md.
 */
import type { Platform } from '../domain/message.ts';
import { PLATFORM_SITES } from '../capture/platforms/registry.ts';

/** The chat input selector of a platform, if one is known; without one, replies stay suggestions. */
export function chatInputSelector(platform: Platform): string | undefined {
  const site = PLATFORM_SITES.find((s) => s.platform === platform);
  return site && 'chatInput' in site ? site.chatInput : undefined;
}
