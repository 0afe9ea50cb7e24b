/**
 * Chat text is hostile input: the caps on what is kept, and the one sanitizer every captured and every
 * stored text field goes through (the service's capture, the edge function's validation in contract.ts).
 * Dependency-free, so pure modules (identity, the domain types) can use it without loading zod: loaded by
 * Node and by Deno.
 */

/** Longest chat text kept; longer text is cut (capture and storage use the same cap). */
export const MAX_TEXT_LENGTH = 2_000;
/** Longest author name kept. */
export const MAX_AUTHOR_LENGTH = 200;
/** Longest message key / session id. */
export const MAX_ID_LENGTH = 200;
/** Most messages one batch may carry. */
export const MAX_BATCH_MESSAGES = 1_000;

/**
 * Drops control characters (common whitespace aside), collapses whitespace, trims and caps length.
 * Anything but a string is ''.
 */
export function sanitizeText(value: unknown, max: number = MAX_TEXT_LENGTH): string {
  if (typeof value !== 'string') return '';
  // Control characters never reach storage or dashboards.
  // eslint-disable-next-line no-control-regex
  const cleaned = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').replace(/\s+/g, ' ').trim();
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}
