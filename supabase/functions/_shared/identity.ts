/**
 * A chat message's identity, decided in one place: which id a captured message carries, when two
 * captures are the same message, and the key it is stored under.
 *
 * - A message the platform names (a YouTube or Kick message id, a DOM row's id attribute) carries that
 *   id, cleaned (`platformId`).
 * - A row without one (Whatnot, Twitch and Kick DOM rows) is named by its position in the session's
 *   stream: `<runPrefix>-<position>` (`positionalId`). The in-page agent decides the positions
 *   (agent/page/alignment.ts); the prefix is minted once per run of a session (`runPrefix`), so a
 *   restarted show never reuses an id, and a resumed source keeps the prefix it saved.
 * - The network and DOM paths of one session meet on the same message by id, or without ids by author
 *   and text (`contentKey`, derived from the agent's exact `contentSignature`).
 * - The store keeps one row per (session, `messageKey`).
 *
 * Pure and dependency-free: loaded by the Node service and by Deno (the edge functions).
 */
import { MAX_ID_LENGTH, sanitizeText } from './text.ts';

/**
 * Any identifier a platform hands us (a message, show or channel id): control characters removed,
 * whitespace collapsed and trimmed, at most MAX_ID_LENGTH characters; '' when there is no usable id.
 * Ids are hostile input like chat text, and an over-long one would be refused by the store.
 */
export function platformId(raw: unknown): string {
  return sanitizeText(raw, MAX_ID_LENGTH);
}

/**
 * The prefix of one run's stream-position ids: the start time in base 36, then `r<run>` from the second
 * run of a session on (a show started again). Base 36 keeps ids short in storage and on the dashboard.
 */
export function runPrefix(nowMs: number, run: number): string {
  return `${nowMs.toString(36)}${run > 1 ? `r${run}` : ''}`;
}

/** The id of the row at stream position `pos` (rows without a platform id). */
export function positionalId(prefix: string, pos: number): string {
  return `${prefix}-${pos}`;
}

/** The stream position a positional id of this prefix names; undefined for any other id. */
export function positionOf(id: string, prefix: string): number | undefined {
  if (id.length <= prefix.length + 1 || !id.startsWith(prefix) || id.charCodeAt(prefix.length) !== 45 /* - */) return undefined;
  const digits = id.slice(prefix.length + 1);
  // Only the form positionalId writes: a platform id that happens to start with the prefix is not a position.
  if (!/^(0|[1-9]\d*)$/.test(digits)) return undefined;
  const pos = Number(digits);
  return Number.isSafeInteger(pos) ? pos : undefined;
}

/** Whether `id` is a stream-position id of this prefix (not a platform id). */
export function isPositional(id: string, prefix: string): boolean {
  return positionOf(id, prefix) !== undefined;
}

/**
 * A row's exact content: author and text, as the in-page agent reads them. The agent aligns the visible
 * rows with the stream by it (agent/page/read-row.ts keeps its own copy, since the page bundle may import
 * only its own folder; a unit test proves the two agree). Saved stream tails hold these, so the form must
 * not change.
 */
export function contentSignature(authorName: string, text: string): string {
  return authorName + '\u0000' + text;
}

/**
 * The key two capture paths agree on for one message when ids do not match (a network frame with the
 * platform id, a DOM row with a position): author and text, case and spacing ignored, since the page and
 * the frame may differ in both.
 */
export function contentKey(authorName: string, text: string): string {
  return contentSignature(authorName, text).toLowerCase().replace(/\s+/g, '');
}

/** The key the store keeps one message of a session under (chat_messages.message_key). */
export function messageKey(message: { id: string }): string {
  return message.id;
}
