/**
 * Ingest: store a batch idempotently, classify what is new, capture buyers, answer per message.
 *
 * 1. Insert every valid message with ON CONFLICT DO NOTHING on (stream_session_id, message_key): the
 *    same batch sent twice is stored once.
 * 2. Classify only rows that have no intent yet (new ones, or ones a crash left unclassified), outside
 *    any transaction: the LLM may take seconds and must not hold a connection (or PGlite's only one).
 * 3. In one transaction: write the classification, and a sales_captured row for every purchase at or
 *    above the buyer threshold (idempotent too).
 * Duplicates answer with what is stored, including their buyer, so a retry after a lost response still
 * lets the caller announce the buyer.
 *
 * Batches travel as one JSON text parameter cast in SQL (`$2::text::jsonb`, never `$2::jsonb`: postgres.js
 * would JSON-encode a string bound to a jsonb parameter a second time); lists likewise.
 *
 * Dependency-free apart from zod (through contract.ts): loaded by Node and by Deno.
 */
import type { Sql } from './db.ts';
import { messageKey } from './identity.ts';
import type { Classification, ClassifyInput } from './intent/index.ts';
import { deriveOfferContext, HOST_BADGES, isOnOffer, offerAt, settleVerdict, type OfferContext } from './intent/offer.ts';
import { parseMessage, type AnswerPayload, type BuyerPayload, type ChatMessage, type IngestResult, type Intent } from './contract.ts';
import { advanceLedger, LEDGER_CLAIM_CONFIDENCE, listInterested, readOpenLots, type LedgerAdvance } from './ledger/store.ts';
import { lotPriceCents, summarizeLots, type ShowSummary } from './ledger/sale.ts';

/**
 * Classifies messages in order (the classifier's `classifyMessages`, with its LLM bound). `context.offer`
 * says what is on offer in the session, so the LLM is not asked about claims nothing could make buyers.
 */
export type ClassifyFn = (items: ClassifyInput[], context?: { offer?: OfferContext }) => Promise<Classification[]>;

/**
 * A freshly classified message the knowledge-base hook looks at: it answers questions (when auto-answer
 * is on), messages addressing the bot's trigger and `!commands`, and ignores the rest.
 */
export interface QuestionInput {
  messageId: string;
  rowId: number;
  author: string;
  text: string;
  intent: Intent;
  /** Normalized author badges (owner, moderator, vip, subscriber, member...): command permissions. */
  badges: string[];
  /** Already on the page when monitoring started: never answered. */
  backfill: boolean;
}

/** Answers messages of one session; returns answers by message id (may leave ids out). */
export type AnswerFn = (sql: Sql, sessionId: string, questions: QuestionInput[]) => Promise<Map<string, AnswerPayload>>;

export interface IngestOptions {
  classify: ClassifyFn;
  /** Purchases at or above this confidence are captured as buyers (BUYER_CONFIDENCE_THRESHOLD). */
  buyerThreshold: number;
  /** The knowledge-base hook (questions, the bot's trigger, `!commands`); nothing is answered without it. */
  answer?: AnswerFn;
  /**
   * What is on offer in the session (a claims ledger may bring its own); by default derived from the
   * session's platform and its recent host announcements and sale events ({@link readOfferContext}).
   */
  offer?: OfferContextFn;
}

/** Reads what is on offer in a session when a batch is classified. */
export type OfferContextFn = (sql: Sql, sessionId: string) => Promise<OfferContext>;

/** How many of a session's latest messages are searched for host announcements and sale events. */
const OFFER_LOOKBACK = 2_000;

interface StateRow {
  row_id: number;
  message_key: string;
  username: string;
  message: string;
  author_badges: string[] | null;
  backfill: boolean | null;
  intent: Intent | null;
  confidence: number | null;
  sale_confidence: number | null;
  buyer_username: string | null;
  message_text: string | null;
  item_description: string | null;
  estimated_value: number | null;
  sale_quantity: number | null;
  sale_size: string | null;
  sale_lot: string | null;
}

/** Stores, classifies and captures one batch for a session; one result per input item, in order. */
export async function ingestMessages(
  sql: Sql,
  sessionId: string,
  items: readonly unknown[],
  options: IngestOptions,
): Promise<IngestResult[]> {
  const parsed = items.map(parseMessage);
  const valid: ChatMessage[] = [];
  const seen = new Set<string>();
  for (const item of parsed) {
    if (item.ok && !seen.has(messageKey(item.message))) {
      seen.add(messageKey(item.message));
      valid.push(item.message);
    }
  }

  const inserted = new Set<string>();
  const state = new Map<string, StateRow>();
  const fresh = new Map<string, Classification>();
  const answers = new Map<string, AnswerPayload>();
  let ledger: LedgerAdvance | undefined;
  if (valid.length > 0) {
    await ensureSession(sql, sessionId, valid[0]!.platform);
    for (const key of await insertMessages(sql, sessionId, valid)) inserted.add(key);
    for (const row of await readState(sql, sessionId, valid.map(messageKey))) state.set(row.message_key, row);

    const pending = [...state.values()].filter((row) => row.intent === null);
    if (pending.length > 0) {
      // Read after this batch is stored, so a host announcing a lot in the same batch counts.
      const offer = await (options.offer ?? readOfferWithLots)(sql, sessionId);
      const results = await options.classify(
        pending.map((row) => ({ id: row.message_key, text: row.message, author: row.username })),
        { offer },
      );
      // Each message is judged by what was on offer when it arrived ("sold" before the host's first lot is not a buyer).
      pending.forEach((row, i) => fresh.set(row.message_key, settleVerdict(clampClassification(results[i]), offerAt(offer, Number(row.row_id)))));
      await saveClassifications(sql, sessionId, pending, fresh, options.buyerThreshold);
      if (options.answer) {
        const found = await options.answer(
          sql,
          sessionId,
          pending.map((row) => ({
            messageId: row.message_key,
            rowId: Number(row.row_id),
            author: row.username,
            text: row.message,
            intent: fresh.get(row.message_key)!.intent,
            badges: row.author_badges ?? [],
            backfill: row.backfill === true,
          })),
        );
        for (const [key, answer] of found) answers.set(key, answer);
      }
    }
    // The claims ledger reads the show in stored order, after classification (its sales build on it).
    ledger = await advanceLedger(sql, sessionId);
  }
  // The show's counts after the batch travel with every lot it changed (lot_update's summary).
  let summary: ShowSummary | undefined;
  if (ledger && ledger.lotsByMessage.size > 0) {
    const interested = await listInterested(sql, sessionId, ledger.lots);
    summary = { ...summarizeLots(ledger.lots, { live: true }), interested: interested.length };
  }

  const reported = new Set<string>();
  return parsed.map((item): IngestResult => {
    if (!item.ok) {
      return {
        messageId: item.id,
        stored: false,
        intent: 'other',
        confidence: 0,
        error: { code: 'invalid_message', message: item.reason },
      };
    }
    const key = messageKey(item.message);
    const row = state.get(key);
    const first = !reported.has(key);
    reported.add(key);
    const classification = fresh.get(key);
    const result: IngestResult = {
      messageId: key,
      stored: first && inserted.has(key),
      intent: classification?.intent ?? row?.intent ?? 'other',
      confidence: classification?.confidence ?? Number(row?.confidence ?? 0),
    };
    const buyer = classification
      ? buyerOf(row!, classification, options.buyerThreshold)
      : row?.sale_confidence != null
        ? storedBuyer(row)
        : undefined;
    if (buyer && first) result.buyer = buyer;
    if (ledger && row && first) applyLedgerOutcome(result, row, ledger);
    if (result.lots && summary) result.summary = summary;
    const answer = answers.get(key);
    if (answer && first) result.answer = answer;
    return result;
  });
}

/** Creates the session row when the first message arrives before the service reported the session. */
async function ensureSession(sql: Sql, sessionId: string, platform: string): Promise<void> {
  await sql.query(
    `insert into public.stream_sessions (id, platform, status) values ($1, $2, 'live') on conflict (id) do nothing`,
    [sessionId, platform],
  );
}

/**
 * The default offer context: the session's platform, and among its latest messages the host's (by
 * author badge) and the platform's system messages. Bounded, so a long session costs the same per batch.
 */
export async function readOfferContext(sql: Sql, sessionId: string): Promise<OfferContext> {
  const [session] = await sql.query<{ platform: string | null }>(`select platform from public.stream_sessions where id = $1`, [sessionId]);
  // A live-shopping show is on offer throughout: no need to read its lines.
  const byPlatform = deriveOfferContext(session?.platform, []);
  if (isOnOffer(byPlatform)) return byPlatform;
  const lines = await sql.query<{ row_id: number; message: string; username: string; author_badges: string[] | null; kind: string | null }>(
    `select row_id, message, username, author_badges, kind
       from (select id::float8 as row_id, message, username, author_badges, kind from public.chat_messages
              where stream_session_id = $1 order by captured_at desc, id desc limit $3) recent
      where kind = 'system' or author_badges && (select array_agg(x) from jsonb_array_elements_text($2::text::jsonb) as b(x))`,
    [sessionId, JSON.stringify(HOST_BADGES), OFFER_LOOKBACK],
  );
  return deriveOfferContext(
    session?.platform,
    lines.map((l) => ({ text: l.message, author: l.username, badges: l.author_badges ?? [], kind: l.kind, rowId: Number(l.row_id) })),
  );
}

/** Inserts what is not stored yet (one statement for the whole batch); returns the keys it inserted. */
async function insertMessages(sql: Sql, sessionId: string, messages: ChatMessage[]): Promise<string[]> {
  const rows = messages.map((m, ord) => ({
    ord,
    message_key: messageKey(m),
    platform_message_id: m.platformMessageId ?? null,
    username: m.author.name,
    author_id: m.author.id ?? null,
    author_badges: m.author.badges,
    message: m.text,
    platform: m.platform,
    kind: m.kind ?? null,
    paid_amount: m.paid?.amount ?? null,
    paid_currency: m.paid?.currency ?? null,
    backfill: m.backfill,
    sent_at: m.sentAt ?? null,
    captured_at: m.capturedAt,
  }));
  const result = await sql.query<{ message_key: string }>(
    `with input as (
       select * from jsonb_to_recordset($2::text::jsonb) as x(
         ord int, message_key text, platform_message_id text, username text, author_id text, author_badges text[],
         message text, platform text, kind text, paid_amount numeric, paid_currency text, backfill boolean,
         sent_at timestamptz, captured_at timestamptz)
     ), ins as (
       insert into public.chat_messages (stream_session_id, message_key, platform_message_id, username, author_id,
         author_badges, message, platform, kind, paid_amount, paid_currency, backfill, sent_at, captured_at)
       select $1, message_key, platform_message_id, username, author_id, author_badges, message, platform, kind,
         paid_amount, paid_currency, backfill, sent_at, captured_at
       from input order by ord
       on conflict (stream_session_id, message_key) do nothing
       returning message_key, captured_at
     ), counted as (
       update public.stream_sessions
          set message_count = message_count + (select count(*) from ins),
              last_message_at = greatest(last_message_at, (select max(captured_at) from ins)),
              updated_at = now()
        where id = $1 and exists (select 1 from ins)
     )
     select message_key from ins`,
    [sessionId, JSON.stringify(rows)],
  );
  return result.map((r) => r.message_key);
}

/** What is stored for these keys: classification and captured sale. */
function readState(sql: Sql, sessionId: string, keys: string[]): Promise<StateRow[]> {
  return sql.query<StateRow>(
    `select m.id::float8 as row_id, m.message_key, m.username, m.message, m.author_badges, m.backfill, m.intent, m.confidence::float8 as confidence,
            s.confidence::float8 as sale_confidence, s.buyer_username, s.message_text, s.item_description,
            s.estimated_value::float8 as estimated_value, s.quantity as sale_quantity, s.size as sale_size,
            s.lot_code as sale_lot
       from public.chat_messages m
       left join public.sales_captured s on s.stream_session_id = m.stream_session_id and s.message_key = m.message_key
      where m.stream_session_id = $1 and m.message_key in (select jsonb_array_elements_text($2::text::jsonb))`,
    [sessionId, JSON.stringify(keys)],
  );
}

/** Writes classifications and buyers in one transaction; both writes are idempotent. */
async function saveClassifications(
  sql: Sql,
  sessionId: string,
  rows: StateRow[],
  classifications: Map<string, Classification>,
  threshold: number,
): Promise<void> {
  const updates = rows.map((row) => {
    const c = classifications.get(row.message_key)!;
    return {
      message_key: row.message_key,
      intent: c.intent,
      confidence: c.confidence,
      classified_by: c.source,
      quantity: c.quantity ?? null,
      price: c.price ?? null,
      item_code: c.itemCode ?? null,
      size: c.size ?? null,
      item: c.item ?? null,
    };
  });
  const sales = rows.flatMap((row) => {
    const c = classifications.get(row.message_key)!;
    const buyer = buyerOf(row, c, threshold);
    if (!buyer) return [];
    return [
      {
        chat_message_id: Number(row.row_id),
        message_key: row.message_key,
        buyer_username: buyer.username,
        message_text: buyer.message,
        item_description: buyer.item ?? null,
        estimated_value: buyer.price ?? null,
        quantity: buyer.quantity ?? null,
        item_code: c.itemCode ?? null,
        size: buyer.size ?? null,
        confidence: buyer.confidence,
      },
    ];
  });
  await sql.transaction(async (tx) => {
    await tx.query(
      `update public.chat_messages m
          set intent = x.intent, confidence = x.confidence, classified_by = x.classified_by, quantity = x.quantity,
              price = x.price, item_code = x.item_code, size = x.size, item = x.item
         from jsonb_to_recordset($2::text::jsonb) as x(message_key text, intent text, confidence float8, classified_by text,
              quantity int, price numeric, item_code text, size text, item text)
        where m.stream_session_id = $1 and m.message_key = x.message_key`,
      [sessionId, JSON.stringify(updates)],
    );
    if (sales.length === 0) return;
    await tx.query(
      `with ins as (
         insert into public.sales_captured (stream_session_id, chat_message_id, message_key, buyer_username, message_text,
           item_description, estimated_value, quantity, item_code, size, confidence, platform)
         select $1, x.chat_message_id, x.message_key, x.buyer_username, x.message_text, x.item_description,
                x.estimated_value, x.quantity, x.item_code, x.size, x.confidence,
                (select platform from public.stream_sessions where id = $1)
           from jsonb_to_recordset($2::text::jsonb) as x(chat_message_id bigint, message_key text, buyer_username text,
                message_text text, item_description text, estimated_value numeric, quantity int, item_code text,
                size text, confidence float8)
         on conflict (stream_session_id, message_key) do nothing
         returning 1
       )
       update public.stream_sessions set buyer_count = buyer_count + (select count(*) from ins) where id = $1`,
      [sessionId, JSON.stringify(sales)],
    );
  });
}

/** Keeps a misbehaving classifier from writing values the schema rejects. */
function clampClassification(c: Classification | undefined): Classification {
  if (!c) return { intent: 'other', confidence: 0, source: 'rules', ambiguous: true };
  const intent: Intent = c.intent === 'purchase' || c.intent === 'question' ? c.intent : 'other';
  const confidence = Number.isFinite(c.confidence) ? Math.min(1, Math.max(0, c.confidence)) : 0;
  return { ...c, intent, confidence };
}

/** A buyer when the message is a purchase at or above the threshold. */
function buyerOf(row: StateRow, c: Classification, threshold: number): BuyerPayload | undefined {
  if (c.intent !== 'purchase' || c.confidence < threshold) return undefined;
  const buyer: BuyerPayload = { username: row.username, message: row.message, confidence: c.confidence };
  const item = c.item ?? c.itemCode;
  if (item) buyer.item = item;
  if (c.price !== undefined) buyer.price = c.price;
  if (c.quantity !== undefined) buyer.quantity = c.quantity;
  if (c.size) buyer.size = c.size;
  return buyer;
}

/** The buyer as sales_captured recorded it (for duplicates). */
function storedBuyer(row: StateRow): BuyerPayload {
  const buyer: BuyerPayload = {
    username: row.buyer_username ?? row.username,
    message: row.message_text ?? row.message,
    confidence: Number(row.sale_confidence),
  };
  if (row.item_description) buyer.item = row.item_description;
  if (row.estimated_value !== null) buyer.price = Number(row.estimated_value);
  if (row.sale_quantity !== null) buyer.quantity = Number(row.sale_quantity);
  if (row.sale_size) buyer.size = row.sale_size;
  if (row.sale_lot) buyer.lot = row.sale_lot;
  return buyer;
}

/** The default offer context plus the ledger's open lots: a claim on an open lot is a claim on something. */
async function readOfferWithLots(sql: Sql, sessionId: string): Promise<OfferContext> {
  const [offer, openLots] = await Promise.all([readOfferContext(sql, sessionId), readOpenLots(sql, sessionId)]);
  return openLots.length > 0 ? { ...offer, openLots } : offer;
}

/**
 * What the ledger decided about one message: a winning claim is a buyer of that lot (its code, title
 * and price), even when the classifier missed it; a claim on a lot's waitlist is a `waitlist` buyer of
 * that lot; a purchase no lot holds is `interested` (a lead); a claim repeated by the viewer who
 * already holds it is no second buyer; lots the message changed travel with it (lot_update).
 */
function applyLedgerOutcome(result: IngestResult, row: StateRow, ledger: LedgerAdvance): void {
  const key = row.message_key;
  const lots = ledger.lotsByMessage.get(key);
  if (lots) result.lots = lots;
  const claim = ledger.claims.get(key);
  if (!claim) {
    if (result.buyer) result.buyer.status = 'interested';
    return;
  }
  if (claim.repeat) {
    delete result.buyer;
    return;
  }
  const lot = ledger.lots.find((l) => l.code === claim.code);
  if (!lot) return;
  const buyer: BuyerPayload = result.buyer ?? { username: row.username, message: row.message, confidence: LEDGER_CLAIM_CONFIDENCE };
  buyer.lot = lot.code;
  buyer.item = lot.title ?? lot.code;
  if (claim.role !== 'winner' || lot.winner?.messageId !== key) {
    // On the waitlist (or already displaced within the batch): the lot holds the claim, but it is no sale.
    buyer.status = 'waitlist';
    delete buyer.price;
    result.buyer = buyer;
    return;
  }
  buyer.status = 'winner';
  const price = lotPriceCents(lot);
  if (price !== null) buyer.price = price / 100;
  if (lot.winner.quantity !== undefined) buyer.quantity = lot.winner.quantity;
  if (lot.winner.size !== undefined) buyer.size = lot.winner.size;
  result.buyer = buyer;
}
