/**
 * The show's claims ledger: what it counts (sold, pending, revenue from sold lots only), the lot on
 * screen (winner, waitlist, price), every lot corrected in place (winner, price, void, undo, history) and
 * per buyer the lots they hold with their marks. The lots are read once (GET /lots) and then follow
 * `lot_update` over /ws, so a correction made on another screen shows here at once. A correction names
 * the lot's version; a lot changed meanwhile (chat, another screen) is refused with 409 lot_changed,
 * and the panel shows the lot as it is now and says so.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, describe, json, request } from '../api.ts';
import type { LiveClient } from '../feed/client.ts';
import type { SessionFeed } from '../feed/session-feed.ts';
import { formatTime } from '../hooks.ts';
import { buyersOf, countsOf, describeChange, formatCents, parsePriceCents, salesLine } from '../ledger.ts';
import type { Lot, LotAnswer, LotHistoryAnswer, LotHistoryEntry } from '../wire.ts';
import { download } from './BuyersPanel.tsx';

/** What a correction may change (the contract's LotPatchBody, version added by the panel). */
export interface LotChange {
  winner?: string | null;
  priceCents?: number | null;
  void?: boolean;
  paid?: boolean;
  packed?: boolean;
  shipped?: boolean;
}

type Correct = (lot: Lot, change: LotChange) => Promise<void>;
type Undo = (lot: Lot) => Promise<void>;

const STATUS_LABEL: Record<Lot['status'], string> = { open: 'Open', sold: 'Sold', unsold: 'No sale', void: 'Void' };

function lotUrl(sessionId: string, code: string, rest = ''): string {
  return `/api/sessions/${encodeURIComponent(sessionId)}/lots/${encodeURIComponent(code)}${rest}`;
}

export function LotsPanel({ client, feed, live }: { client: LiveClient; feed: SessionFeed; version: number; live: boolean }) {
  const { sessionId } = feed;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    client.loadLots(sessionId, controller.signal).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(describe(e));
    });
    return () => controller.abort();
  }, [client, sessionId]);

  const lots = feed.lots;
  const counts = countsOf(lots, live);
  const current = [...lots].reverse().find((l) => l.status === 'open') ?? lots[lots.length - 1];

  /** Takes a lot the service answered with into the feed (the lot_update may come before or after). */
  const take = (lot: Lot): void => {
    feed.applyLots([lot], 'answer');
    client.store.changed();
  };

  /** A refused correction: a stale one shows the lot as it is now and says so; others say why. */
  const refused = (lot: Lot, e: unknown): void => {
    if (e instanceof ApiError && e.code === 'lot_changed') {
      const now = e.details.lot as Lot | undefined;
      if (now) take(now);
      else void client.loadLots(sessionId).catch(() => undefined);
      setNotice(`${lot.code} changed meanwhile (chat or another screen). It now shows as it is: check it and correct again if needed.`);
      return;
    }
    setError(`${lot.code}: ${describe(e)}`);
  };

  // This screen's own corrections of one lot go one after another. A correction names the version the
  // row showed; when the only change since is this screen's own last correction (the row has not yet
  // re-rendered with its answer), it names the version that answer produced instead, so a seller who
  // fixes the price and then the winner is not refused by their own first edit. Any other change
  // meanwhile (chat, another screen) is still refused with 409.
  const queued = useRef(new Map<string, Promise<void>>());
  const produced = useRef(new Map<string, { seen: number; version: number }>());
  const correct: Correct = (lot, change) => {
    setError(null);
    setNotice(null);
    const send = async (): Promise<void> => {
      const own = produced.current.get(lot.code);
      const version = own && (lot.version === own.seen || lot.version === own.version) ? own.version : lot.version;
      try {
        const answer = await json<LotAnswer>(lotUrl(sessionId, lot.code), { method: 'PATCH', body: { ...change, version } });
        produced.current.set(lot.code, { seen: own && version === own.version ? own.seen : lot.version, version: answer.lot.version });
        take(answer.lot);
      } catch (e) {
        refused(lot, e);
      }
    };
    const next = (queued.current.get(lot.code) ?? Promise.resolve()).then(send);
    queued.current.set(lot.code, next);
    return next;
  };

  const undo: Undo = async (lot) => {
    setError(null);
    setNotice(null);
    try {
      const answer = await json<LotAnswer>(lotUrl(sessionId, lot.code, '/undo'), { method: 'POST', body: {} });
      take(answer.lot);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'nothing_to_undo' || e.status === 404)) setNotice(`${lot.code}: nothing to undo.`);
      else refused(lot, e);
    }
  };

  const exportCsv = async (by: 'buyer' | 'lot'): Promise<void> => {
    try {
      const res = await request(`/api/sessions/${encodeURIComponent(sessionId)}/picklist.csv?by=${by}`);
      download(`${sessionId}-${by === 'lot' ? 'lots' : 'picklist'}.csv`, await res.text(), 'text/csv;charset=utf-8');
    } catch (e) {
      setError(describe(e));
    }
  };

  const buyers = buyersOf(lots, live);
  const byCode = new Map(lots.map((l) => [l.code, l]));
  return (
    <section className="panel lots-panel" aria-labelledby="lots-title" data-testid="lots-panel">
      <header className="panel-head">
        <h2 id="lots-title">
          Lots <span className="count" data-testid="lot-count">{counts.lots}</span>
        </h2>
        <div className="panel-actions">
          <button type="button" onClick={() => void exportCsv('buyer')} disabled={buyers.length === 0} data-testid="picklist-csv">
            Pick list CSV
          </button>
          <button type="button" onClick={() => void exportCsv('lot')} disabled={lots.length === 0}>
            Lots CSV
          </button>
        </div>
      </header>
      {lots.length > 0 && (
        <dl className="sales-summary" data-testid="lots-summary" aria-label="What the ledger counts">
          <div>
            <dt>Sold</dt>
            <dd data-testid="summary-sold">{counts.sold}</dd>
          </div>
          <div>
            <dt>Revenue</dt>
            <dd data-testid="summary-revenue">{formatCents(counts.revenueCents)}</dd>
          </div>
          <div>
            <dt>Buyers</dt>
            <dd data-testid="summary-buyers">{counts.buyers}</dd>
          </div>
          {live && (
            <div className="pending">
              <dt>Pending</dt>
              <dd data-testid="summary-pending">
                {counts.pending} · {formatCents(counts.pendingCents)}
              </dd>
            </div>
          )}
        </dl>
      )}
      {notice && (
        <p className="inline-notice" role="status" data-testid="lots-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {current ? (
        <CurrentLot lot={current} onCorrect={correct} />
      ) : (
        <p className="empty">No lot announced yet. The host's messages with a code and a price ("A1 denim jacket $45") open lots.</p>
      )}
      {lots.length > 0 && (
        <table className="lots-table" data-testid="lots-table">
          <thead>
            <tr>
              <th scope="col">Lot</th>
              <th scope="col">Winner</th>
              <th scope="col">Price</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {[...lots].reverse().map((lot) => (
              <LotRow key={lot.code} sessionId={sessionId} lot={lot} live={live} onCorrect={correct} onUndo={undo} />
            ))}
          </tbody>
        </table>
      )}
      {buyers.length > 0 && (
        <>
          <h3 className="subhead">Buyer totals</h3>
          <p className="muted small" data-testid="lots-sales-line">
            {salesLine(counts)}
          </p>
          <ul className="buyer-totals" data-testid="buyer-totals">
            {buyers.map((b) => (
              <li key={b.username} data-testid="buyer-total">
                <div className="buyer-total-head">
                  <span className="author">{b.username}</span>
                  <span className="total">{formatCents(b.totalCents)}</span>
                  {b.pending > 0 && <span className="muted small">{b.pending} pending</span>}
                </div>
                <div className="muted small">
                  {b.lots.map((l) => `${l.code}${l.title ? ` ${l.title}` : ''} ${formatCents(l.priceCents)}${l.status === 'pending' ? ' (pending)' : ''}`).join(' · ')}
                </div>
                <div className="marks">
                  {(['paid', 'packed', 'shipped'] as const).map((mark) => (
                    <label key={mark} className="mark">
                      <input
                        type="checkbox"
                        checked={b[mark]}
                        onChange={(e) => {
                          const value = e.currentTarget.checked;
                          const held = b.lots.map((l) => byCode.get(l.code)).filter((l): l is Lot => l !== undefined);
                          void Promise.all(held.map((l) => correct(l, { [mark]: value })));
                        }}
                      />{' '}
                      {mark}
                    </label>
                  ))}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function CurrentLot({ lot, onCorrect }: { lot: Lot; onCorrect: Correct }) {
  return (
    <div className="current-lot" data-testid="current-lot">
      <div className="current-lot-head">
        <span className="lot-code">{lot.code}</span>
        <span className="lot-title">{lot.title ?? 'untitled'}</span>
        <span className="lot-price">{formatCents(lot.priceCents)}</span>
        <span className={`status tone-${lot.status === 'open' ? 'ok' : lot.status === 'void' ? 'bad' : 'info'}`}>{STATUS_LABEL[lot.status]}</span>
      </div>
      <p className="current-lot-winner">
        Winner: <strong data-testid="current-winner">{lot.winner?.username ?? 'nobody yet'}</strong>
        {lot.winner?.quantity ? ` ×${lot.winner.quantity}` : ''}
        {lot.winner?.size ? ` size ${lot.winner.size}` : ''}
        {lot.auction?.open ? ` · bidding, high bid ${formatCents(lot.auction.highBidCents)} (${lot.auction.bids} bids)` : ''}
      </p>
      {lot.waitlist.length > 0 && (
        <ol className="waitlist" aria-label="Waitlist" data-testid="waitlist">
          {lot.waitlist.map((w) => (
            <li key={w.username}>
              {w.username}{' '}
              <button type="button" className="small-button" onClick={() => void onCorrect(lot, { winner: w.username })}>
                Make winner
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** One lot, corrected in place: winner and price are inputs (saved on Enter or leaving the field). */
function LotRow({ sessionId, lot, live, onCorrect, onUndo }: { sessionId: string; lot: Lot; live: boolean; onCorrect: Correct; onUndo: Undo }) {
  const priceText = (cents: number | null): string => (cents === null ? '' : String(cents / 100));
  const [winner, setWinner] = useState(lot.winner?.username ?? '');
  const [price, setPrice] = useState(priceText(lot.priceCents));
  // The field the seller is typing in; the other follows the ledger. A save sends only that field, so a
  // row that has not yet re-rendered with an earlier answer never sends a stale value back.
  const [editing, setEditing] = useState<'winner' | 'price' | null>(null);
  const [history, setHistory] = useState<LotHistoryEntry[] | string | null>(null);
  const w0 = lot.winner?.username ?? '';
  const p0 = priceText(lot.priceCents);
  if (editing !== 'winner' && w0 !== winner) setWinner(w0);
  if (editing !== 'price' && p0 !== price) setPrice(p0);
  const save = (field: 'winner' | 'price', event?: FormEvent): void => {
    event?.preventDefault();
    setEditing(null);
    const change: LotChange = {};
    if (field === 'winner') {
      const w = winner.trim().replace(/^@/, '');
      if (w !== w0) change.winner = w === '' ? null : w;
    } else {
      const cents = parsePriceCents(price);
      if (cents !== undefined && cents !== lot.priceCents) change.priceCents = cents;
    }
    if (Object.keys(change).length > 0) void onCorrect(lot, change);
  };
  const toggleHistory = async (): Promise<void> => {
    if (history !== null) {
      setHistory(null);
      return;
    }
    try {
      setHistory((await json<LotHistoryAnswer>(lotUrl(sessionId, lot.code, '/history'))).history);
    } catch (e) {
      setHistory(describe(e));
    }
  };
  const state = live && lot.status === 'open' && lot.winner ? 'Pending' : STATUS_LABEL[lot.status];
  return (
    <>
      <tr className={`lot-row status-${lot.status}`} data-testid="lot-row" data-code={lot.code} data-version={lot.version}>
        <th scope="row">
          <span className="lot-code">{lot.code}</span>
          <span className="lot-title small">{lot.title ?? ''}</span>
          {lot.waitlist.length > 0 && <span className="muted small"> +{lot.waitlist.length} waiting</span>}
        </th>
        <td>
          <form onSubmit={(e) => save('winner', e)}>
            <input
              aria-label={`Winner of ${lot.code}`}
              value={winner}
              placeholder="—"
              onFocus={() => setEditing('winner')}
              onChange={(e) => setWinner(e.currentTarget.value)}
              onBlur={() => save('winner')}
              data-testid="lot-winner"
            />
          </form>
        </td>
        <td>
          <form onSubmit={(e) => save('price', e)}>
            <input
              aria-label={`Price of ${lot.code}`}
              value={price}
              inputMode="decimal"
              placeholder="—"
              onFocus={() => setEditing('price')}
              onChange={(e) => setPrice(e.currentTarget.value)}
              onBlur={() => save('price')}
              data-testid="lot-price"
            />
          </form>
        </td>
        <td>
          <span className="lot-status" data-testid="lot-status">
            {state}
          </span>
        </td>
      </tr>
      <tr className="lot-actions-row" data-code={lot.code}>
        <td colSpan={4}>
          <span className="lot-actions">
            <button
              type="button"
              className="small-button"
              onClick={() => void onCorrect(lot, { void: lot.status !== 'void' })}
              data-testid="lot-void"
            >
              {lot.status === 'void' ? 'Restore' : 'Void'}
            </button>
            <button type="button" className="small-button" onClick={() => void onUndo(lot)} data-testid="lot-undo" title="Undo the last correction">
              Undo
            </button>
            <button
              type="button"
              className="small-button"
              aria-expanded={history !== null}
              onClick={() => void toggleHistory()}
              data-testid="lot-history-toggle"
            >
              History
            </button>
          </span>
        </td>
      </tr>
      {history !== null && (
        <tr className="lot-history-row">
          <td colSpan={4}>
            {typeof history === 'string' ? (
              <p className="inline-error">{history}</p>
            ) : history.length === 0 ? (
              <p className="muted small">No changes recorded.</p>
            ) : (
              <ol className="lot-history" data-testid="lot-history" aria-label={`History of ${lot.code}`}>
                {history.map((h, i) => (
                  <li key={i}>
                    <span className="muted small">{formatTime(h.at)}</span>{' '}
                    <span className="small">{h.by.kind === 'message' ? h.by.username : 'seller'}</span>{' '}
                    <span className="small">{h.action}:</span> <span className="small">{describeChange(h.before, h.after)}</span>
                    {h.reason ? <span className="muted small"> ({h.reason})</span> : null}
                  </li>
                ))}
              </ol>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
