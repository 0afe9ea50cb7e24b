/**
 * Which show the dashboard has on screen. Pure, so the rule is tested without a browser.
 *
 * The sessions list is polled; a show the seller has just started is selected at once, before the next
 * poll lists it. Until that poll comes back the list is stale and does not hold the new show, and it
 * must not be read as "the selection is gone": that is how starting the demo again snapped back to the
 * stopped show. So a just-started show stays selected until a list holds it, and only then is the
 * ordinary rule (keep what is selected while it is listed, else the newest running show, else the
 * newest) back in charge.
 */
export interface SelectionInput {
  /** The listed sessions, newest first. */
  sessions: readonly { sessionId: string; running: boolean }[];
  /** Whether any list has come back yet (before the first, nothing is known). */
  listed: boolean;
  selectedId: string | null;
  /** The show started from this dashboard and not yet seen in a list, if any. */
  pendingId: string | null;
}

export interface Selection {
  selectedId: string | null;
  pendingId: string | null;
}

export function chooseSelection(input: SelectionInput): Selection {
  const { sessions, listed, selectedId, pendingId } = input;
  const listedIds = new Set(sessions.map((s) => s.sessionId));
  // The started show has reached a list: it is an ordinary selection from now on.
  const pending = pendingId !== null && !listedIds.has(pendingId) ? pendingId : null;
  if (pending !== null) return { selectedId: pending, pendingId: pending };
  if (selectedId !== null && listedIds.has(selectedId)) return { selectedId, pendingId: null };
  // Something is selected but no list has come back yet: keep it until one does.
  if (selectedId !== null && !listed) return { selectedId, pendingId: null };
  const pick = sessions.find((s) => s.running) ?? sessions[0];
  return { selectedId: pick ? pick.sessionId : selectedId, pendingId: null };
}
