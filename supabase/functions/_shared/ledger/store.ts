/**
 * The claims ledger in the database: lots of a show in `public.lots`, the ledger's read position in
 * `stream_sessions.ledger_cursor`, and the sales it decides in `sales_captured` (with their lot).
 *
 * {@link advanceLedger} runs once per ingested batch, after classification: it reads the show's
 * messages past the cursor in stored order (backfill included), applies the pure rules ({@link applyMessage}) and writes the
 * changed lots, the new cursor and the sales in one transaction, with the session row locked so two
 * batches of one show never interleave. A crash before the commit leaves the cursor where it was: the
 * next batch applies those messages again, once. Dependency-free: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { applyCorrection, type LotPatch } from './corrections.ts';
import { applyMessage, isHostAuthor, type ClaimOutcome, type LedgerState, type Lot, type LotClaim, type LotStatus } from './rules.ts';

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
  status: LotStatus;
  winner: LotClaim | string | null;
  waitlist: LotClaim[] | string;
  paid: boolean;
  packed: boolean;
  shipped: boolean;
  announced_message_key: string | null;
  announced_at: string | Date;
}

const LOT_COLUMNS = `code, base_code, ord, title, price::float8 as price, status, winner, waitlist, paid, packed, shipped,
  announced_message_key, announced_at`;

function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function toLot(row: LotRow): Lot {
  return {
    code: row.code,
    baseCode: row.base_code,
    title: row.title,
    priceCents: row.price === null ? null : Math.round(Number(row.price) * 100),
    price: row.price === null ? null : Number(row.price),
    status: row.status,
    winner: row.winner === null ? null : json<LotClaim>(row.winner),
    waitlist: json<LotClaim[]>(row.waitlist),
    assignment: null,
    assignments: [],
    version: 1,
    paid: row.paid,
    packed: row.packed,
    shipped: row.shipped,
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
    const [session] = await tx.query<{ ledger_cursor: number; sellers: string[] | null }>(
      `select ledger_cursor::float8 as ledger_cursor, sellers from public.stream_sessions where id = $1 for update`,
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
    const sellers = session.sellers ?? [];
    for (const m of messages) {
      // Backfill (chat already on the page at start) counts: a seller who starts watching a minute into
      // the show needs the lot on screen and its first claims, which are only in the backfill.
      const step = applyMessage(state, {
        id: m.message_key,
        author: m.username,
        text: m.message,
        at: new Date(m.captured_at).toISOString(),
        host: isHostAuthor(m.username, m.author_badges ?? [], sellers),
      });
      state = step.state;
      for (const code of step.changed) lastChange.set(code, m.message_key);
      if (step.claim) claims.set(m.message_key, step.claim);
    }
    const changed = state.lots.filter((l) => lastChange.has(l.code));
    await saveLots(tx, sessionId, changed);
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
    price: l.price,
    status: l.status,
    winner: l.winner,
    waitlist: l.waitlist,
    paid: l.paid,
    packed: l.packed,
    shipped: l.shipped,
    announced_message_key: l.announcedBy,
    announced_at: l.announcedAt,
  }));
  await sql.query(
    `insert into public.lots (stream_session_id, code, base_code, ord, title, price, status, winner, waitlist, paid, packed, shipped,
       announced_message_key, announced_at, updated_at)
     select $1, x.code, x.base_code, x.ord, x.title, x.price, x.status, x.winner, coalesce(x.waitlist, '[]'::jsonb), x.paid, x.packed,
            x.shipped, x.announced_message_key, x.announced_at, now()
       from jsonb_to_recordset($2::text::jsonb) as x(code text, base_code text, ord int, title text, price numeric, status text,
            winner jsonb, waitlist jsonb, paid boolean, packed boolean, shipped boolean, announced_message_key text, announced_at timestamptz)
     on conflict (stream_session_id, code) do update set
       title = excluded.title, price = excluded.price, status = excluded.status, winner = excluded.winner,
       waitlist = excluded.waitlist, paid = excluded.paid, packed = excluded.packed, shipped = excluded.shipped, updated_at = now()`,
    [sessionId, JSON.stringify(rows)],
  );
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
    price: l.price,
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

/** Applies a seller's correction; undefined when the show has no such lot. */
export async function correctLot(sql: Sql, sessionId: string, code: string, patch: LotPatch, now: Date = new Date()): Promise<Lot | undefined> {
  return sql.transaction(async (tx) => {
    await tx.query(`select 1 from public.stream_sessions where id = $1 for update`, [sessionId]);
    const [row] = await tx.query<LotRow>(`select ${LOT_COLUMNS} from public.lots where stream_session_id = $1 and code = $2`, [sessionId, code]);
    if (!row) return undefined;
    const lot = applyCorrection(toLot(row), patch, now.toISOString());
    await saveLots(tx, sessionId, [lot]);
    await syncSales(tx, sessionId, [lot]);
    return lot;
  });
}
