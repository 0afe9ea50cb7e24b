/**
 * The seller's corrections to a lot (dashboard or API) and the pick list built from the ledger.
 * Pure and dependency-free (Node and Deno); the HTTP layer validates the patch with zod first.
 */
import { assignWinner, type Lot, type LotClaim } from './rules.ts';

/** What a correction may change; omitted fields stay. */
export interface LotPatch {
  /** The winner's username, or null for none. */
  winner?: string | null;
  /** The waitlist in order (usernames). */
  waitlist?: string[];
  price?: number | null;
  title?: string | null;
  /** true voids the lot; false restores it. */
  void?: boolean;
  paid?: boolean;
  packed?: boolean;
  shipped?: boolean;
}

/** Applies a correction; returns a new lot (the one passed in is not modified). */
export function applyCorrection(lot: Lot, patch: LotPatch, now: string): Lot {
  const next: Lot = { ...lot, winner: lot.winner ? { ...lot.winner } : null, waitlist: lot.waitlist.map((w) => ({ ...w })) };
  const known = [...(next.winner ? [next.winner] : []), ...next.waitlist];
  if (patch.winner !== undefined) {
    if (patch.winner === null) {
      next.winner = null;
    } else {
      assignWinner(next, patch.winner, { messageId: null, at: now });
    }
  }
  if (patch.waitlist !== undefined) {
    const winner = next.winner;
    const seen = new Set<string>();
    next.waitlist = patch.waitlist
      .map((u) => u.replace(/^@/, ''))
      .filter((u) => {
        const k = u.toLowerCase();
        if (seen.has(k) || (winner && winner.username.toLowerCase() === k)) return false;
        seen.add(k);
        return true;
      })
      // A viewer's own claim stays their evidence; a name the seller typed has none.
      .map((u): LotClaim => known.find((c) => c.username.toLowerCase() === u.toLowerCase()) ?? { username: u, messageId: null, at: now });
  }
  if (patch.price !== undefined) next.price = patch.price;
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.paid !== undefined) next.paid = patch.paid;
  if (patch.packed !== undefined) next.packed = patch.packed;
  if (patch.shipped !== undefined) next.shipped = patch.shipped;
  if (patch.void === true) next.status = 'void';
  else if (patch.void === false && next.status === 'void') next.status = next.winner ? 'sold' : 'unsold';
  else if (next.status === 'sold' && !next.winner) next.status = 'unsold';
  else if (next.status === 'unsold' && next.winner) next.status = 'sold';
  return next;
}

/** One buyer's lots and what they owe. */
export interface PickListBuyer {
  username: string;
  lots: Array<Pick<Lot, 'code' | 'title' | 'price' | 'paid' | 'packed' | 'shipped'>>;
  /** Sum of the known prices. */
  total: number;
  /** Lots won without a price yet (the total leaves them out). */
  unpriced: number;
  paid: boolean;
  packed: boolean;
  shipped: boolean;
}

/** Per buyer, the lots won (not voided) with prices and a total; buyers by name. */
export function pickList(lots: readonly Lot[]): PickListBuyer[] {
  const byBuyer = new Map<string, PickListBuyer>();
  for (const lot of lots) {
    if (!lot.winner || lot.status === 'void') continue;
    const key = lot.winner.username.toLowerCase();
    let buyer = byBuyer.get(key);
    if (!buyer) {
      buyer = { username: lot.winner.username, lots: [], total: 0, unpriced: 0, paid: true, packed: true, shipped: true };
      byBuyer.set(key, buyer);
    }
    buyer.lots.push({ code: lot.code, title: lot.title, price: lot.price, paid: lot.paid, packed: lot.packed, shipped: lot.shipped });
    if (lot.price === null) buyer.unpriced++;
    else buyer.total = Math.round((buyer.total + lot.price) * 100) / 100;
    buyer.paid &&= lot.paid;
    buyer.packed &&= lot.packed;
    buyer.shipped &&= lot.shipped;
  }
  return [...byBuyer.values()].sort((a, b) => a.username.localeCompare(b.username));
}

/** A CSV cell: quoted, and a leading = + - @ neutralized (chat text must not become a spreadsheet formula). */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r']/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(rows: Array<Array<string | number | boolean | null | undefined>>): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The pick list as CSV, one row per lot won, grouped by buyer, with a total row per buyer. */
export function pickListCsv(lots: readonly Lot[]): string {
  const rows: Array<Array<string | number | boolean | null>> = [['buyer', 'lot', 'title', 'price', 'paid', 'packed', 'shipped']];
  for (const buyer of pickList(lots)) {
    for (const lot of buyer.lots) rows.push([buyer.username, lot.code, lot.title, lot.price, lot.paid, lot.packed, lot.shipped]);
    rows.push([buyer.username, 'TOTAL', null, buyer.total, buyer.paid, buyer.packed, buyer.shipped]);
  }
  return csv(rows);
}

/** Every lot as CSV, in announcement order, with winner and waitlist. */
export function lotsCsv(lots: readonly Lot[]): string {
  const rows: Array<Array<string | number | boolean | null>> = [['lot', 'title', 'price', 'status', 'winner', 'waitlist', 'paid', 'packed', 'shipped']];
  for (const lot of lots) {
    rows.push([lot.code, lot.title, lot.price, lot.status, lot.winner?.username ?? null, lot.waitlist.map((w) => w.username).join(' '), lot.paid, lot.packed, lot.shipped]);
  }
  return csv(rows);
}
