/**
 * Who bought what, as the claims ledger says: the buyers (winners of sold lots, and live the pending
 * ones, each once with their lots and total), the viewers whose purchase intent no lot holds
 * (interested: leads, not sales, from GET /buyers), and every purchase-intent message of the chat
 * ("claims in chat", newest on top, with its CSV) so the seller sees what the ledger read. Each count
 * says what it counts; the buyers follow the lots the feed keeps from lot_update.
 */
import { useEffect, useState } from 'react';
import { json } from '../api.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { buyersCsv, csvFileName } from '../csv.ts';
import { formatTime } from '../hooks.ts';
import { buyersOf, formatCents } from '../ledger.ts';
import type { BuyersAnswer, InterestedViewer } from '../wire.ts';
import { MuteToggle } from './MuteToggle.tsx';

/** How long after a claim the interested list is read again (claims come in bursts). */
const INTERESTED_SETTLE_MS = 1_500;

/** Saves text as a file through a temporary object URL (no server round trip). */
export function download(fileName: string, text: string, type: string): void {
  // A byte-order mark makes Excel read UTF-8 (emoji, accents in names) instead of a legacy code page.
  const blob = new Blob(['\uFEFF', text], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const STATUS_WORD = { winner: 'winner', waitlist: 'waitlist', interested: 'interest' } as const;

function money(value: number | undefined): string {
  return value === undefined ? '' : `$${value.toLocaleString(undefined, { maximumFractionDigits: 2 })}`;
}

/** A claim's item, quantity, size and price in one cell ("A2 ×3 size 10 $120"); the CSV keeps them apart. */
function whatOf(b: { item?: string; quantity?: number; size?: string; price?: number }): string {
  return [b.item, b.quantity ? `×${b.quantity}` : '', b.size ? `size ${b.size}` : '', money(b.price)].filter(Boolean).join(' ');
}

/** A detail cell; empty ones show a dash in the table and disappear in the narrow card layout. */
function Cell({ label, value }: { label: string; value: string | undefined }) {
  return value ? (
    <td data-label={label}>{value}</td>
  ) : (
    <td data-label={label} className="no-value">
      —
    </td>
  );
}

/** The interested viewers of a show (GET /buyers), read again a moment after new claims arrive. */
function useInterested(sessionId: string, claims: number): InterestedViewer[] {
  const [interested, setInterested] = useState<InterestedViewer[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    // The first read at once; later ones once a burst of claims has settled.
    const timer = setTimeout(
      () => {
        json<BuyersAnswer>(`/api/sessions/${encodeURIComponent(sessionId)}/buyers`, { signal: controller.signal }).then(
          (answer) => setInterested(Array.isArray(answer.interested) ? answer.interested : []),
          () => undefined, // an older service answers without `interested`: the list stays empty
        );
      },
      claims === 0 ? 0 : INTERESTED_SETTLE_MS,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [sessionId, claims]);
  return interested;
}

export function BuyersPanel(props: {
  feed: SessionFeed;
  version: number;
  live: boolean;
  fresh: ReadonlySet<string>;
  muted: boolean;
  onMutedChange: (muted: boolean) => void;
}) {
  const { feed, live, fresh, muted, onMutedChange } = props;
  const ledger = buyersOf(feed.lots, live);
  const interested = useInterested(feed.sessionId, feed.claims);
  // A ledger buyer lights up when the claim that won them a lot has just arrived.
  const freshBuyer = (username: string): boolean =>
    feed.lots.some((l) => l.winner?.username === username && l.winner.messageId !== null && fresh.has(l.winner.messageId));
  const sold = ledger.filter((b) => b.sold > 0).length;
  const pendingOnly = ledger.length - sold;
  const buyers = feed.buyers;
  const exportCsv = (): void => {
    download(csvFileName(feed.sessionId, new Date()), buyersCsv(feed.sessionId, buyers), 'text/csv;charset=utf-8');
  };
  const newestFirst = buyers.slice(-500).reverse();
  return (
    <section className="panel buyers" aria-labelledby="buyers-title">
      <header className="panel-head">
        <h2 id="buyers-title">
          Buyers <span className="count" data-testid="buyer-count">{ledger.length}</span>
        </h2>
        <div className="panel-actions">
          <MuteToggle muted={muted} onChange={onMutedChange} label />
        </div>
      </header>
      <p className="muted small counts-line" data-testid="buyers-counts">
        {sold} bought{live ? ` · ${pendingOnly} pending` : ''} · {interested.length} interested (no lot)
      </p>
      {ledger.length === 0 ? (
        <p className="empty">No buyers yet. A viewer becomes a buyer when a lot is theirs: the first valid claim on an open lot, or the host's “sold to @name”.</p>
      ) : (
        <ul className="ledger-buyers" aria-label="Buyers by the ledger">
          {ledger.map((b) => (
            <li key={b.username} className={freshBuyer(b.username) ? 'fresh' : undefined} data-testid="ledger-buyer" data-username={b.username}>
              <span className="author">{b.username}</span>
              <span className="small">
                {b.lots.map((l) => `${l.code}${l.status === 'pending' ? ' (pending)' : ''}`).join(', ')}
              </span>
              <span className="total">{formatCents(b.totalCents)}</span>
            </li>
          ))}
        </ul>
      )}
      {interested.length > 0 && (
        <>
          <h3 className="subhead">Interested, no lot</h3>
          <ul className="interested" aria-label="Interested viewers" data-testid="interested">
            {interested.slice(0, 100).map((v) => (
              <li key={v.username} data-testid="interested-row">
                <span className="author">{v.username}</span> <span className="muted small text">{v.messages[v.messages.length - 1]?.text ?? ''}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="claims-head">
        <h3 className="subhead">
          Claims in chat <span className="count" data-testid="claims-count">{buyers.length}</span>
        </h3>
        <button type="button" className="small-button" onClick={exportCsv} disabled={buyers.length === 0} data-testid="export-csv">
          Export CSV
        </button>
      </div>
      {buyers.length === 0 ? (
        <p className="empty">No claims yet. Messages like “sold”, “mine” or “I'll take it” appear here as they are detected.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} aria-label="Buyers list">
          <table className="buyers-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Viewer</th>
                <th scope="col">Ledger</th>
                <th scope="col">What</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((b) => (
                <tr key={b.messageId} className={fresh.has(b.messageId) ? 'fresh' : undefined} data-testid="buyer-row">
                  <td data-label="Time">{formatTime(b.detectedAt)}</td>
                  <td data-label="Viewer" className="author">
                    <span className="one-line" title={b.username}>
                      {b.username}
                    </span>
                  </td>
                  <Cell label="Ledger" value={b.status ? `${STATUS_WORD[b.status]}${b.lot ? ` ${b.lot}` : ''}` : b.lot} />
                  <Cell label="What" value={whatOf(b)} />
                  <td data-label="Message" className="text">
                    {b.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {buyers.length > newestFirst.length && (
            <p className="muted small">Showing the latest {newestFirst.length}; the CSV has all {buyers.length}.</p>
          )}
        </div>
      )}
    </section>
  );
}
