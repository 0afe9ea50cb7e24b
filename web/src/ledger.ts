/**
 * What the dashboard counts, read from the claims ledger only: the same pure functions the service
 * answers with (supabase/functions/_shared/ledger/sale.ts summarizeLots and ledgerBuyers), so a panel
 * and GET /api/sessions/:id/lots can never disagree. Lots arrive by GET /lots and then by `lot_update`
 * over /ws; {@link mergeLot} keeps the newest version of each. Pure: no React, no fetch.
 */
import { ledgerBuyers, summarizeLots, type LedgerBuyer, type SalesSummary } from '../../supabase/functions/_shared/ledger/sale.ts';
import type { Lot } from './wire.ts';
import { listWords } from './words.ts';

export type { LedgerBuyer, SalesSummary };

/**
 * Where a lot came from: a `lot_update` on the socket (delivered in the show's event order, so always
 * the newest), or an HTTP answer (GET /lots, a correction's answer), which may have been overtaken by a
 * lot_update while it travelled.
 */
export type LotSource = 'event' | 'answer';

/**
 * The lots with `lot` in its place: a lot the list does not have is added (announcement order kept); a
 * lot_update replaces its lot; an HTTP answer replaces it unless it is an older version (a slow GET
 * arriving after the lot_update). Returns the same array when nothing changed.
 */
export function mergeLot(lots: readonly Lot[], lot: Lot, source: LotSource = 'answer'): readonly Lot[] {
  const at = lots.findIndex((l) => l.code === lot.code);
  if (at < 0) return [...lots, lot].sort((a, b) => a.ord - b.ord);
  const current = lots[at]!;
  if (source === 'answer' && (lot.version ?? 0) < (current.version ?? 0)) return lots;
  const next = lots.slice();
  next[at] = lot;
  return next;
}

/** Merges several lots (each by {@link mergeLot}). */
export function mergeLots(lots: readonly Lot[], incoming: readonly Lot[], source: LotSource = 'answer'): readonly Lot[] {
  let out = lots;
  for (const lot of incoming) out = mergeLot(out, lot, source);
  return out;
}

/** The show's counts: live (running) shows count open lots with a winner as pending, apart from revenue. */
export function countsOf(lots: readonly Lot[], live: boolean): SalesSummary {
  return summarizeLots(lots, { live });
}

/** The ledger's buyers: winners of sold lots and (live) of pending ones; nobody else is a buyer. */
export function buyersOf(lots: readonly Lot[], live: boolean): LedgerBuyer[] {
  return ledgerBuyers(lots, { live });
}

/**
 * A show's buyer count as the ledger says (winners of sold lots, plus live the winners of pending
 * ones): from the lots this dashboard holds once it has read them, else the service's `buyerCount`
 * (the same count, made by the service from the same lots).
 */
export function buyerCountOf(feed: { lots: readonly Lot[]; lotsLoaded: boolean } | undefined, live: boolean, serviceCount: number | undefined): number {
  if (feed?.lotsLoaded) {
    const s = countsOf(feed.lots, live);
    return s.buyers + s.pendingBuyers;
  }
  return serviceCount ?? 0;
}

/** Integer cents as money ("$1,234.50", "$45"); null is a dash. */
export function formatCents(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  const units = cents / 100;
  return `$${units.toLocaleString('en-US', { minimumFractionDigits: cents % 100 === 0 ? 0 : 2, maximumFractionDigits: 2 })}`;
}

/** A price as the seller types it ("45", "$45.50", "45,5") in cents; '' is null (no price); anything else undefined. */
export function parsePriceCents(text: string): number | null | undefined {
  const clean = text.trim().replace(/^\$/, '').replace(/,(\d{1,2})$/, '.$1');
  if (clean === '') return null;
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(clean)) return undefined;
  const [units = '0', fraction = ''] = clean.split('.');
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
}

/** A count with its noun, singular or plural ("1 buyer", "2 buyers"). */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * One line that says what it counts: "2 sold · 2 buyers · $165", then the pending lots apart
 * ("+ 1 pending $30") and the unpriced ones, so revenue is never mistaken to include unfinished lots.
 */
export function salesLine(s: SalesSummary): string {
  const parts = [`${s.sold} sold`, plural(s.buyers, 'buyer'), formatCents(s.revenueCents)];
  let line = parts.join(' · ');
  if (s.pending > 0) line += ` · ${s.pending} pending ${formatCents(s.pendingCents)}`;
  if (s.unpriced > 0) line += ` · ${s.unpriced} unpriced`;
  return line;
}

/** The host names a seller types ("@hannah, co_host" -> ["hannah", "co_host"]); the service checks each. */
export function sellerNames(input: string): string[] {
  return input
    .split(/[\s,]+/)
    .map((name) => name.replace(/^@+/, ''))
    .filter((name) => name.length > 0)
    .slice(0, 20);
}

/** The badges that mark a show's host (capture normalizes platform names to `owner`). */
const HOST_BADGES = new Set(['owner', 'host', 'broadcaster', 'seller']);

/** Whether a chat message was written by the host: a host badge, or one of the show's seller names. */
export function isHostMessage(author: string, badges: readonly string[], sellers: readonly string[] | undefined): boolean {
  if (badges.some((b) => HOST_BADGES.has(b.toLowerCase()))) return true;
  const name = author.replace(/^@/, '').toLowerCase();
  return (sellers ?? []).some((s) => s.replace(/^@/, '').toLowerCase() === name);
}

/** How long a show may have claims and no host message before the dashboard says so. */
export const HOST_NOTICE_AFTER_MS = 3 * 60_000;

/** What the "no host" notice decides from. */
export interface HostNoticeInput {
  running: boolean;
  /** Purchase-intent messages seen (claims), whatever the ledger made of them. */
  claims: number;
  /** Messages written by the host (badge or seller name) seen so far. */
  hostMessages: number;
  /** Lots the ledger holds (any lot means a host was read). */
  lots: number;
  startedAtMs: number;
  nowMs: number;
}

/**
 * Whether to tell the seller that viewers claim but no host message was seen (so no lot opens), and
 * offer to name the host: only on a running show, past {@link HOST_NOTICE_AFTER_MS}, with claims and
 * neither a host message nor a lot.
 */
export function needsHostNotice(input: HostNoticeInput): boolean {
  return (
    input.running &&
    input.claims > 0 &&
    input.hostMessages === 0 &&
    input.lots === 0 &&
    input.nowMs - input.startedAtMs >= HOST_NOTICE_AFTER_MS
  );
}

/** A history entry as one short line: "A1 given to bob (was amy)", "void", "price $40 -> $45". */
export function describeChange(before: Lot | null, after: Lot): string {
  if (!before) return `announced${after.title ? ` ${after.title}` : ''}${after.priceCents !== null ? ` at ${formatCents(after.priceCents)}` : ''}`;
  const out: string[] = [];
  const w0 = before.winner?.username ?? null;
  const w1 = after.winner?.username ?? null;
  if (w0 !== w1) out.push(w1 ? `winner ${w1}${w0 ? ` (was ${w0})` : ''}` : `no winner (was ${w0})`);
  if (before.status !== after.status) out.push(`${before.status} → ${after.status}`);
  if (before.priceCents !== after.priceCents) out.push(`price ${formatCents(before.priceCents)} → ${formatCents(after.priceCents)}`);
  if (before.waitlist.length !== after.waitlist.length) out.push(`waitlist ${before.waitlist.length} → ${after.waitlist.length}`);
  for (const mark of ['paid', 'packed', 'shipped'] as const) {
    if (before[mark] !== after[mark]) out.push(`${after[mark] ? '' : 'not '}${mark}`);
  }
  if (before.title !== after.title) out.push(`title ${after.title ?? '—'}`);
  return out.length > 0 ? out.join(', ') : 'no visible change';
}

/**
 * What Stop will do to the show's lots, said before the seller confirms: the end-of-show settlement
 * sells an open lot to its winner and closes one without a winner as unsold (ledger/corrections.ts
 * settleLot). `lots`: the lots this dashboard holds, or undefined when it has not read them.
 */
export function stopWarning(lots: readonly Lot[] | undefined): string {
  const ending = 'Chat capture ends; everything captured stays.';
  if (lots === undefined) return `${ending} Open lots will be settled: sold to their winner, else unsold.`;
  const open = lots.filter((l) => l.status === 'open');
  if (open.length === 0) return `${ending} No lot is open.`;
  const won = open.filter((l) => l.winner !== null).map((l) => l.code);
  const unwon = open.filter((l) => l.winner === null).map((l) => l.code);
  const parts: string[] = [];
  if (won.length > 0) parts.push(`${listWords(won)} ${won.length === 1 ? 'is' : 'are'} sold to ${won.length === 1 ? 'its winner' : 'their winners'}`);
  if (unwon.length > 0) parts.push(`${listWords(unwon)} ${unwon.length === 1 ? 'has no winner and closes' : 'have no winner and close'} unsold`);
  return `${ending} ${open.length} open lot${open.length === 1 ? '' : 's'}: ${parts.join('; ')}.`;
}
