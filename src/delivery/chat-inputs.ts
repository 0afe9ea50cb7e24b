/**
 * Where a person types in each platform's chat (data, like the capture adapters' selectors; facts in
 * shared/PLATFORMS.md). Platforms without an entry keep replies as suggestions: YouTube replies go
 * through the Data API instead, TikTok's input is not known well enough to type into.
 */
import type { Platform } from '../domain/message.ts';

export const CHAT_INPUTS: Partial<Record<Platform, string>> = {
  whatnot: "[data-testid='chat-input']",
  twitch: "[data-a-target='chat-input']",
  kick: '#message-input',
};

/** The chat input selector of a platform, if one is known. */
export function chatInputSelector(platform: Platform): string | undefined {
  return CHAT_INPUTS[platform];
}
