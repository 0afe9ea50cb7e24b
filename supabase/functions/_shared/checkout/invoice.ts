/**
 * Invoices per buyer, built from the claims ledger: the lots a buyer won (their current assignments) with
 * prices, shipping by the seller's rule, and the total; lots won across the seller's shows within the
 * combining window share one invoice and one shipping charge.
 *
 * - A line's amount is its assignment's price, once per lot (what the ledger counts as revenue), so the
 *   invoices of a show add up to its revenue; a quantity counts as that many items for shipping.
 * - States: `draft` (built, not sent), `sent` (the seller sent it: its lines, shipping and total are
 *   frozen as sent, whatever the settings do later), `paid` (every line's assignment is marked paid). The
 *   paid mark lives on the assignments: marking an invoice paid marks them, and marking them all paid
 *   makes the invoice paid.
 * - An unpriced lot is listed without an amount and keeps the invoice incomplete (it cannot be sent
 *   until the seller prices it).
 * Pure and dependency-free but for the settings' types.
 */
import { saleStateOf, type Lot } from '../ledger/sale.ts';
import { sumCents } from './money.ts';
import { shippingCents } from './shipping.ts';
import type { CheckoutSettings } from './settings.ts';

/** One lot a buyer won, as an invoice reads it from the ledger. */
export interface SaleLine {
  sessionId: string;
  showTitle: string | null;
  /** When the show started (ISO 8601): the combining window is measured between shows. */
  showAt: string;
  lotCode: string;
  title: string | null;
  /** The buyer's price (the assignment's); null when the lot has none yet. */
  priceCents: number | null;
  quantity: number;
  assignmentId: string;
  paid: boolean;
  buyer: string;
}

export type InvoiceState = 'draft' | 'sent' | 'paid';

/** What the seller's send froze: the lines, shipping and settings as they were. */
export interface SentInvoice {
  id: string;
  sentAt: string;
  lines: SaleLine[];
  shippingCents: number;
  currency: string;
  shopName: string;
}

export interface Invoice {
  /** Stable: derived from the first lot on it, so the same ledger gives the same ids. */
  id: string;
  buyer: string;
  /** Buyer names are matched without case (as the ledger counts buyers). */
  buyerKey: string;
  currency: string;
  shopName: string;
  sessionIds: string[];
  lines: SaleLine[];
  items: number;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  /** Lines without a price (left out of the subtotal). */
  unpriced: number;
  state: InvoiceState;
  sentAt: string | null;
}

const DAY_MS = 86_400_000;

/** A show as invoices name it. */
export interface InvoicedShow {
  sessionId: string;
  title: string | null;
  startedAt: string;
}

/**
 * The sale lines of one show: each sold lot's current assignment (an open lot with a winner counts as
 * sold, as the show's end settles it; pending lots of a live show are not invoiced yet).
 */
export function saleLinesOf(show: InvoicedShow, lots: readonly Lot[], options: { live: boolean }): SaleLine[] {
  const lines: SaleLine[] = [];
  for (const lot of lots) {
    if (saleStateOf(lot, options.live) !== 'sold' || !lot.assignment) continue;
    const a = lot.assignment;
    lines.push({
      sessionId: show.sessionId,
      showTitle: show.title,
      showAt: show.startedAt,
      lotCode: lot.code,
      title: lot.title,
      priceCents: a.priceCents ?? lot.priceCents,
      quantity: a.quantity ?? 1,
      assignmentId: a.id,
      paid: a.paid,
      buyer: a.username,
    });
  }
  return lines;
}

/** The buyer key the ledger counts by. */
export function buyerKeyOf(username: string): string {
  return username.replace(/^@/, '').toLowerCase();
}

/**
 * A short stable id for an invoice from its first line (FNV-1a, 53 bits, base 36): `inv_` + 10 or so
 * characters, safe in a URL path.
 */
export function invoiceIdOf(first: Pick<SaleLine, 'sessionId' | 'lotCode' | 'assignmentId' | 'buyer'>): string {
  const text = `${first.sessionId}\u0000${first.lotCode}\u0000${first.assignmentId}\u0000${buyerKeyOf(first.buyer)}`;
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return `inv_${(h & 0x1fffffffffffffn).toString(36)}`;
}

/** Sums an invoice's lines and shipping: total = subtotal + shipping, subtotal = the priced lines. */
export function totalsOf(lines: readonly SaleLine[], shipping: number): Pick<Invoice, 'items' | 'subtotalCents' | 'shippingCents' | 'totalCents' | 'unpriced'> {
  const priced = lines.filter((l) => l.priceCents !== null);
  const subtotalCents = sumCents(priced.map((l) => l.priceCents!));
  return {
    items: lines.reduce((n, l) => n + Math.max(1, l.quantity), 0),
    subtotalCents,
    shippingCents: shipping,
    totalCents: sumCents([subtotalCents, shipping]),
    unpriced: lines.length - priced.length,
  };
}

function stateOf(lines: readonly SaleLine[], sentAt: string | null): InvoiceState {
  if (lines.length > 0 && lines.every((l) => l.paid)) return 'paid';
  return sentAt ? 'sent' : 'draft';
}

/**
 * The invoices of a seller's sales. Lines already on a sent invoice stay on it, frozen as sent (their
 * paid marks still follow the ledger); the rest are grouped per buyer, by show when the window is 0, else
 * every show within `combineWindowDays` of the group's first show (inclusive), oldest first, and priced by
 * the current settings. Invoices come out by their first show, then buyer.
 */
export function buildInvoices(lines: readonly SaleLine[], settings: CheckoutSettings, sent: readonly SentInvoice[] = []): Invoice[] {
  // An assignment id is unique within its lot; with the show and the lot it names one sale.
  const keyOf = (l: SaleLine) => `${l.sessionId}\u0000${l.lotCode}\u0000${l.assignmentId}`;
  const paidNow = new Map(lines.map((l) => [keyOf(l), l.paid]));
  const invoiced = new Set<string>();
  const out: Invoice[] = [];
  for (const s of sent) {
    const frozen = s.lines.map((l) => ({ ...l, paid: paidNow.get(keyOf(l)) ?? l.paid }));
    for (const l of frozen) invoiced.add(keyOf(l));
    out.push({
      id: s.id,
      buyer: frozen[0]?.buyer ?? '',
      buyerKey: buyerKeyOf(frozen[0]?.buyer ?? ''),
      currency: s.currency,
      shopName: s.shopName,
      sessionIds: [...new Set(frozen.map((l) => l.sessionId))],
      lines: frozen,
      ...totalsOf(frozen, s.shippingCents),
      state: stateOf(frozen, s.sentAt),
      sentAt: s.sentAt,
    });
  }
  const byBuyer = new Map<string, SaleLine[]>();
  for (const line of lines) {
    if (invoiced.has(keyOf(line))) continue;
    const key = buyerKeyOf(line.buyer);
    const own = byBuyer.get(key);
    if (own) own.push(line);
    else byBuyer.set(key, [line]);
  }
  const windowMs = settings.combineWindowDays * DAY_MS;
  for (const [buyerKey, own] of byBuyer) {
    // Stable: shows by start time, lots in the order given (the ledger's announcement order).
    const ordered = own.map((l, i) => ({ l, i })).sort((a, b) => Date.parse(a.l.showAt) - Date.parse(b.l.showAt) || a.i - b.i).map((x) => x.l);
    let group: SaleLine[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const base = totalsOf(group, 0);
      const shipping = shippingCents(settings.shipping, { items: base.items, subtotalCents: base.subtotalCents });
      out.push({
        id: invoiceIdOf(group[0]!),
        buyer: group[0]!.buyer,
        buyerKey,
        currency: settings.currency,
        shopName: settings.shopName,
        sessionIds: [...new Set(group.map((l) => l.sessionId))],
        lines: group,
        ...totalsOf(group, shipping),
        state: stateOf(group, null),
        sentAt: null,
      });
      group = [];
    };
    for (const line of ordered) {
      const first = group[0];
      const joins =
        first !== undefined &&
        (windowMs === 0 ? line.sessionId === first.sessionId : Date.parse(line.showAt) - Date.parse(first.showAt) <= windowMs);
      if (!joins) flush();
      group.push(line);
    }
    flush();
  }
  return out.sort((a, b) => Date.parse(a.lines[0]?.showAt ?? '') - Date.parse(b.lines[0]?.showAt ?? '') || a.buyerKey.localeCompare(b.buyerKey));
}

/** What sending freezes (the service stores it; a later settings change never rewrites it). */
export function freezeInvoice(invoice: Invoice, sentAt: string): SentInvoice {
  return { id: invoice.id, sentAt, lines: invoice.lines.map((l) => ({ ...l })), shippingCents: invoice.shippingCents, currency: invoice.currency, shopName: invoice.shopName };
}

/** Whether the invoice can be sent: it has lines, every line is priced, and it was not sent already. */
export function sendable(invoice: Invoice): { ok: true } | { ok: false; reason: 'already_sent' | 'unpriced' | 'empty' } {
  if (invoice.sentAt !== null) return { ok: false, reason: 'already_sent' };
  if (invoice.lines.length === 0) return { ok: false, reason: 'empty' };
  if (invoice.unpriced > 0) return { ok: false, reason: 'unpriced' };
  return { ok: true };
}
