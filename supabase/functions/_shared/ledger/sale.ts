/**
 * One model of a sale, shared by the service, the edge function and the dashboard (types only there).
 *
 * A lot is what the host offers; an assignment is (lot, buyer) and carries its own paid / packed /
 * shipped (and invoiced) marks. A new winner gets a new assignment with fresh marks, the old one keeps
 * its marks as history. The ledger alone says who bought what: a purchase-intent message that no lot
 * holds is interest (a lead), not a sale. {@link summarizeLots} is the one count every place a seller
 * counts reads (dashboard header, sessions list, past shows, /lots, /buyers, the pick list).
 *
 * Money is integer cents. `price` (currency units) is kept on the lot for old clients only.
 * Pure and dependency-free: loaded by Node, Deno and the dashboard's bundle.
 */

/** Where a lot is: open for claims, closed with a winner (sold) or without (unsold), or voided. */
export type LotStatus = 'open' | 'sold' | 'unsold' | 'void';
export const LOT_STATUSES: readonly LotStatus[] = ['open', 'sold', 'unsold', 'void'];

/** A viewer on a lot: its winner or one of its waitlist. */
export interface LotClaim {
  username: string;
  /** The message that claimed (null when the seller set it by hand). */
  messageId: string | null;
  at: string;
  quantity?: number;
  size?: string;
  /** In a chat auction: the viewer's highest bid, in cents. */
  bidCents?: number;
}

/** What became of an assignment: the lot's current one, or history. */
export type AssignmentState = 'current' | 'replaced' | 'withdrawn' | 'voided';
export const ASSIGNMENT_STATES: readonly AssignmentState[] = ['current', 'replaced', 'withdrawn', 'voided'];

/** A lot given to one buyer, with that buyer's own marks. */
export interface Assignment {
  /** Unique in the lot ("a1", "a2", ...): the marks belong to it, never to the lot. */
  id: string;
  username: string;
  /** The winning claim's message (null when the seller or the host's "goes to" named the buyer). */
  messageId: string | null;
  at: string;
  quantity?: number;
  size?: string;
  /** The price this buyer pays (the lot's price when assigned; the auction's high bid). */
  priceCents: number | null;
  paid: boolean;
  packed: boolean;
  shipped: boolean;
  invoiced?: boolean;
  state: AssignmentState;
}

/** A chat auction on a lot: open while bids are taken; the highest bid at the close wins. */
export interface LotAuction {
  open: boolean;
  highBidCents: number | null;
  bids: number;
}

/** One lot of a show, as the API answers it. */
export interface Lot {
  /** Unique in the show: the announced code, with " (2)" for its second sale and so on. */
  code: string;
  /** The code as announced ("A1" for "A1 (2)"): claims name this. */
  baseCode: string;
  title: string | null;
  priceCents: number | null;
  /** `priceCents / 100`, kept for old clients. */
  price: number | null;
  status: LotStatus;
  winner: LotClaim | null;
  waitlist: LotClaim[];
  /** The current winner's assignment (null without a winner). */
  assignment: Assignment | null;
  /** Every assignment the lot had, oldest first (the current one included): corrections never lose marks. */
  assignments: Assignment[];
  /** The CURRENT assignment's marks (false without one), kept for old clients. */
  paid: boolean;
  packed: boolean;
  shipped: boolean;
  /** Rises by one per change (chat or seller): a correction naming an older version is refused. */
  version: number;
  auction?: LotAuction;
  /** The host's message that announced it, and when. */
  announcedBy: string | null;
  announcedAt: string;
  /** Order of announcement within the show (1, 2, ...). */
  ord: number;
}

/** Who changed a lot: a chat message (host or viewer), or the seller (dashboard, API, or the show's end). */
export type HistoryActor = { kind: 'message'; messageId: string; username: string } | { kind: 'seller'; userId: string | null };

/** What a change did, for history and the audit export. */
export type LotAction =
  | 'announce'
  | 'update'
  | 'claim'
  | 'waitlist'
  | 'withdraw'
  | 'close'
  | 'assign'
  | 'void'
  | 'auction'
  | 'bid'
  | 'going'
  | 'settle'
  | 'correct'
  | 'undo'
  /** A claim or bid the lot did not take (closed, void, bid too low): recorded for the audit, no change. */
  | 'refused';

/**
 * One change to a lot: when, by whom, before -> after (before is null for the announcement). A `refused`
 * entry changes nothing (before and after are the same lot): it keeps the claim for the audit.
 */
export interface LotHistoryEntry {
  at: string;
  by: HistoryActor;
  action: LotAction;
  /** Why a buyer lost the lot or left the waitlist ("outbid", "withdrew", "reassigned", ...), when one did. */
  reason?: string;
  before: Lot | null;
  after: Lot;
}

/** A show's counts, the same everywhere a seller counts. */
export interface SalesSummary {
  /** Lots not voided. */
  lots: number;
  /** Lots closed with a winner. */
  sold: number;
  /** Open lots with a winner (live only: at the end they settle). */
  pending: number;
  /** Open lots (pending ones included). */
  open: number;
  unsold: number;
  void: number;
  /** Distinct winners of sold lots. */
  buyers: number;
  /** Distinct winners of pending lots not already among `buyers`. */
  pendingBuyers: number;
  /** Sum of sold lots' prices only. */
  revenueCents: number;
  /** Sum of pending lots' prices. */
  pendingCents: number;
  /** Sold or pending lots without a price (left out of the sums). */
  unpriced: number;
}

/** The summary as the API answers it: plus viewers with purchase intent that no lot holds (from the store). */
export interface ShowSummary extends SalesSummary {
  interested: number;
}

/** The session object's sales (GET /api/sessions): a subset of the show's summary. */
export interface SessionSales {
  sold: number;
  pending: number;
  buyers: number;
  interested: number;
  revenueCents: number;
  pendingCents: number;
}

/** Session statuses after which a show is over (its open lots are settled; nothing is pending). */
const FINAL_STATUSES: readonly string[] = ['ended', 'stopped', 'error'];

/** Whether a show with this status is live (its open lots with a winner count as pending). */
export function isLiveStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && !FINAL_STATUSES.includes(status);
}

/** An empty summary (a show with no lots). */
export function emptySummary(): SalesSummary {
  return { lots: 0, sold: 0, pending: 0, open: 0, unsold: 0, void: 0, buyers: 0, pendingBuyers: 0, revenueCents: 0, pendingCents: 0, unpriced: 0 };
}

/**
 * Whether a lot counts as sold, pending or neither. Live, an open lot with a winner is pending; once
 * the show is over (`live: false`) an open lot counts as settlement closes it (sold to its winner, else
 * unsold), so a show that was never settled still counts like one that was.
 */
export function saleStateOf(lot: Lot, live: boolean): 'sold' | 'pending' | 'open' | 'unsold' | 'void' {
  if (lot.status !== 'open') return lot.status;
  if (lot.winner === null) return live ? 'open' : 'unsold';
  return live ? 'pending' : 'sold';
}

/** The price a sold or pending lot brings: its current assignment's, else the lot's. */
export function lotPriceCents(lot: Lot): number | null {
  return lot.assignment?.priceCents ?? lot.priceCents;
}

/** Counts a show's lots: the one count (see the module comment). */
export function summarizeLots(lots: readonly Lot[], options: { live: boolean }): SalesSummary {
  const s = emptySummary();
  const buyers = new Set<string>();
  const pendingBuyers = new Set<string>();
  for (const lot of lots) {
    const state = saleStateOf(lot, options.live);
    if (state !== 'void') s.lots++;
    const price = lotPriceCents(lot);
    const who = lot.winner?.username.toLowerCase();
    switch (state) {
      case 'void':
        s.void++;
        break;
      case 'unsold':
        s.unsold++;
        break;
      case 'open':
        s.open++;
        break;
      case 'pending':
        s.open++;
        s.pending++;
        if (who !== undefined) pendingBuyers.add(who);
        if (price === null) s.unpriced++;
        else s.pendingCents += price;
        break;
      case 'sold':
        s.sold++;
        if (who !== undefined) buyers.add(who);
        if (price === null) s.unpriced++;
        else s.revenueCents += price;
        break;
    }
  }
  s.buyers = buyers.size;
  for (const b of buyers) pendingBuyers.delete(b);
  s.pendingBuyers = pendingBuyers.size;
  return s;
}

/** Currency units (as chat and old clients write them) to integer cents; null stays null. */
export function toCents(amount: number | null | undefined): number | null {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return null;
  return Math.round(amount * 100);
}

/** Integer cents to currency units for the `price` kept for old clients. */
export function fromCents(cents: number | null): number | null {
  return cents === null ? null : cents / 100;
}

/** A buyer as the ledger says: the lots they won (sold) or hold (pending), and their marks. */
export interface LedgerBuyer {
  username: string;
  lots: Array<{ code: string; title: string | null; priceCents: number | null; status: 'sold' | 'pending' }>;
  sold: number;
  pending: number;
  /** Sum of their lots' prices (sold and pending), unpriced lots left out. */
  totalCents: number;
  /** Every lot's current assignment carries the mark. */
  paid: boolean;
  packed: boolean;
  shipped: boolean;
}

/** A viewer with purchase intent that no lot holds: a lead, not a sale. */
export interface InterestedViewer {
  username: string;
  messages: Array<{ messageId: string; text: string; at: string }>;
}

/**
 * The sold and pending lots grouped by their winner (names matched without case, as summarizeLots counts
 * buyers), each buyer made by `create` from the first lot and given every lot by `add`; buyers by name.
 * One grouping for every per-buyer view (the ledger's buyers, the pick list).
 */
export function groupSalesByBuyer<T extends { username: string }>(
  lots: readonly Lot[],
  options: { live: boolean },
  create: (username: string) => T,
  add: (buyer: T, lot: Lot, state: 'sold' | 'pending') => void,
): T[] {
  const byBuyer = new Map<string, T>();
  for (const lot of lots) {
    const state = saleStateOf(lot, options.live);
    if ((state !== 'sold' && state !== 'pending') || !lot.winner) continue;
    const key = lot.winner.username.toLowerCase();
    let buyer = byBuyer.get(key);
    if (!buyer) {
      buyer = create(lot.winner.username);
      byBuyer.set(key, buyer);
    }
    add(buyer, lot, state);
  }
  return [...byBuyer.values()].sort((a, b) => a.username.localeCompare(b.username));
}

/** The ledger's buyers (winners of sold and pending lots), by name; the same people summarizeLots counts. */
export function ledgerBuyers(lots: readonly Lot[], options: { live: boolean }): LedgerBuyer[] {
  return groupSalesByBuyer<LedgerBuyer>(
    lots,
    options,
    (username) => ({ username, lots: [], sold: 0, pending: 0, totalCents: 0, paid: true, packed: true, shipped: true }),
    (buyer, lot, state) => {
      const price = lotPriceCents(lot);
      buyer.lots.push({ code: lot.code, title: lot.title, priceCents: price, status: state });
      buyer[state]++;
      if (price !== null) buyer.totalCents += price;
      buyer.paid &&= lot.assignment?.paid ?? false;
      buyer.packed &&= lot.assignment?.packed ?? false;
      buyer.shipped &&= lot.assignment?.shipped ?? false;
    },
  );
}
