/**
 * The claims ledger in the database: lots of a show in `public.lots`, the ledger's read position in
 * `stream_sessions.ledger_cursor`, and the sales it decides in `sales_captured` (with their lot).
 *
 * {@link advanceLedger} runs once per ingested batch, after classification: it reads the show's
 * messages past the cursor in stored order (backfill included), applies the pure rules ({@link applyMessage}) and writes the
 * changed lots, the new cursor and the sales in one transaction, with the session row locked so two
 * batches of one show never interleave. A crash before the commit leaves the cursor where it was: the
 * next batch applies those messages again, once. Every change to a lot, from chat or from the seller,
 * is written to `lot_history` in the same transaction as the lot. Seller corrections, undo and the
 * end-of-show settlement take the same session lock. Dependency-free: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { CoreError, LotChangedError } from '../errors.ts';
import { decideCorrection, decideUndo, settleLot, type LedgerChange, type LotPatch } from './corrections.ts';
import { applyMessage, isHostAuthor, type ClaimOutcome, type LedgerState } from './rules.ts';
import {
  fromCents,
  lotPriceCents,
  type Assignment,
  type HistoryActor,
  type InterestedViewer,
  type Lot,
  type LotAction,
  type LotAuction,
  type LotClaim,
  type LotHistoryEntry,
  type LotStatus,
  type ShowSummary,
  isLiveStatus,
  summarizeLots,
} from './sale.ts';

/** Most messages one pass reads (a long backlog is caught up over the following batches). */
const MAX_MESSAGES_PER_PASS = 2_000;
/** Confidence a sale gets when the ledger, not the classifier, found the claim. */
export const LEDGER_CLAIM_CONFIDENCE = 0.9;

interface LotRow {
  code: string;
  base_code: string;
  ord: number;
  title: string | null;
  price: number | null;
  price_cents: number | null;
  status: LotStatus;
  winner: LotClaim | string | null;
  waitlist: LotClaim[] | string;
  assignments: Assignment[] | string;
  auction: LotAuction | string | null;
  version: number;
  paid: boolean;
  packed: boolean;
  shipped: boolean;
  announced_message_key: string | null;
  announced_at: string | Date;
}

const LOT_COLUMNS = `code, base_code, ord, title, price::float8 as price, price_cents::float8 as price_cents, status, winner, waitlist,
  assignments, auction, version, paid, packed, shipped, announced_message_key, announced_at`;

function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function toLot(row: LotRow): Lot {
  const priceCents = row.price_cents !== null ? Number(row.price_cents) : row.price !== null ? Math.round(Number(row.price) * 100) : null;
  const assignments = json<Assignment[]>(row.assignments);
  const current = [...assignments].reverse().find((a) => a.state === 'current' || a.state === 'voided') ?? null;
  const auction = row.auction === null ? undefined : json<LotAuction>(row.auction);
  return {
    code: row.code,
    baseCode: row.base_code,
    title: row.title,
    priceCents,
    price: fromCents(priceCents),
    status: row.status,
    winner: row.winner === null ? null : json<LotClaim>(row.winner),
    waitlist: json<LotClaim[]>(row.waitlist),
    assignment: current,
    assignments,
    paid: current?.paid ?? false,
    packed: current?.packed ?? false,
    shipped: current?.shipped ?? false,
    version: Number(row.version),
    ...(auction ? { auction } : {}),
    announcedBy: row.announced_message_key,
    announcedAt: new Date(row.announced_at).toISOString(),
    ord: Number(row.ord),
  };
}

/** The lots of a show in announcement order. */
export async function listLots(sql: Sql, sessionId: string): Promise<Lot[]> {
  const rows = await sql.query<LotRow>(`select ${LOT_COLUMNS} from public.lots where stream_session_id = $1 order by ord, id`, [sessionId]);
  return rows.map(toLot);
}

/** A show's lots with the one count (summarizeLots) and its interested viewers, as every API answers them. */
export async function showLots(sql: Sql, sessionId: string): Promise<{ lots: Lot[]; summary: ShowSummary; interested: InterestedViewer[] }> {
  const [session] = await sql.query<{ status: string }>(`select status from public.stream_sessions where id = $1`, [sessionId]);
  const lots = await listLots(sql, sessionId);
  const interested = await listInterested(sql, sessionId, lots);
  return { lots, summary: { ...summarizeLots(lots, { live: isLiveStatus(session?.status) }), interested: interested.length }, interested };
}

/** Codes of the show's open lots (the classifier's offer context). */
export async function readOpenLots(sql: Sql, sessionId: string): Promise<string[]> {
  const rows = await sql.query<{ code: string }>(`select code from public.lots where stream_session_id = $1 and status = 'open' order by ord`, [sessionId]);
  return rows.map((r) => r.code);
}

/** Records the host's usernames for a show (start-monitoring's `seller`). */
export async function saveSellers(sql: Sql, sessionId: string, sellers: readonly string[]): Promise<void> {
  await sql.query(`update public.stream_sessions set sellers = array(select jsonb_array_elements_text($2::text::jsonb)) where id = $1`, [
    sessionId,
    JSON.stringify(sellers.map((s) => s.replace(/^@/, '')).slice(0, 20)),
  ]);
}

/** What one pass did: the lots it changed (final state) by the message that changed them last, and claims. */
export interface LedgerAdvance {
  /** Changed lots, each attached to the last message of the pass that changed it. */
  lotsByMessage: Map<string, Lot[]>;
  claims: Map<string, ClaimOutcome>;
  /** Every lot of the show after the pass. */
  lots: Lot[];
}

interface MessageRow {
  id: number;
  message_key: string;
  username: string;
  message: string;
  author_badges: string[] | null;
  captured_at: string | Date;
}

/** Applies the show's unread messages to its ledger (see the module comment). */
export async function advanceLedger(sql: Sql, sessionId: string): Promise<LedgerAdvance> {
  return sql.transaction(async (tx) => {
    const [session] = await tx.query<{ ledger_cursor: number; sellers: string[] | null; platform: string }>(
      `select ledger_cursor::float8 as ledger_cursor, sellers, platform from public.stream_sessions where id = $1 for update`,
      [sessionId],
    );
    const empty: LedgerAdvance = { lotsByMessage: new Map(), claims: new Map(), lots: [] };
    if (!session) return empty;
    const messages = await tx.query<MessageRow>(
      `select id::float8 as id, message_key, username, message, author_badges, captured_at from public.chat_messages
        where stream_session_id = $1 and id > $2 order by id limit $3`,
      [sessionId, session.ledger_cursor, MAX_MESSAGES_PER_PASS],
    );
    if (messages.length === 0) return empty;
    const before = await listLots(tx, sessionId);
    let state: LedgerState = { lots: before, current: currentOf(before) };
    const lastChange = new Map<string, string>();
    const claims = new Map<string, ClaimOutcome>();
    const history: LotHistoryEntry[] = [];
    const sellers = session.sellers ?? [];
    for (const m of messages) {
      // Backfill (chat already on the page at start) counts: a seller who starts watching a minute into
      // the show needs the lot on screen and its first claims, which are only in the backfill.
      const step = applyMessage(state, {
        id: m.message_key,
        author: m.username,
        text: m.message,
        at: new Date(m.captured_at).toISOString(),
        host: isHostAuthor(m.username, m.author_badges ?? [], sellers, session.platform),
      });
      state = step.state;
      for (const code of step.changed) lastChange.set(code, m.message_key);
      if (step.claim) claims.set(m.message_key, step.claim);
      history.push(...step.history);
    }
    const changed = state.lots.filter((l) => lastChange.has(l.code));
    await saveLots(tx, sessionId, changed);
    await saveHistory(tx, sessionId, history);
    await tx.query(`update public.stream_sessions set ledger_cursor = $2 where id = $1`, [sessionId, messages[messages.length - 1]!.id]);
    await syncSales(tx, sessionId, changed);
    const repeats = [...claims].filter(([, c]) => c.repeat).map(([key]) => key);
    if (repeats.length > 0) await dropRepeatSales(tx, sessionId, repeats);
    const lotsByMessage = new Map<string, Lot[]>();
    for (const lot of changed) {
      const key = lastChange.get(lot.code)!;
      lotsByMessage.set(key, [...(lotsByMessage.get(key) ?? []), lot]);
    }
    return { lotsByMessage, claims, lots: state.lots };
  });
}

/** The lot on screen: the latest announced (stored lots keep their announcement order). */
function currentOf(lots: readonly Lot[]): string | null {
  let latest: Lot | undefined;
  for (const lot of lots) if (!latest || lot.ord > latest.ord) latest = lot;
  return latest?.code ?? null;
}

async function saveLots(sql: Sql, sessionId: string, lots: readonly Lot[]): Promise<void> {
  if (lots.length === 0) return;
  const rows = lots.map((l) => ({
    code: l.code,
    base_code: l.baseCode,
    ord: l.ord,
    title: l.title,
    price: fromCents(l.priceCents),
    price_cents: l.priceCents,
    status: l.status,
    winner: l.winner,
    waitlist: l.waitlist,
    assignments: l.assignments,
    auction: l.auction ?? null,
    version: l.version,
    paid: l.paid,
    packed: l.packed,
    shipped: l.shipped,
    announced_message_key: l.announcedBy,
    announced_at: l.announcedAt,
  }));
  await sql.query(
    `insert into public.lots (stream_session_id, code, base_code, ord, title, price, price_cents, status, winner, waitlist, assignments,
       auction, version, paid, packed, shipped, announced_message_key, announced_at, updated_at)
     select $1, x.code, x.base_code, x.ord, x.title, x.price, x.price_cents, x.status, x.winner, coalesce(x.waitlist, '[]'::jsonb),
            coalesce(x.assignments, '[]'::jsonb), x.auction, x.version, x.paid, x.packed, x.shipped, x.announced_message_key,
            x.announced_at, now()
       from jsonb_to_recordset($2::text::jsonb) as x(code text, base_code text, ord int, title text, price numeric, price_cents bigint,
            status text, winner jsonb, waitlist jsonb, assignments jsonb, auction jsonb, version int, paid boolean, packed boolean,
            shipped boolean, announced_message_key text, announced_at timestamptz)
     on conflict (stream_session_id, code) do update set
       title = excluded.title, price = excluded.price, price_cents = excluded.price_cents, status = excluded.status,
       winner = excluded.winner, waitlist = excluded.waitlist, assignments = excluded.assignments, auction = excluded.auction,
       version = excluded.version, paid = excluded.paid, packed = excluded.packed, shipped = excluded.shipped, updated_at = now()`,
    [sessionId, JSON.stringify(rows)],
  );
}

/** Appends history entries (in order) for the show's lots. */
async function saveHistory(sql: Sql, sessionId: string, entries: readonly LotHistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e, i) => ({
    i,
    code: e.after.code,
    at: e.at,
    actor: e.by,
    message_key: e.by.kind === 'message' ? e.by.messageId : null,
    action: e.action,
    reason: e.reason?.slice(0, 300) ?? null,
    before: e.before,
    after: e.after,
  }));
  await sql.query(
    `insert into public.lot_history (stream_session_id, code, at, actor, message_key, action, reason, before, after)
     select $1, x.code, x.at, x.actor, x.message_key, x.action, x.reason, x.before, x.after
       from jsonb_to_recordset($2::text::jsonb) as x(i int, code text, at timestamptz, actor jsonb, message_key text, action text,
            reason text, before jsonb, after jsonb)
      order by x.i`,
    [sessionId, JSON.stringify(rows)],
  );
}

interface HistoryRow {
  code: string;
  at: string | Date;
  actor: HistoryActor | string;
  action: LotAction;
  reason: string | null;
  before: Lot | string | null;
  after: Lot | string;
  message_key: string | null;
}

function toEntry(row: HistoryRow): LotHistoryEntry {
  return {
    at: new Date(row.at).toISOString(),
    by: json<HistoryActor>(row.actor),
    action: row.action,
    ...(row.reason ? { reason: row.reason } : {}),
    before: row.before === null ? null : json<Lot>(row.before),
    after: json<Lot>(row.after),
  };
}

/** A lot's history, oldest first; undefined when the show has no such lot. */
export async function lotHistory(sql: Sql, sessionId: string, code: string): Promise<LotHistoryEntry[] | undefined> {
  const [lot] = await sql.query<{ code: string }>(`select code from public.lots where stream_session_id = $1 and code = $2`, [sessionId, code]);
  if (!lot) return undefined;
  const rows = await sql.query<HistoryRow>(
    `select code, at, actor, action, reason, before, after, message_key from public.lot_history
      where stream_session_id = $1 and code = $2 order by id`,
    [sessionId, code],
  );
  return rows.map(toEntry);
}

/**
 * Keeps sales in step with lots: the winner's own claim message is a sale of that lot (created when
 * the classifier missed it, counted in buyer_count), carrying the lot's code, title and price; a sale
 * that no longer wins its lot (reassigned, withdrawn, voided) loses the lot but stays recorded.
 */
async function syncSales(sql: Sql, sessionId: string, lots: readonly Lot[]): Promise<void> {
  if (lots.length === 0) return;
  const rows = lots.map((l) => ({
    lot_code: l.code,
    base_code: l.baseCode,
    item: l.title ?? l.code,
    price: fromCents(lotPriceCents(l)),
    message_key: l.status !== 'void' && l.winner?.messageId ? l.winner.messageId : null,
    username: l.winner?.username ?? null,
    quantity: l.winner?.quantity ?? null,
    size: l.winner?.size ?? null,
  }));
  await sql.query(
    `with x as (
       select * from jsonb_to_recordset($2::text::jsonb) as x(lot_code text, base_code text, item text, price numeric, message_key text,
         username text, quantity int, size text)
     ), cleared as (
       update public.sales_captured s set lot_code = null
         from x where s.stream_session_id = $1 and s.lot_code = x.lot_code and s.message_key is distinct from x.message_key
       returning 1
     ), won as (
       select x.*, m.id as chat_message_id, m.message from x
         join public.chat_messages m on m.stream_session_id = $1 and m.message_key = x.message_key and lower(m.username) = lower(x.username)
     ), ins as (
       insert into public.sales_captured (stream_session_id, chat_message_id, message_key, buyer_username, message_text,
         item_description, estimated_value, quantity, item_code, size, confidence, platform, lot_code)
       select $1, won.chat_message_id, won.message_key, won.username, won.message, won.item, won.price, won.quantity, won.base_code,
              won.size, $3, (select platform from public.stream_sessions where id = $1), won.lot_code
         from won
       on conflict (stream_session_id, message_key) do update set
         item_description = excluded.item_description, estimated_value = excluded.estimated_value, item_code = excluded.item_code,
         lot_code = excluded.lot_code, quantity = coalesce(excluded.quantity, sales_captured.quantity),
         size = coalesce(excluded.size, sales_captured.size)
       returning (xmax = 0) as inserted
     )
     update public.stream_sessions set buyer_count = buyer_count + (select count(*) from ins where inserted) where id = $1`,
    [sessionId, JSON.stringify(rows), LEDGER_CLAIM_CONFIDENCE],
  );
}

/** A viewer repeating a claim they already hold is not a second sale. */
async function dropRepeatSales(sql: Sql, sessionId: string, messageKeys: readonly string[]): Promise<void> {
  await sql.query(
    `with gone as (
       delete from public.sales_captured where stream_session_id = $1 and lot_code is null
          and message_key in (select jsonb_array_elements_text($2::text::jsonb))
       returning 1
     )
     update public.stream_sessions set buyer_count = greatest(0, buyer_count - (select count(*) from gone)) where id = $1`,
    [sessionId, JSON.stringify(messageKeys)],
  );
}

/** Who and when, for a seller's change through storage. */
export interface SellerAct {
  userId?: string | null;
  now?: Date;
}

/** Throws the refusal of a correction or an undo; returns the change otherwise. */
function accepted(change: LedgerChange): { lot: Lot; entry: LotHistoryEntry | null } {
  if (change.ok) return change;
  if (change.code === 'lot_changed') throw new LotChangedError(change.message, change.lot);
  throw new CoreError(change.code, change.message);
}

/**
 * Applies a seller's correction; undefined when the show has no such lot. Throws 409 lot_changed (with
 * the current lot) for a stale `patch.version`, 400 invalid_body for marks on a lot without a winner.
 */
export async function correctLot(sql: Sql, sessionId: string, code: string, patch: LotPatch, act: SellerAct = {}): Promise<Lot | undefined> {
  const now = (act.now ?? new Date()).toISOString();
  return sql.transaction(async (tx) => {
    await tx.query(`select 1 from public.stream_sessions where id = $1 for update`, [sessionId]);
    const [row] = await tx.query<LotRow>(`select ${LOT_COLUMNS} from public.lots where stream_session_id = $1 and code = $2`, [sessionId, code]);
    if (!row) return undefined;
    const { lot, entry } = accepted(decideCorrection(toLot(row), patch, { now, userId: act.userId ?? null }));
    if (!entry) return lot;
    await saveLots(tx, sessionId, [lot]);
    await saveHistory(tx, sessionId, [entry]);
    await syncSales(tx, sessionId, [lot]);
    return lot;
  });
}

/**
 * Undoes the latest seller change of a lot; undefined when the show has no such lot. Throws 404
 * nothing_to_undo, or 409 lot_changed when chat (or the show's end) changed the lot since.
 */
export async function undoLot(sql: Sql, sessionId: string, code: string, act: SellerAct = {}): Promise<Lot | undefined> {
  const now = (act.now ?? new Date()).toISOString();
  return sql.transaction(async (tx) => {
    await tx.query(`select 1 from public.stream_sessions where id = $1 for update`, [sessionId]);
    const [row] = await tx.query<LotRow>(`select ${LOT_COLUMNS} from public.lots where stream_session_id = $1 and code = $2`, [sessionId, code]);
    if (!row) return undefined;
    const history = (await lotHistory(tx, sessionId, code)) ?? [];
    const { lot, entry } = accepted(decideUndo(toLot(row), history, { now, userId: act.userId ?? null }));
    await saveLots(tx, sessionId, [lot]);
    if (entry) await saveHistory(tx, sessionId, [entry]);
    await syncSales(tx, sessionId, [lot]);
    return lot;
  });
}

/**
 * The end of a show: every open lot closes, sold to its winner, else unsold. Returns the lots it closed
 * (none the second time: settling is idempotent). The caller publishes their lot_update.
 */
export async function settleLots(sql: Sql, sessionId: string, now: Date = new Date()): Promise<Lot[]> {
  return sql.transaction(async (tx) => {
    await tx.query(`select 1 from public.stream_sessions where id = $1 for update`, [sessionId]);
    const rows = await tx.query<LotRow>(`select ${LOT_COLUMNS} from public.lots where stream_session_id = $1 and status = 'open' order by ord`, [sessionId]);
    const settled = rows.map((r) => settleLot(toLot(r), now.toISOString())).filter((s) => s !== null);
    if (settled.length === 0) return [];
    const lots = settled.map((s) => s.lot);
    await saveLots(tx, sessionId, lots);
    await saveHistory(tx, sessionId, settled.map((s) => s.entry));
    await syncSales(tx, sessionId, lots);
    return lots;
  });
}

/** Most viewers listed as interested (leads) per show. */
const MAX_INTERESTED = 500;

/**
 * Viewers with purchase intent (a captured sale) that no lot holds: not a winner nor on a waitlist of
 * any lot that is not void. Leads, not buyers.
 */
export async function listInterested(sql: Sql, sessionId: string, lots?: readonly Lot[]): Promise<InterestedViewer[]> {
  const held = new Set<string>();
  for (const lot of lots ?? (await listLots(sql, sessionId))) {
    if (lot.status === 'void') continue;
    for (const c of [...(lot.winner ? [lot.winner] : []), ...lot.waitlist]) held.add(c.username.toLowerCase());
  }
  const rows = await sql.query<{ buyer_username: string; message_key: string; message_text: string; captured_at: string | Date }>(
    `select buyer_username, message_key, message_text, captured_at from public.sales_captured
      where stream_session_id = $1 and lot_code is null order by captured_at, id limit 5000`,
    [sessionId],
  );
  const byViewer = new Map<string, InterestedViewer>();
  for (const r of rows) {
    const key = r.buyer_username.toLowerCase();
    if (held.has(key)) continue;
    let viewer = byViewer.get(key);
    if (!viewer) {
      if (byViewer.size >= MAX_INTERESTED) continue;
      viewer = { username: r.buyer_username, messages: [] };
      byViewer.set(key, viewer);
    }
    if (viewer.messages.length < 20) viewer.messages.push({ messageId: r.message_key, text: r.message_text, at: new Date(r.captured_at).toISOString() });
  }
  return [...byViewer.values()];
}

/** The audit export of a show: per lot, every change with the message behind it (platform and capture times). */
export async function auditLots(sql: Sql, sessionId: string): Promise<AuditLotRecord[]> {
  const lots = await listLots(sql, sessionId);
  const rows = await sql.query<HistoryRow & { text: string | null; sent_at: string | Date | null; captured_at: string | Date | null }>(
    `select h.code, h.at, h.actor, h.action, h.reason, null::jsonb as before, h.after, h.message_key,
            m.message as text, m.sent_at, m.captured_at
       from public.lot_history h
       left join public.chat_messages m on m.stream_session_id = h.stream_session_id and m.message_key = h.message_key
      where h.stream_session_id = $1 order by h.id`,
    [sessionId],
  );
  const byCode = new Map<string, AuditLotRecord>(lots.map((l) => [l.code, { code: l.code, title: l.title, status: l.status, entries: [] }]));
  for (const r of rows) {
    const entry = toEntry(r);
    const record = byCode.get(r.code);
    if (!record) continue;
    record.entries.push({
      code: r.code,
      at: entry.at,
      action: entry.action,
      by: entry.by,
      username: entry.by.kind === 'message' ? entry.by.username : null,
      messageId: entry.by.kind === 'message' ? entry.by.messageId : null,
      text: r.text,
      sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
      capturedAt: r.captured_at === null ? null : new Date(r.captured_at).toISOString(),
      winner: entry.after.winner?.username ?? null,
      reason: entry.reason ?? null,
    });
  }
  return [...byCode.values()];
}

/** One lot of the audit export (the contract's AuditLot). */
export interface AuditLotRecord {
  code: string;
  title: string | null;
  status: LotStatus;
  entries: Array<{
    code: string;
    at: string;
    action: LotAction;
    by: HistoryActor;
    username: string | null;
    messageId: string | null;
    text: string | null;
    sentAt: string | null;
    capturedAt: string | null;
    winner: string | null;
    reason: string | null;
  }>;
}
