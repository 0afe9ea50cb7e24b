/**
 * A show's message rate as the health bar says it. While the show runs it is the last minute's count
 * (the feed counts it); once it has stopped, a last-minute count only decays towards 0 and reads as if
 * the show were still live, so a stopped show gets its average over the time it had chat instead.
 */
export function averagePerMinute(messageCount: number, startedAt: string, lastMessageAt: string | null): number | null {
  if (messageCount <= 0 || lastMessageAt === null) return null;
  const minutes = (Date.parse(lastMessageAt) - Date.parse(startedAt)) / 60_000;
  if (!Number.isFinite(minutes)) return null;
  // A show with under a minute of chat: its count is its rate for that minute.
  return Math.round(messageCount / Math.max(1, minutes));
}
