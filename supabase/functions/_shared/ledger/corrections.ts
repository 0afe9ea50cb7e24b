/**
 * The seller's corrections to a lot (dashboard or API), undo, the end-of-show settlement, and the pick
 * list built from the ledger. A correction never moves money or drops a buyer: marks belong to the
 * current assignment, a new winner gets a new assignment with fresh marks (the old one keeps its marks),
 * and the displaced winner goes to the head of the waitlist. Every change is a history entry.
 * Pure and dependency-free (Node and Deno); the HTTP layer validates the patch with zod first.
 */
import { assignWinner, cloneLot, sync } from './rules.ts';
import { fromCents, groupSalesByBuyer, lotPriceCents, toCents, type HistoryActor, type Lot, type LotClaim, type LotHistoryEntry } from './sale.ts';

/** What a correction may change; omitted fields stay. */
export interface LotPatch {
  /** The lot's version the caller saw; a lot changed since is refused (lot_changed). */
  version?: number;
  /** The winner's username, or null for none. */
  winner?: string | null;
  /** The waitlist in order (usernames). */
  waitlist?: string[];
  priceCents?: number | null;
  /** In currency units (old clients); priceCents wins when both are given. */
  price?: number | null;
  title?: string | null;
  /** true voids the lot; false restores it. */
  void?: boolean;
  /** Marks of the CURRENT assignment. */
  paid?: boolean;
  packed?: boolean;
  shipped?: boolean;
  invoiced?: boolean;
}

/** Why a correction or an undo was refused. */
export type LedgerRefusal =
  | { ok: false; code: 'lot_changed'; message: string; lot: Lot }
  | { ok: false; code: 'invalid_body'; message: string }
  | { ok: false; code: 'nothing_to_undo'; message: string };

/** A correction or undo that applies: the new lot and its history entry (null when nothing changed). */
export type LedgerChange = { ok: true; lot: Lot; entry: LotHistoryEntry | null } | LedgerRefusal;

/** Who and when, for a seller's change. */
export interface SellerChange {
  now: string;
  userId?: string | null;
}

/** The lot's content without its version: two lots that differ only in version are the same lot. */
function sameContent(a: Lot, b: Lot): boolean {
  return JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
}

function seller(change: SellerChange): HistoryActor {
  return { kind: 'seller', userId: change.userId ?? null };
}

/**
 * Decides a seller's correction (see the module comment). A `version` other than the lot's is refused
 * with the current lot; marks on a lot without a winner are refused (there is no buyer to mark).
 */
export function decideCorrection(lot: Lot, patch: LotPatch, change: SellerChange): LedgerChange {
  if (patch.version !== undefined && patch.version !== lot.version) {
    return { ok: false, code: 'lot_changed', message: `Lot ${lot.code} changed since version ${patch.version} (now ${lot.version})`, lot };
  }
  const next = cloneLot(lot);
  const known = [...(next.winner ? [next.winner] : []), ...next.waitlist];
  let reason: string | undefined;
  if (patch.winner !== undefined) {
    if (patch.winner === null) {
      if (next.winner) {
        reason = `${next.winner.username} removed as winner by the seller`;
        next.waitlist.unshift(next.winner);
        next.winner = null;
      }
    } else {
      const displaced = assignWinner(next, patch.winner, { messageId: null, at: change.now });
      if (displaced) reason = `${displaced} replaced by the seller`;
    }
  }
  if (patch.waitlist !== undefined) {
    const winner = next.winner;
    const seen = new Set<string>();
    const pool = [...known, ...next.waitlist];
    next.waitlist = patch.waitlist
      .map((u) => u.replace(/^@/, ''))
      .filter((u) => {
        const k = u.toLowerCase();
        if (seen.has(k) || (winner && winner.username.toLowerCase() === k)) return false;
        seen.add(k);
        return true;
      })
      // A viewer's own claim stays their evidence; a name the seller typed has none.
      .map((u): LotClaim => pool.find((c) => c.username.toLowerCase() === u.toLowerCase()) ?? { username: u, messageId: null, at: change.now });
  }
  if (patch.priceCents !== undefined) next.priceCents = patch.priceCents;
  else if (patch.price !== undefined) next.priceCents = toCents(patch.price);
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.void === true) next.status = 'void';
  else if (patch.void === false && next.status === 'void') next.status = next.winner ? 'sold' : 'unsold';
  else if (next.status === 'sold' && !next.winner) next.status = 'unsold';
  else if (next.status === 'unsold' && next.winner) next.status = 'sold';
  // The seller's price is the price: a winner's old bid no longer sets it.
  if ((patch.priceCents !== undefined || patch.price !== undefined) && next.winner?.bidCents !== undefined) delete next.winner.bidCents;
  sync(next);
  const marks = (['paid', 'packed', 'shipped', 'invoiced'] as const).filter((k) => patch[k] !== undefined);
  if (marks.length > 0) {
    if (!next.assignment) return { ok: false, code: 'invalid_body', message: `Lot ${lot.code} has no winner to mark paid, packed or shipped` };
    for (const k of marks) next.assignment[k] = patch[k]!;
    sync(next);
  }
  if (sameContent(lot, next)) return { ok: true, lot, entry: null };
  next.version = lot.version + 1;
  const action = patch.void === true ? 'void' : patch.winner !== undefined && patch.winner !== null && reason !== undefined ? 'assign' : 'correct';
  return {
    ok: true,
    lot: next,
    entry: { at: change.now, by: seller(change), action, ...(reason ? { reason } : {}), before: lot, after: cloneLot(next) },
  };
}

/** Applies a correction; returns a new lot (the one passed in is not modified). Throws on a refusal. */
export function applyCorrection(lot: Lot, patch: LotPatch, now: string): Lot {
  const result = decideCorrection(lot, patch, { now });
  if (!result.ok) throw new Error(result.message);
  return result.lot;
}

/**
 * Undoes the latest seller change of a lot that is not undone yet: the lot goes back to how it was
 * before it (assignments and marks included) at a new version. Refused when a chat message or the
 * show's end changed the lot since (the seller decides again on what is there now), or when there is
 * nothing to undo. `history` is the lot's, oldest first.
 */
export function decideUndo(lot: Lot, history: readonly LotHistoryEntry[], change: SellerChange): LedgerChange {
  let pendingUndos = 0;
  let blocked = false;
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    // A refused claim changed nothing.
    if (entry.action === 'refused') continue;
    if (entry.by.kind === 'message' || entry.action === 'settle') {
      blocked = true;
      continue;
    }
    if (entry.action === 'undo') {
      pendingUndos++;
      continue;
    }
    // An undo is refused across chat, so each undo matches the seller change just before it.
    if (pendingUndos > 0) {
      pendingUndos--;
      continue;
    }
    if (blocked) return { ok: false, code: 'lot_changed', message: `Chat changed lot ${lot.code} since the last correction`, lot };
    if (!entry.before) break;
    const restored = cloneLot(entry.before);
    restored.version = lot.version + 1;
    return { ok: true, lot: restored, entry: { at: change.now, by: seller(change), action: 'undo', before: lot, after: cloneLot(restored) } };
  }
  return { ok: false, code: 'nothing_to_undo', message: `No correction of lot ${lot.code} to undo` };
}

/**
 * The end of a show for one lot: open closes, sold to its winner, else unsold (an auction closes with
 * it). Returns null when the lot is not open.
 */
export function settleLot(lot: Lot, now: string): { lot: Lot; entry: LotHistoryEntry } | null {
  if (lot.status !== 'open') return null;
  const next = cloneLot(lot);
  next.status = next.winner ? 'sold' : 'unsold';
  if (next.auction) next.auction.open = false;
  sync(next);
  next.version = lot.version + 1;
  return { lot: next, entry: { at: now, by: { kind: 'seller', userId: null }, action: 'settle', before: lot, after: cloneLot(next) } };
}

/** One lot of a buyer's pick list: its current assignment with the marks. */
export interface PickListLot {
  code: string;
  title: string | null;
  priceCents: number | null;
  /** Currency units, kept for old clients. */
  price: number | null;
  status: 'sold' | 'pending';
  assignmentId: string | null;
  paid: boolean;
  packed: boolean;
  shipped: boolean;
}

/** One buyer's lots and what they owe. */
export interface PickListBuyer {
  username: string;
  lots: PickListLot[];
  /** Sum of the known prices, in cents. */
  totalCents: number;
  /** Currency units, kept for old clients. */
  total: number;
  /** Lots won without a price yet (the total leaves them out). */
  unpriced: number;
  paid: boolean;
  packed: boolean;
  shipped: boolean;
}

/**
 * Per buyer, the sold and pending lots (open with a winner, live) with their current assignment's marks
 * and a total; buyers by name. The same lots summarizeLots counts.
 */
export function pickList(lots: readonly Lot[], options: { live: boolean } = { live: true }): PickListBuyer[] {
  return groupSalesByBuyer<PickListBuyer>(
    lots,
    options,
    (username) => ({ username, lots: [], totalCents: 0, total: 0, unpriced: 0, paid: true, packed: true, shipped: true }),
    (buyer, lot, state) => {
      const a = lot.assignment;
      const priceCents = lotPriceCents(lot);
      buyer.lots.push({
        code: lot.code,
        title: lot.title,
        priceCents,
        price: fromCents(priceCents),
        status: state,
        assignmentId: a?.id ?? null,
        paid: a?.paid ?? false,
        packed: a?.packed ?? false,
        shipped: a?.shipped ?? false,
      });
      if (priceCents === null) buyer.unpriced++;
      else buyer.totalCents += priceCents;
      buyer.total = buyer.totalCents / 100;
      buyer.paid &&= a?.paid ?? false;
      buyer.packed &&= a?.packed ?? false;
      buyer.shipped &&= a?.shipped ?? false;
    },
  );
}

/** A CSV cell: quoted, and a leading = + - @ neutralized (chat text must not become a spreadsheet formula). */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r']/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV (CRLF, every cell through {@link csvCell}). */
export function csv(rows: Array<Array<string | number | boolean | null | undefined>>): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Cents as a decimal amount for spreadsheets ("12.50"). */
function money(cents: number | null): string | null {
  return cents === null ? null : (cents / 100).toFixed(2);
}

/** The pick list as CSV, one row per lot (sold or pending), grouped by buyer, with a total row per buyer. */
export function pickListCsv(lots: readonly Lot[], options: { live: boolean } = { live: true }): string {
  const rows: Array<Array<string | number | boolean | null>> = [['buyer', 'lot', 'title', 'price', 'status', 'paid', 'packed', 'shipped']];
  for (const buyer of pickList(lots, options)) {
    for (const lot of buyer.lots) rows.push([buyer.username, lot.code, lot.title, money(lot.priceCents), lot.status, lot.paid, lot.packed, lot.shipped]);
    rows.push([buyer.username, 'TOTAL', null, money(buyer.totalCents), null, buyer.paid, buyer.packed, buyer.shipped]);
  }
  return csv(rows);
}

/** Every lot as CSV, in announcement order, with winner and waitlist. */
export function lotsCsv(lots: readonly Lot[]): string {
  const rows: Array<Array<string | number | boolean | null>> = [['lot', 'title', 'price', 'status', 'winner', 'waitlist', 'paid', 'packed', 'shipped']];
  for (const lot of lots) {
    rows.push([lot.code, lot.title, money(lotPriceCents(lot)), lot.status, lot.winner?.username ?? null, lot.waitlist.map((w) => w.username).join(' '), lot.paid, lot.packed, lot.shipped]);
  }
  return csv(rows);
}
