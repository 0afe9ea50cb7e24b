/**
 * Past shows (stopped or ended sessions) with their totals from the ledger: lots sold, buyers, revenue
 * from sold lots only, counted by the service's own summarizeLots over the show's lots (a show is over,
 * so an open lot counts as its settlement closes it).
 */
import { useEffect, useState } from 'react';
import { json } from '../api.ts';
import { countsOf, salesLine, type SalesSummary } from '../ledger.ts';
import type { LotsAnswer, SessionInfo } from '../wire.ts';
import { isRunning, titleOf } from './SessionList.tsx';

/** At most this many past shows are listed (newest first). */
const MAX_PAST = 10;

export function PastShows({ sessions, selectedId, onSelect }: { sessions: SessionInfo[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const past = sessions.filter((s) => !isRunning(s.status)).slice(0, MAX_PAST);
  const [totals, setTotals] = useState<Record<string, SalesSummary>>({});
  const key = past.map((s) => `${s.sessionId}:${s.status}`).join(',');
  useEffect(() => {
    const controller = new AbortController();
    for (const s of past) {
      json<LotsAnswer>(`/api/sessions/${encodeURIComponent(s.sessionId)}/lots`, { signal: controller.signal }).then(
        (answer) => setTotals((t) => ({ ...t, [s.sessionId]: countsOf(answer.lots, false) })),
        () => undefined, // a show without a ledger just shows no totals
      );
    }
    return () => controller.abort();
    // `key` names the past shows and their statuses: totals are fetched again only when those change.
  }, [key]);
  if (past.length === 0) return null;
  return (
    <>
      <h2 className="col-title">Past shows</h2>
      <ul className="past-shows" data-testid="past-shows">
        {past.map((s) => {
          const t = totals[s.sessionId];
          return (
            <li key={s.sessionId} className={s.sessionId === selectedId ? 'selected' : undefined}>
              <button
                type="button"
                className="past-show"
                onClick={() => onSelect(s.sessionId)}
                aria-current={s.sessionId === selectedId ? 'true' : undefined}
                data-session-id={s.sessionId}
                title={s.sessionId}
              >
                <span className="past-show-title">
                  <span className={`platform platform-${s.platform}`}>{s.platform}</span> {titleOf(s)}
                </span>
                <span className="muted small">{when(s.startedAt)}</span>
                <span className="small" data-testid="past-show-totals">
                  {t ? salesLine(t) : `${s.buyerCount} buyers`}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** When a past show started, as the seller's locale writes a date and a time ("Dec 7, 9:41 PM"). */
function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}
