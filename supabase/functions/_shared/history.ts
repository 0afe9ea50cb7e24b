/**
 * Message history: newest first, full-text search over author and text (chat_messages.search, a GIN
 * index), and stable paging with a cursor. Dependency-free: loaded by Node and by Deno.
 */
import type { Sql } from './db.ts';
import { CoreError } from './errors.ts';
import type { CapturedBuyer, Intent, MessagePage, MessageQuery, StoredMessage } from './contract.ts';

interface HistoryRow {
  row_id: number;
  message_key: string;
  platform: string;
  username: string;
  author_id: string | null;
  author_badges: string[] | string | null;
  message: string;
  sent_at: Date | string | null;
  captured_at: Date | string;
  backfill: boolean;
  intent: Intent | null;
  confidence: number | null;
  deleted: boolean;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * One page of a session's messages, newest first. `before` is an ISO time or the id of a message
 * (the previous page's `nextCursor`); ties on time are broken by storage order, so no row is skipped.
 */
export async function listMessages(sql: Sql, sessionId: string, query: MessageQuery): Promise<MessagePage> {
  const limit = Math.max(1, Math.min(500, Math.floor(query.limit)));
  const params: unknown[] = [sessionId];
  const where = ['m.stream_session_id = $1'];
  const q = query.q?.trim();
  if (q) {
    params.push(q);
    where.push(`m.search @@ websearch_to_tsquery('simple', $${params.length})`);
  }
  if (query.before) {
    if (ISO_TIME.test(query.before) && !Number.isNaN(Date.parse(query.before))) {
      params.push(query.before);
      where.push(`m.captured_at < $${params.length}::timestamptz`);
    } else {
      const cursor = await sql.query<{ captured_at: Date | string; row_id: number }>(
        `select captured_at, id::float8 as row_id from public.chat_messages where stream_session_id = $1 and message_key = $2`,
        [sessionId, query.before],
      );
      if (cursor.length === 0) {
        throw new CoreError('invalid_body', 'before: neither an ISO time nor the id of a message of this session');
      }
      params.push(toIso(cursor[0]!.captured_at), cursor[0]!.row_id);
      where.push(`(m.captured_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
  }
  params.push(limit + 1);
  const rows = await sql.query<HistoryRow>(
    `select m.id::float8 as row_id, m.message_key, m.platform, m.username, m.author_id, m.author_badges, m.message,
            m.sent_at, m.captured_at, m.backfill, m.intent, m.confidence::float8 as confidence, m.deleted
       from public.chat_messages m
      where ${where.join(' and ')}
      order by m.captured_at desc, m.id desc
      limit $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit).map((row) => toStored(sessionId, row));
  return { messages: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

function toStored(sessionId: string, row: HistoryRow): StoredMessage {
  const message: StoredMessage = {
    id: row.message_key,
    sessionId,
    platform: row.platform,
    author: { name: row.username, badges: parseTextArray(row.author_badges) },
    text: row.message,
    capturedAt: toIso(row.captured_at),
    backfill: row.backfill,
    deleted: row.deleted,
  };
  if (row.author_id) message.author.id = row.author_id;
  if (row.sent_at) message.sentAt = toIso(row.sent_at);
  if (row.intent) message.intent = row.intent;
  if (row.confidence !== null) message.confidence = Number(row.confidence);
  return message;
}

/** Drivers return timestamptz as Date (PGlite, postgres.js) or text; the wire wants ISO 8601. */
export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** text[] arrives as a JS array from both drivers; a literal '{a,b}' is parsed just in case. */
function parseTextArray(value: string[] | string | null): string[] {
  if (Array.isArray(value)) return value;
  if (!value || value === '{}') return [];
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((part) => part.replace(/^"|"$/g, ''));
}

interface BuyerRow {
  message_key: string;
  buyer_username: string;
  message_text: string;
  item_description: string | null;
  estimated_value: string | number | null;
  quantity: number | null;
  size: string | null;
  lot_code: string | null;
  confidence: number;
  captured_at: Date | string;
}

/**
 * The captured buyers of a session, first claimer first (the seller's pick list). Sales outlive chat
 * retention, so this reads sales_captured alone.
 */
export async function listBuyers(sql: Sql, sessionId: string, limit: number): Promise<CapturedBuyer[]> {
  const rows = await sql.query<BuyerRow>(
    `select message_key, buyer_username, message_text, item_description, estimated_value::float8 as estimated_value,
            quantity, size, confidence::float8 as confidence, captured_at, lot_code
       from public.sales_captured
      where stream_session_id = $1
      order by captured_at asc, id asc
      limit $2`,
    [sessionId, Math.max(1, Math.min(5_000, Math.floor(limit)))],
  );
  return rows.map((row) => {
    const buyer: CapturedBuyer['buyer'] = {
      username: row.buyer_username,
      message: row.message_text,
      confidence: Number(row.confidence),
    };
    if (row.item_description) buyer.item = row.item_description;
    if (row.estimated_value !== null) buyer.price = Number(row.estimated_value);
    if (row.quantity !== null) buyer.quantity = row.quantity;
    if (row.size) buyer.size = row.size;
    if (row.lot_code) buyer.lot = row.lot_code;
    return { messageId: row.message_key, capturedAt: toIso(row.captured_at), buyer };
  });
}
