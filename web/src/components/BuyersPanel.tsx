/** Every captured buyer of a session (the pick list), newest on top, with CSV export and the mute toggle. */
import type { SessionFeed } from '../feed/session-feed.ts';
import { buyersCsv, csvFileName } from '../csv.ts';
import { formatTime } from '../hooks.ts';
import { MuteToggle } from './MuteToggle.tsx';

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

function money(value: number | undefined): string {
  return value === undefined ? '' : `$${value.toLocaleString(undefined, { maximumFractionDigits: 2 })}`;
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

export function BuyersPanel(props: {
  feed: SessionFeed;
  version: number;
  fresh: ReadonlySet<string>;
  muted: boolean;
  onMutedChange: (muted: boolean) => void;
}) {
  const { feed, fresh, muted, onMutedChange } = props;
  const buyers = feed.buyers;
  const exportCsv = (): void => {
    download(csvFileName(feed.sessionId, new Date()), buyersCsv(feed.sessionId, buyers), 'text/csv;charset=utf-8');
  };
  const newestFirst = buyers.slice(-500).reverse();
  return (
    <section className="panel buyers" aria-labelledby="buyers-title">
      <header className="panel-head">
        <h2 id="buyers-title">
          Buyers <span className="count" data-testid="buyer-count">{buyers.length}</span>
        </h2>
        <div className="panel-actions">
          <MuteToggle muted={muted} onChange={onMutedChange} label />
          <button type="button" onClick={exportCsv} disabled={buyers.length === 0} data-testid="export-csv">
            Export CSV
          </button>
        </div>
      </header>
      {buyers.length === 0 ? (
        <p className="empty">No buyers yet. Claims like “sold”, “mine” or “I'll take it” appear here as they are detected.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} aria-label="Buyers list">
          <table className="buyers-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Buyer</th>
                <th scope="col">Item</th>
                <th scope="col">Qty</th>
                <th scope="col">Price</th>
                <th scope="col">Size</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((b) => (
                <tr key={b.messageId} className={fresh.has(b.messageId) ? 'fresh' : undefined} data-testid="buyer-row">
                  <td data-label="Time">{formatTime(b.detectedAt)}</td>
                  <td data-label="Buyer" className="author">
                    {b.username}
                  </td>
                  <Cell label="Item" value={b.item} />
                  <Cell label="Qty" value={b.quantity?.toString()} />
                  <Cell label="Price" value={money(b.price)} />
                  <Cell label="Size" value={b.size} />
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
