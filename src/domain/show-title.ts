/**
 * A show's title: what the page calls it (its document title), or what the seller named it. Page titles
 * are page text, so hostile: cleaned like chat text (no control characters, no lone surrogates, one
 * line) and capped. The platform's own name at the end ("... - YouTube") and YouTube's unread count at
 * the start ("(3) ...") say nothing about the show and go.
 */
import { sanitizeText } from '../../supabase/functions/_shared/text.ts';

/** At most this many code units, like a chat author's name is capped (a list shows it on one line). */
export const MAX_TITLE_LENGTH = 200;

const PLATFORM_SUFFIX = /\s*[-|\u2013\u2014\u00b7\u2022]\s*(?:YouTube|Whatnot|Twitch|Kick|TikTok(?: LIVE)?)\s*$/i;
const UNREAD_COUNT = /^\(\d{1,4}\+?\)\s+/;

/** The title to show, or undefined when nothing is left of it. */
export function cleanTitle(raw: unknown): string | undefined {
  // Cleaned at a generous length first, so the suffix is found before the cap cuts it off.
  const text = sanitizeText(raw, MAX_TITLE_LENGTH * 4)
    .replace(UNREAD_COUNT, '')
    .replace(PLATFORM_SUFFIX, '');
  const title = sanitizeText(text, MAX_TITLE_LENGTH);
  return title === '' ? undefined : title;
}
