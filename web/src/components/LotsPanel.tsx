/**
 * The show's claims ledger: the lot on screen (winner, waitlist, price), every lot corrected in place
 * (winner, price, void, paid/packed/shipped), and per buyer the lots won with a total. The ledger is read
 * from GET /api/sessions/:id/lots (polled, and at once after a correction); corrections PATCH one lot.
 */
import { useState, type FormEvent } from 'react';
import { describe, json, request } from '../api.ts';
import { pickList, type LotPatch } from '../../../supabase/functions/_shared/ledger/corrections.ts';
import { usePolling } from '../hooks.ts';
import type { Lot, LotsAnswer } from '../wire.ts';
import { download } from './BuyersPanel.tsx';

type Patch = LotPatch;

function money(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `$${value.toLocaleString(undefined, { maximumFractionDigits: 2 })}`;
}

const STATUS_LABEL: Record<Lot['status'], string> = { open: 'Open', sold: 'Sold', unsold: 'No sale', void: 'Void' };

export function LotsPanel({ sessionId }: { sessionId: string }) {
  const lotsPoll = usePolling((signal) => json<LotsAnswer>(`/api/sessions/${encodeURIComponent(sessionId)}/lots`, { signal }), 2_000);
  const [error, setError] = useState<string | null>(null);
  const lots = lotsPoll.value?.sessionId === sessionId ? lotsPoll.value.lots : [];
  const current = [...lots].reverse().find((l) => l.status === 'open') ?? lots[lots.length - 1];

  const correct = async (code: string, patch: Patch): Promise<void> => {
    setError(null);
    try {
      await json(`/api/sessions/${encodeURIComponent(sessionId)}/lots/${encodeURIComponent(code)}`, { method: 'PATCH', body: patch });
    } catch (e) {
      setError(`${code}: ${describe(e)}`);
    }
    lotsPoll.refresh();
  };

  const exportCsv = async (by: 'buyer' | 'lot'): Promise<void> => {
    try {
      const res = await request(`/api/sessions/${encodeURIComponent(sessionId)}/picklist.csv?by=${by}`);
      download(`${sessionId}-${by === 'lot' ? 'lots' : 'picklist'}.csv`, await res.text(), 'text/csv;charset=utf-8');
    } catch (e) {
      setError(describe(e));
    }
  };

  const buyers = pickList(lots);
  return (
    <section className="panel lots-panel" aria-labelledby="lots-title" data-testid="lots-panel">
      <header className="panel-head">
        <h2 id="lots-title">
          Lots <span className="count" data-testid="lot-count">{lots.length}</span>
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
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {current ? <CurrentLot lot={current} onCorrect={correct} /> : <p className="empty">No lot announced yet. The host's messages with a code and a price ("A1 denim jacket $45") open lots.</p>}
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
              <LotRow key={lot.code} lot={lot} onCorrect={correct} />
            ))}
          </tbody>
        </table>
      )}
      {buyers.length > 0 && (
        <>
          <h3 className="subhead">Buyer totals</h3>
          <ul className="buyer-totals" data-testid="buyer-totals">
            {buyers.map((b) => (
              <li key={b.username} data-testid="buyer-total">
                <div className="buyer-total-head">
                  <span className="author">{b.username}</span>
                  <span className="total">{money(b.total)}</span>
                  {b.unpriced > 0 && <span className="muted small">+{b.unpriced} unpriced</span>}
                </div>
                <div className="muted small">{b.lots.map((l) => `${l.code}${l.title ? ` ${l.title}` : ''} ${money(l.price)}`).join(' · ')}</div>
                <div className="marks">
                  {(['paid', 'packed', 'shipped'] as const).map((mark) => (
                    <label key={mark} className="mark">
                      <input
                        type="checkbox"
                        checked={b[mark]}
                        onChange={(e) => {
                          const value = e.currentTarget.checked;
                          void Promise.all(b.lots.map((l) => correct(l.code, { [mark]: value })));
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

function CurrentLot({ lot, onCorrect }: { lot: Lot; onCorrect: (code: string, patch: Patch) => Promise<void> }) {
  return (
    <div className="current-lot" data-testid="current-lot">
      <div className="current-lot-head">
        <span className="lot-code">{lot.code}</span>
        <span className="lot-title">{lot.title ?? 'untitled'}</span>
        <span className="lot-price">{money(lot.price)}</span>
        <span className={`status tone-${lot.status === 'open' ? 'ok' : lot.status === 'void' ? 'bad' : 'info'}`}>{STATUS_LABEL[lot.status]}</span>
      </div>
      <p className="current-lot-winner">
        Winner: <strong data-testid="current-winner">{lot.winner?.username ?? 'nobody yet'}</strong>
        {lot.winner?.quantity ? ` ×${lot.winner.quantity}` : ''}
        {lot.winner?.size ? ` size ${lot.winner.size}` : ''}
      </p>
      {lot.waitlist.length > 0 && (
        <ol className="waitlist" aria-label="Waitlist" data-testid="waitlist">
          {lot.waitlist.map((w) => (
            <li key={w.username}>
              {w.username}{' '}
              <button type="button" className="small-button" onClick={() => void onCorrect(lot.code, { winner: w.username })}>
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
function LotRow({ lot, onCorrect }: { lot: Lot; onCorrect: (code: string, patch: Patch) => Promise<void> }) {
  const [winner, setWinner] = useState(lot.winner?.username ?? '');
  const [price, setPrice] = useState(lot.price === null ? '' : String(lot.price));
  const [editing, setEditing] = useState(false);
  // Follow the ledger unless the seller is typing.
  if (!editing) {
    const w = lot.winner?.username ?? '';
    const p = lot.price === null ? '' : String(lot.price);
    if (w !== winner) setWinner(w);
    if (p !== price) setPrice(p);
  }
  const save = (event?: FormEvent): void => {
    event?.preventDefault();
    setEditing(false);
    const patch: Patch = {};
    const w = winner.trim().replace(/^@/, '');
    if (w !== (lot.winner?.username ?? '')) patch.winner = w === '' ? null : w;
    const p = price.trim() === '' ? null : Number(price.replace(/^\$/, ''));
    if (p === null || Number.isFinite(p)) {
      if (p !== lot.price) patch.price = p;
    }
    if (Object.keys(patch).length > 0) void onCorrect(lot.code, patch);
  };
  return (
    <tr className={`lot-row status-${lot.status}`} data-testid="lot-row" data-code={lot.code}>
      <th scope="row">
        <span className="lot-code">{lot.code}</span>
        <span className="lot-title small">{lot.title ?? ''}</span>
        {lot.waitlist.length > 0 && <span className="muted small"> +{lot.waitlist.length} waiting</span>}
      </th>
      <td>
        <form onSubmit={save}>
          <input
            aria-label={`Winner of ${lot.code}`}
            value={winner}
            placeholder="—"
            onFocus={() => setEditing(true)}
            onChange={(e) => setWinner(e.currentTarget.value)}
            onBlur={() => save()}
            data-testid="lot-winner"
          />
        </form>
      </td>
      <td>
        <form onSubmit={save}>
          <input
            aria-label={`Price of ${lot.code}`}
            value={price}
            inputMode="decimal"
            placeholder="—"
            onFocus={() => setEditing(true)}
            onChange={(e) => setPrice(e.currentTarget.value)}
            onBlur={() => save()}
            data-testid="lot-price"
          />
        </form>
      </td>
      <td>
        <span className="lot-status">{STATUS_LABEL[lot.status]}</span>{' '}
        <button
          type="button"
          className="small-button"
          onClick={() => void onCorrect(lot.code, { void: lot.status !== 'void' })}
          data-testid="lot-void"
        >
          {lot.status === 'void' ? 'Restore' : 'Void'}
        </button>
      </td>
    </tr>
  );
}
