/**
 * The backend contract, written once: what the service, the edge function monitor-realtime-stream and
 * the dashboard exchange, as zod schemas with their TypeScript types inferred from them. Each schema and
 * its type share a name (`ChatMessage` the schema, `ChatMessage` the type). The function parses its
 * request bodies with these schemas, the service's Supabase backend parses the function's answers with
 * them, and the dashboard imports the types only (so no zod reaches its bundle).
 * Node and Deno: imports only zod and relative _shared modules.
 *
 * Bodies the function accepts (POST, JSON):
 * - the seed's single message: `{message, username, streamSessionId, platform?, id?}`
 * - a batch: `{streamSessionId, messages: ChatMessage[]}` -> {@link IngestAnswer}
 * - actions: `{action:"upsert_session", session}` -> `{ok:true}`, `{action:"mark_deleted", streamSessionId,
 *   messageIds}` -> `{updated}`, `{action:"housekeep", deleteBefore, staleBefore}` -> HousekeepingReport,
 *   `{action:"correct_lot", streamSessionId, code, patch}` -> `{lot}` (stale `patch.version`: 409 lot_changed
 *   with `error.lot`), `{action:"undo_lot", streamSessionId, code}` -> `{lot}`, `{action:"settle_lots",
 *   streamSessionId}` -> `{lots}` (the lots it closed)
 * and its GET queries: history (-> MessagePage), `action=buyers` (-> `{buyers}`), `action=lots`
 * (-> `{lots, summary}`), `action=lot_history&code=` (-> `{history}`), `action=audit` (-> `{lots}`),
 * `action=interested` (-> `{interested}`), `action=ping` (-> `{status:"ok"}`). Errors: `{error:{code,message}}`.
 *
 * Text is hostile input: every string a body or a message carries goes through text.ts (NUL, lone
 * surrogates and control characters dropped, whitespace collapsed, length capped on a grapheme boundary:
 * {@link sanitizeText}, the one function capture and storage both use; {@link scrubText} where layout
 * counts; re-exported here), so the service and the function store the same text.
 */
import { z } from 'zod';
import { CoreError } from './errors.ts';
import {
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery as StoredWebhookDelivery,
  type WebhookEndpoint as StoredWebhookEndpoint,
} from './webhooks/store.ts';
import type { Intent as ClassifierIntent } from './intent/types.ts';
import type { FeaturedMessage as StoredFeaturedMessage, OverlaySettings as StoredOverlaySettings } from './overlay/store.ts';
import type {
  Assignment as LedgerAssignment,
  AssignmentState,
  HistoryActor as LedgerHistoryActor,
  Lot as LedgerLot,
  LotAction,
  LotClaim as LedgerLotClaim,
  LotHistoryEntry as LedgerLotHistoryEntry,
  LotStatus,
  SalesSummary as LedgerSalesSummary,
  SessionSales as LedgerSessionSales,
  ShowSummary as LedgerShowSummary,
} from './ledger/sale.ts';
import { MAX_AUTHOR_LENGTH, MAX_BATCH_MESSAGES, MAX_ID_LENGTH, MAX_TEXT_LENGTH, sanitizeText, scrubText } from './text.ts';

export { MAX_AUTHOR_LENGTH, MAX_BATCH_MESSAGES, MAX_ID_LENGTH, MAX_TEXT_LENGTH, sanitizeText, scrubText };

/** Text through the one sanitizer, cut at `max`. */
// `overwrite`, not `transform`: the value stays a string, so the OpenAPI document (generated from these
// schemas) can still say what an answer holds.
const text = (max: number) => z.string().overwrite((v) => sanitizeText(v, max));
/** Text that must say something: '' after sanitizing (nothing but NUL, say) is refused. */
const someText = (max: number) => text(max).min(1);
/** Text whose layout counts (a status detail, a URL): only NUL and lone surrogates go. */
const storable = (max: number) => z.string().max(max).overwrite(scrubText);
// An id longer than the cap is refused, not cut: two ids cut to one would be one message.
const id = z
  .string()
  .max(4 * MAX_ID_LENGTH)
  .overwrite((v) => sanitizeText(v, Number.POSITIVE_INFINITY))
  .min(1)
  .max(MAX_ID_LENGTH);
const isoTime = z.iso.datetime({ offset: true });
const platformName = someText(40);

// ---------------------------------------------------------------------------------------------------
// Chat messages (what the service captures and sends)

/** What kind of chat message it is; plain text when absent. */
export const MESSAGE_KINDS = ['text', 'paid', 'membership', 'sticker', 'system'] as const;

/** Who wrote a message. Badge names are normalized across platforms ("owner", "moderator", ...). */
export const ChatAuthor = z.object({
  name: text(MAX_AUTHOR_LENGTH),
  id: text(MAX_ID_LENGTH).optional(),
  badges: z
    .array(text(50))
    .max(20)
    .default([])
    .overwrite((badges) => badges.filter(Boolean)),
});
export type ChatAuthor = z.output<typeof ChatAuthor>;

/** A paid message (Super Chat, Super Sticker, tip...). */
export const PaidInfo = z.object({
  amount: z.number().finite().min(0).max(1e9),
  currency: someText(10),
  /** The platform's own display string, e.g. "$5.00". */
  display: text(50).optional(),
});
export type PaidInfo = z.output<typeof PaidInfo>;

/** One chat message, exactly once per session: one item of a batch. */
export const ChatMessage = z.object({
  /** Identity within the session: the platform id or Earshot's stream-position id. */
  id,
  platform: platformName,
  author: ChatAuthor,
  text: z.string().max(20 * MAX_TEXT_LENGTH).overwrite((v) => sanitizeText(v, MAX_TEXT_LENGTH)),
  /** When the platform says it was sent (ISO 8601), if it says. */
  sentAt: isoTime.optional(),
  /** When Earshot captured it (ISO 8601). */
  capturedAt: isoTime,
  /** True for messages that were already on the page when monitoring started. */
  backfill: z.boolean().default(false),
  kind: z.enum(MESSAGE_KINDS).optional(),
  paid: PaidInfo.optional(),
  /** The platform's own message id, when the caller knows `id` is not one. */
  platformMessageId: text(MAX_ID_LENGTH).optional(),
});
/**
 * A chat message after validation. `P` narrows the platform: the service speaks only the platforms it
 * knows (src/domain/message.ts), the function stores whatever name it is given.
 */
export type ChatMessage<P extends string = string> = z.output<typeof ChatMessage> & { platform: P };
/** A chat message as a caller may send it (badges and backfill may be left out). */
export type ChatMessageInput = z.input<typeof ChatMessage>;

// ---------------------------------------------------------------------------------------------------
// Request bodies of monitor-realtime-stream

/** The seed system's body: one message, no id (a fresh key is minted unless `id` is given). */
export const SingleBody = z.object({
  message: z.string().max(20 * MAX_TEXT_LENGTH),
  username: z.string().max(10 * MAX_AUTHOR_LENGTH),
  streamSessionId: id,
  platform: platformName.default('generic'),
  id: id.optional(),
});

/** Items are validated one by one ({@link parseMessage}) so that one bad message does not sink the whole batch. */
export const BatchBody = z.object({
  streamSessionId: id,
  messages: z.array(z.unknown()).min(1).max(MAX_BATCH_MESSAGES),
});
/** A batch as the service sends it. */
export type BatchRequest = z.input<typeof BatchBody> & { messages: ChatMessageInput[] };

/** A session row as the service reports it. */
export const SessionUpsert = z.object({
  sessionId: id,
  platform: platformName,
  url: storable(2048).optional(),
  source: text(20).optional(),
  status: someText(40),
  detail: storable(1000).optional(),
  startedAt: isoTime.optional(),
  /** The dashboard user owning the session (RLS); kept when omitted. */
  ownerId: z.uuid().optional(),
  /** The host's usernames (start-monitoring's `seller`): their messages announce lots. Kept when omitted. */
  sellers: z.array(someText(MAX_AUTHOR_LENGTH)).max(20).optional(),
});
export type SessionUpsert = z.output<typeof SessionUpsert>;

export const SessionBody = z.object({
  action: z.literal('upsert_session'),
  session: SessionUpsert,
});

/** A username as corrections name it ("@amy" or "amy"). */
const username = z
  .string()
  .overwrite((v) => sanitizeText(v, MAX_AUTHOR_LENGTH).replace(/^@+/, ''))
  .min(1);

/**
 * A seller's correction of one lot (PATCH /api/sessions/:id/lots/:code, and the function's correct_lot
 * action): the winner (null: none), the waitlist in order, price (`priceCents`, or `price` in currency
 * units for old clients), title, void, and the CURRENT assignment's paid/packed/shipped/invoiced marks.
 * `version` is the lot's version the caller saw: a lot changed since is refused (409 lot_changed).
 * At least one field besides version; unknown fields are refused.
 */
export const LotPatchBody = z
  .object({
    version: z.number().int().min(0).optional(),
    winner: username.nullable().optional(),
    waitlist: z.array(username).max(100).optional(),
    priceCents: z.number().int().min(0).max(1e11).nullable().optional(),
    price: z.number().finite().min(0).max(1e9).nullable().optional(),
    title: z.string().max(1000).transform((v) => sanitizeText(v, 200) || null).nullable().optional(),
    void: z.boolean().optional(),
    paid: z.boolean().optional(),
    packed: z.boolean().optional(),
    shipped: z.boolean().optional(),
    invoiced: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change')
  .refine((p) => p.price === undefined || p.priceCents === undefined, 'give priceCents or price, not both')
  // The first refinement as JSON Schema can say it (the OpenAPI document is generated from this schema).
  .meta({ minProperties: 1 });
export type LotPatchBody = z.output<typeof LotPatchBody>;

/** A lot code as the URL names it ("C3", "A1 (2)"). */
export const LotCode = z.string().max(200).overwrite(scrubText).trim().min(1).max(40);

export const CorrectLotBody = z.object({
  action: z.literal('correct_lot'),
  streamSessionId: id,
  code: LotCode,
  patch: LotPatchBody,
  /** The seller making it (history's `by`). */
  userId: z.string().max(100).nullable().optional(),
});

/** Undoes the latest seller change of a lot. */
export const UndoLotBody = z.object({
  action: z.literal('undo_lot'),
  streamSessionId: id,
  code: LotCode,
  userId: z.string().max(100).nullable().optional(),
});

/** The end of a show: every open lot closes (sold to its winner, else unsold). */
export const SettleLotsBody = z.object({
  action: z.literal('settle_lots'),
  streamSessionId: id,
});

export const DeletedBody = z.object({
  action: z.literal('mark_deleted'),
  streamSessionId: id,
  messageIds: z.array(id).min(1).max(MAX_BATCH_MESSAGES),
});

export const HousekeepBody = z.object({
  action: z.literal('housekeep'),
  deleteBefore: isoTime,
  staleBefore: isoTime,
});

/** Every body the service POSTs to the function. */
export type MonitorPost =
  | BatchRequest
  | z.input<typeof SessionBody>
  | z.input<typeof DeletedBody>
  | z.input<typeof HousekeepBody>
  | z.input<typeof CorrectLotBody>
  | z.input<typeof UndoLotBody>
  | z.input<typeof SettleLotsBody>;

/** The query of GET monitor-realtime-stream (history). */
export const HistoryQuery = z.object({
  streamSessionId: id,
  /** Full-text search (web-search syntax: words, "phrases", -exclusions, or). */
  q: z.string().max(1000).overwrite(scrubText).trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Only messages strictly older than this: an ISO time, or the id of a message (a page cursor). */
  before: z.string().max(1000).overwrite(scrubText).trim().min(1).max(MAX_ID_LENGTH).optional(),
});
/** What a history page asks for, whatever the session. */
export type MessageQuery = Omit<z.output<typeof HistoryQuery>, 'streamSessionId'>;

export const BuyersQuery = z.object({
  streamSessionId: id,
  limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
});

export const LotsQuery = z.object({ streamSessionId: id });
export const LotHistoryQuery = z.object({ streamSessionId: id, code: LotCode });

// ---------------------------------------------------------------------------------------------------
// What the function answers (checked by the service's Supabase backend)

/** What a chat message wants: to buy, to know something, or neither (the classifier's Intent). */
export const Intent = z.enum(['purchase', 'question', 'other']) satisfies z.ZodType<ClassifierIntent>;
export type Intent = ClassifierIntent;

const LotClaim = z.object({
  username: z.string(),
  messageId: z.string().nullable(),
  at: z.string(),
  quantity: z.number().optional(),
  size: z.string().optional(),
  bidCents: z.number().optional(),
}) satisfies z.ZodType<LedgerLotClaim>;

/** A lot given to one buyer, with that buyer's own marks (ledger/sale.ts). */
export const Assignment = z.object({
  id: z.string(),
  username: z.string(),
  messageId: z.string().nullable(),
  at: z.string(),
  quantity: z.number().optional(),
  size: z.string().optional(),
  priceCents: z.number().nullable(),
  paid: z.boolean(),
  packed: z.boolean(),
  shipped: z.boolean(),
  invoiced: z.boolean().optional(),
  state: z.enum(['current', 'replaced', 'withdrawn', 'voided']) satisfies z.ZodType<AssignmentState>,
}) satisfies z.ZodType<LedgerAssignment>;
export type Assignment = LedgerAssignment;

/** A lot of the claims ledger (the type is the ledger's own, supabase/functions/_shared/ledger/sale.ts). */
export const Lot = z.object({
  code: z.string(),
  baseCode: z.string(),
  title: z.string().nullable(),
  priceCents: z.number().nullable(),
  price: z.number().nullable(),
  status: z.enum(['open', 'sold', 'unsold', 'void']) satisfies z.ZodType<LotStatus>,
  winner: LotClaim.nullable(),
  waitlist: z.array(LotClaim),
  assignment: Assignment.nullable(),
  assignments: z.array(Assignment),
  paid: z.boolean(),
  packed: z.boolean(),
  shipped: z.boolean(),
  version: z.number(),
  auction: z.object({ open: z.boolean(), highBidCents: z.number().nullable(), bids: z.number() }).optional(),
  announcedBy: z.string().nullable(),
  announcedAt: z.string(),
  ord: z.number(),
}) satisfies z.ZodType<LedgerLot>;
export type Lot = LedgerLot;
export type LotClaim = LedgerLotClaim;

/** A show's counts (ledger/sale.ts summarizeLots), the same everywhere a seller counts. */
export const SalesSummary = z.object({
  lots: z.number(),
  sold: z.number(),
  pending: z.number(),
  open: z.number(),
  unsold: z.number(),
  void: z.number(),
  buyers: z.number(),
  pendingBuyers: z.number(),
  revenueCents: z.number(),
  pendingCents: z.number(),
  unpriced: z.number(),
}) satisfies z.ZodType<LedgerSalesSummary>;
export type SalesSummary = LedgerSalesSummary;

/** The summary the API answers: plus `interested` (distinct viewers with purchase intent no lot holds). */
export const ShowSummary = SalesSummary.extend({ interested: z.number() }) satisfies z.ZodType<LedgerShowSummary>;
export type ShowSummary = LedgerShowSummary;

/** The session object's `sales` (GET /api/sessions). */
export const SessionSales = z.object({
  sold: z.number(),
  pending: z.number(),
  buyers: z.number(),
  interested: z.number(),
  revenueCents: z.number(),
  pendingCents: z.number(),
}) satisfies z.ZodType<LedgerSessionSales>;
export type SessionSales = LedgerSessionSales;

const HistoryActor = z.union([
  z.object({ kind: z.literal('message'), messageId: z.string(), username: z.string() }),
  z.object({ kind: z.literal('seller'), userId: z.string().nullable() }),
]) satisfies z.ZodType<LedgerHistoryActor>;
export type HistoryActor = LedgerHistoryActor;

const LOT_ACTIONS = ['announce', 'update', 'claim', 'waitlist', 'withdraw', 'close', 'assign', 'void', 'auction', 'bid', 'going', 'settle', 'correct', 'undo', 'refused'] as const;

/** One change to a lot: when, by whom, before -> after. */
export const LotHistoryEntry = z.object({
  at: z.string(),
  by: HistoryActor,
  action: z.enum(LOT_ACTIONS) satisfies z.ZodType<LotAction>,
  reason: z.string().optional(),
  before: Lot.nullable(),
  after: Lot,
}) satisfies z.ZodType<LedgerLotHistoryEntry>;
export type LotHistoryEntry = LedgerLotHistoryEntry;

/**
 * One line of a show's audit export: a change to a lot with the message behind it (platform time,
 * capture time, id, text) when chat made it.
 */
export const AuditEntry = z.object({
  code: z.string(),
  at: z.string(),
  action: z.enum(LOT_ACTIONS),
  by: HistoryActor,
  username: z.string().nullable(),
  messageId: z.string().nullable(),
  text: z.string().nullable(),
  sentAt: z.string().nullable(),
  capturedAt: z.string().nullable(),
  /** Who held the lot after the change (winner) and why someone lost it or left the waitlist. */
  winner: z.string().nullable(),
  reason: z.string().nullable(),
});
export type AuditEntry = z.output<typeof AuditEntry>;

/** A lot in the audit export: its entries oldest first. */
export const AuditLot = z.object({
  code: z.string(),
  title: z.string().nullable(),
  status: z.enum(['open', 'sold', 'unsold', 'void']),
  entries: z.array(AuditEntry),
});
export type AuditLot = z.output<typeof AuditLot>;

/** A viewer with purchase intent that no lot holds: a lead, not a sale. */
export const InterestedViewer = z.object({
  username: z.string(),
  messages: z.array(z.object({ messageId: z.string(), text: z.string(), at: z.string() })),
});
export type InterestedViewer = z.output<typeof InterestedViewer>;

/** A buyer as the ledger says (GET /api/sessions/:id/buyers). */
export const LedgerBuyer = z.object({
  username: z.string(),
  lots: z.array(z.object({ code: z.string(), title: z.string().nullable(), priceCents: z.number().nullable(), status: z.enum(['sold', 'pending']) })),
  sold: z.number(),
  pending: z.number(),
  totalCents: z.number(),
  paid: z.boolean(),
  packed: z.boolean(),
  shipped: z.boolean(),
});
export type LedgerBuyer = z.output<typeof LedgerBuyer>;

/** What a buyer_detected message is to the ledger: a lot's winner, on its waitlist, or interest no lot holds. */
export const BuyerStatus = z.enum(['winner', 'waitlist', 'interested']);
export type BuyerStatus = z.output<typeof BuyerStatus>;

/** The buyer payload the seed dashboard (DealFlow) reads: exactly these names. */
export const BuyerPayload = z.object({
  username: z.string(),
  message: z.string(),
  confidence: z.number(),
  item: z.string().optional(),
  price: z.number().optional(),
  quantity: z.number().optional(),
  size: z.string().optional(),
  /** The ledger's lot this buyer won ("C3", "A1 (2)"); item and price are then the lot's title and price. */
  lot: z.string().optional(),
  /** What the ledger made of the message: only winners are buyers; absent from old backends. */
  status: BuyerStatus.optional(),
});
export type BuyerPayload = z.output<typeof BuyerPayload>;

/** A captured sale as the pick list shows it (sales_captured, oldest first). */
export const CapturedBuyer = z.object({
  messageId: z.string(),
  capturedAt: z.string(),
  buyer: BuyerPayload,
});
export type CapturedBuyer = z.output<typeof CapturedBuyer>;

export const AnswerStatus = z.enum(['suggested', 'pending', 'sent', 'failed', 'dismissed']);
export type AnswerStatus = z.output<typeof AnswerStatus>;

/** A document (and chunk) an answer was drawn from. */
export const AnswerSource = z.object({
  documentId: z.string(),
  title: z.string(),
  chunkId: z.string().optional(),
});
export type AnswerSource = z.output<typeof AnswerSource>;

/** An answer to a viewer's question (filled by the knowledge-base hook). */
export const AnswerPayload = z.object({
  question: z.string(),
  answer: z.string(),
  status: AnswerStatus,
  sources: z.array(AnswerSource),
  replyId: z.string().optional(),
  /** The platform's names of everyone this answer is for (viewers who asked the same join one suggestion). */
  askers: z.array(z.string()).optional(),
});
export type AnswerPayload = z.output<typeof AnswerPayload>;

/** What the backend says about one ingested message. */
export const IngestResult = z.object({
  messageId: z.string(),
  /** false when the message was already stored (idempotent write) or was rejected. */
  stored: z.boolean(),
  intent: Intent,
  confidence: z.number(),
  /** Present when the message is a captured buyer (purchase at or above the threshold). */
  buyer: BuyerPayload.optional(),
  /** Present when the knowledge base answered the message. */
  answer: AnswerPayload.optional(),
  /** Lots of the claims ledger this message changed (their state after the batch): lot_update events. */
  lots: z.array(Lot).optional(),
  /** With `lots`: the show's counts after the batch (lot_update's summary). */
  summary: ShowSummary.optional(),
  /** Present when this one message was rejected (the rest of the batch is still stored). */
  error: z.object({ code: z.literal('invalid_message'), message: z.string() }).optional(),
});
export type IngestResult = z.output<typeof IngestResult>;

/** A message as history returns it: what was captured, plus its session, classification and deletion. */
export const StoredMessage = z.object({
  id: z.string(),
  sessionId: z.string(),
  platform: z.string(),
  author: z.object({ name: z.string(), id: z.string().optional(), badges: z.array(z.string()) }),
  text: z.string(),
  sentAt: z.string().optional(),
  capturedAt: z.string(),
  backfill: z.boolean(),
  intent: Intent.optional(),
  confidence: z.number().optional(),
  deleted: z.boolean(),
});
export type StoredMessage = z.output<typeof StoredMessage>;

/** A page of history, newest first; `nextCursor` is the `before` of the next page (null at the end). */
export const MessagePage = z.object({
  messages: z.array(StoredMessage),
  nextCursor: z.string().nullable(),
});
export type MessagePage = z.output<typeof MessagePage>;

/** What one housekeeping pass did. */
export const HousekeepingReport = z.object({
  deletedMessages: z.number(),
  closedSessions: z.array(z.string()),
});
export type HousekeepingReport = z.output<typeof HousekeepingReport>;

/** POST batch (or seed body): one result per message, in order. */
export const IngestAnswer = z.object({ results: z.array(IngestResult) });
/** POST upsert_session. */
export const SessionAnswer = z.object({ ok: z.literal(true) });
/** POST mark_deleted: how many messages were newly marked. */
export const DeletedAnswer = z.object({ updated: z.number() });
/** GET history. */
export const HistoryAnswer = MessagePage;
/** POST housekeep. */
export const HousekeepAnswer = HousekeepingReport;
/** GET action=buyers. */
export const BuyersAnswer = z.object({ buyers: z.array(CapturedBuyer) });
/** GET action=lots. */
export const LotsAnswer = z.object({ lots: z.array(Lot), summary: ShowSummary.optional() });
/** POST correct_lot and undo_lot. */
export const LotAnswer = z.object({ lot: Lot });
/** POST settle_lots: the lots it closed. */
export const SettleAnswer = z.object({ lots: z.array(Lot) });
/** GET action=lot_history. */
export const LotHistoryAnswer = z.object({ history: z.array(LotHistoryEntry) });
/** GET action=audit. */
export const AuditAnswer = z.object({ lots: z.array(AuditLot) });
/** GET action=interested. */
export const InterestedAnswer = z.object({ interested: z.array(InterestedViewer) });
/** GET action=ping. */
export const PingAnswer = z.object({ status: z.literal('ok') });
/** Any failure: a 4xx for the caller's mistakes (never retried by the service), a 5xx for the function's own. */
export const ErrorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string(), lot: Lot.optional() }) });
export type ErrorAnswer = z.output<typeof ErrorAnswer>;

// ---------------------------------------------------------------------------------------------------
// Parsing on the function's side

/** A POST body told apart and validated (batch items are still unknown: see {@link parseMessage}). */
export type IngestBody =
  | { kind: 'messages'; sessionId: string; messages: unknown[]; single: boolean }
  | { kind: 'session'; session: SessionUpsert }
  | { kind: 'deleted'; sessionId: string; messageIds: string[] }
  | { kind: 'housekeep'; deleteBefore: string; staleBefore: string }
  | { kind: 'correct_lot'; sessionId: string; code: string; patch: z.output<typeof LotPatchBody>; userId: string | null }
  | { kind: 'undo_lot'; sessionId: string; code: string; userId: string | null }
  | { kind: 'settle_lots'; sessionId: string };

/** Throws invalid_body with the first few zod issues. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CoreError('invalid_body', describeIssues(result.error));
  return result.data;
}

/** The first few issues, each as `path: message` (values are never quoted: they may be anything). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/**
 * Tells the accepted bodies apart and validates the envelope. Batch items are validated later, one by
 * one ({@link parseMessage}).
 */
export function parseIngestBody(body: unknown, mintId: () => string): IngestBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new CoreError('invalid_body', 'Expected a JSON object body');
  }
  const record = body as Record<string, unknown>;
  switch (record.action) {
    case 'upsert_session':
      return { kind: 'session', session: parseWith(SessionBody, body).session };
    case 'mark_deleted': {
      const parsed = parseWith(DeletedBody, body);
      return { kind: 'deleted', sessionId: parsed.streamSessionId, messageIds: parsed.messageIds };
    }
    case 'housekeep': {
      const parsed = parseWith(HousekeepBody, body);
      return { kind: 'housekeep', deleteBefore: parsed.deleteBefore, staleBefore: parsed.staleBefore };
    }
    case 'correct_lot': {
      const parsed = parseWith(CorrectLotBody, body);
      return { kind: 'correct_lot', sessionId: parsed.streamSessionId, code: parsed.code, patch: parsed.patch, userId: parsed.userId ?? null };
    }
    case 'undo_lot': {
      const parsed = parseWith(UndoLotBody, body);
      return { kind: 'undo_lot', sessionId: parsed.streamSessionId, code: parsed.code, userId: parsed.userId ?? null };
    }
    case 'settle_lots': {
      const parsed = parseWith(SettleLotsBody, body);
      return { kind: 'settle_lots', sessionId: parsed.streamSessionId };
    }
    case undefined:
      break;
    default:
      throw new CoreError('invalid_body', `Unknown action ${JSON.stringify(String(record.action)).slice(0, 60)}`);
  }
  if ('messages' in record) {
    const parsed = parseWith(BatchBody, body);
    return { kind: 'messages', sessionId: parsed.streamSessionId, messages: parsed.messages, single: false };
  }
  const single = parseWith(SingleBody, body);
  const message: ChatMessageInput = {
    id: single.id ?? mintId(),
    platform: single.platform,
    author: { name: single.username, badges: [] },
    text: single.message,
    capturedAt: new Date().toISOString(),
  };
  return { kind: 'messages', sessionId: single.streamSessionId, messages: [message], single: true };
}

/** Validates one batch item; an invalid item gives its id (when it has one) and the reason. */
export function parseMessage(value: unknown): { ok: true; message: ChatMessage } | { ok: false; id: string; reason: string } {
  const result = ChatMessage.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const rawId = (value as { id?: unknown } | null)?.id;
  return {
    ok: false,
    id: typeof rawId === 'string' ? rawId.slice(0, MAX_ID_LENGTH) : '',
    reason: describeIssues(result.error),
  };
}

// ---------------------------------------------------------------------------------------------------
// The service's /ws frames (described here for the OpenAPI document's `x-websocket`; the hub builds and
// parses them itself, src/fanout/hub.ts, and src/http/openapi.ts checks at compile time that these
// schemas and the hub's event types agree)

/** Session statuses (src/domain/message.ts SESSION_STATUSES; src/http/openapi.ts checks at compile time that they fit). */
export const SESSION_STATUS_NAMES = ['starting', 'live', 'recovering', 'no_chat_found', 'quota_exhausted', 'ended', 'error', 'stopped'] as const;

/** Client -> server: the frames the hub accepts (one JSON object per text frame). */
export const WsClientFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    /** A session id, or "*" for every session the caller may see. */
    sessionId: z.string().min(1).max(200),
    /**
     * Resume after this seq (events the resume ring still holds are replayed; older: a `gap` notice). On a
     * named session a number; on "*" a map of session id to seq (at most 1,000 entries), each resumed as a
     * named subscription would be. A number on "*" is refused with `since_needs_sessions`, never ignored.
     */
    since: z.union([z.number().int().min(0), z.record(z.string().min(1).max(200), z.number().int().min(0))]).optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), sessionId: z.string().min(1).max(200) }),
  z.object({ type: z.literal('ping') }),
  /** Accounts: the first frame of a socket opened without ?access_token=, or a refresh. */
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(16 * 1024) }),
]);
export type WsClientFrame = z.output<typeof WsClientFrame>;

/** A chat message as `new_message` carries it: {@link ChatMessage} after validation (plain JSON). */
export const FrameMessage = z.object({
  id: z.string(),
  platform: z.string(),
  author: z.object({ name: z.string(), id: z.string().optional(), badges: z.array(z.string()) }),
  text: z.string(),
  sentAt: z.string().optional(),
  capturedAt: z.string(),
  backfill: z.boolean(),
  kind: z.enum(MESSAGE_KINDS).optional(),
  paid: PaidInfo.optional(),
  platformMessageId: z.string().optional(),
});

/**
 * A capture source's health (issue 29): `live` while chat arrives near its own recent rate; `silent` when
 * connected but nothing has arrived since the start; `stalled` when chat that had traffic went quiet while
 * the stream is still live (after recovery was tried); `recovering` while a reload or reconnect runs;
 * `wrong_stream` when the page moved to another channel or show; `ended` when the stream ended.
 */
export const SOURCE_HEALTH_STATES = ['live', 'silent', 'stalled', 'recovering', 'wrong_stream', 'ended'] as const;
export const SourceHealth = z.object({
  /** The source's name within the show (e.g. `browser`, `youtube-api`, `network`). */
  source: z.string(),
  state: z.enum(SOURCE_HEALTH_STATES),
  /** Messages per minute over the last minute, and the source's own recent rate it is compared with. */
  ratePerMin: z.number(),
  baselinePerMin: z.number().nullable(),
  /** When this state began (ISO time). */
  since: z.string(),
  detail: z.string().optional(),
});
export type SourceHealth = z.output<typeof SourceHealth>;

// ---------------------------------------------------------------------------------------------------
// The on-stream overlay (src/overlay, src/http/overlay.ts, _shared/overlay/store.ts)

/** Longest featured message text the overlay shows (the rest is cut with an ellipsis). */
export const OVERLAY_TEXT_LENGTH = 200;

/** A message on the overlay: what viewers see of it, nothing else. */
export const FeaturedMessage = z.object({
  messageId: z.string(),
  author: z.string(),
  text: z.string(),
  platform: z.string(),
  sentAt: z.string().optional(),
  featuredAt: z.string(),
}) satisfies z.ZodType<StoredFeaturedMessage>;
export type FeaturedMessage = z.output<typeof FeaturedMessage>;

/**
 * A lot as the overlay shows it: what is on screen anyway (code, title, price, the winner's name, how many
 * wait), never the seller's marks (paid, packed, shipped) or the waitlist's names.
 */
export const OverlayLot = z.object({
  code: z.string(),
  title: z.string().nullable(),
  priceCents: z.number().int().nullable(),
  status: z.enum(['open', 'sold', 'unsold', 'void']) satisfies z.ZodType<LotStatus>,
  winner: z.string().nullable(),
  waitlistCount: z.number().int(),
  /** When the current winner got the lot (ISO time): the overlay's "last buyer" is the latest. */
  wonAt: z.string().nullable(),
  auction: z.object({ open: z.boolean(), highBidCents: z.number().nullable(), bids: z.number() }).optional(),
  announcedAt: z.string(),
  ord: z.number(),
});
export type OverlayLot = z.output<typeof OverlayLot>;

/** GET /overlay/:sessionId/state: everything the overlay draws, and the seq to resume /ws from. */
export const OverlayState = z.object({
  sessionId: z.string(),
  /** The show's seq when this was read: subscribe with `since` = this. */
  seq: z.number().int(),
  status: z.enum(SESSION_STATUS_NAMES),
  lots: z.array(OverlayLot),
  featured: FeaturedMessage.nullable(),
});
export type OverlayState = z.output<typeof OverlayState>;

/** GET /api/sessions/:id/overlay: the seller's view (the link's token is shown only when made). */
export const OverlaySettings = z.object({
  sessionId: z.string(),
  hasLink: z.boolean(),
  linkCreatedAt: z.string().nullable(),
  featured: FeaturedMessage.nullable(),
}) satisfies z.ZodType<StoredOverlaySettings>;

/** POST /api/sessions/:id/overlay-link: a new link (any older one stops working). Shown once. */
export const OverlayLink = z.object({
  sessionId: z.string(),
  /** The page for OBS, token included: `/overlay/<sessionId>?token=<token>` on this service's origin. */
  url: z.string(),
  token: z.string(),
  createdAt: z.string(),
});

/** PUT /api/sessions/:id/featured: a message of the show by id, or null to clear. */
export const FeaturedBody = z.object({ messageId: z.string().min(1).max(MAX_ID_LENGTH).nullable() }).strict();

const stamp = { sessionId: z.string(), seq: z.number().int() };

/** Who changed a lot, on a lot_update: `seller` for a correction from the dashboard or API; absent: chat (or the show's close). */
export const LotChangeBy = z.enum(['seller']);

/** Server -> client: a session event, stamped with its session and a per-session `seq` rising by one. */
export const WsSessionEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('new_message'), ...stamp, message: FrameMessage }),
  z.object({ type: z.literal('buyer_detected'), ...stamp, messageId: z.string(), buyer: BuyerPayload }),
  z.object({ type: z.literal('answer'), ...stamp, messageId: z.string(), ...AnswerPayload.shape }),
  z.object({
    type: z.literal('reply_status'),
    ...stamp,
    replyId: z.string(),
    messageId: z.string().optional(),
    status: AnswerStatus,
    detail: z.string().optional(),
    askers: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('message_deleted'), ...stamp, messageId: z.string(), reason: z.string().optional() }),
  z.object({ type: z.literal('lot_update'), ...stamp, lot: Lot, summary: ShowSummary.optional(), by: LotChangeBy.optional() }),
  z.object({ type: z.literal('session_status'), ...stamp, status: z.enum(SESSION_STATUS_NAMES), detail: z.string().optional() }),
  z.object({ type: z.literal('source_health'), ...stamp, health: SourceHealth }),
  /** The seller featured a message on the overlay, or cleared it (null). */
  z.object({ type: z.literal('featured_message'), ...stamp, featured: FeaturedMessage.nullable() }),
  /** The show's overlay got a new link: overlay connections are closed (those with the new token reconnect). */
  z.object({ type: z.literal('overlay_link_changed'), ...stamp }),
]);
export type WsSessionEvent = z.output<typeof WsSessionEvent>;

/** Server -> client: the hub's notices (answers to client frames). */
export const WsNotice = z.discriminatedUnion('type', [
  /** `seq` is the session's current seq. */
  z.object({ type: z.literal('subscribed'), sessionId: z.string(), seq: z.number().int() }),
  z.object({ type: z.literal('unsubscribed'), sessionId: z.string() }),
  /** A `since` older than the resume ring: fetch `from`..`to` from /api/sessions/:id/messages. */
  z.object({ type: z.literal('gap'), sessionId: z.string(), from: z.number().int(), to: z.number().int() }),
  z.object({ type: z.literal('error'), error: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ type: z.literal('pong') }),
  /** Accounts: an `auth` frame was accepted; the token expires at `expiresAt`. */
  z.object({ type: z.literal('authenticated'), expiresAt: z.string() }),
]);
export type WsNotice = z.output<typeof WsNotice>;

/**
 * Server -> overlay client (a /ws connection with `?overlay_token=`): the few events an overlay draws,
 * lots reduced to OverlayLot. Nothing else of the show reaches it.
 */
export const WsOverlayEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lot_update'), ...stamp, lot: OverlayLot }),
  z.object({ type: z.literal('featured_message'), ...stamp, featured: FeaturedMessage.nullable() }),
  z.object({ type: z.literal('session_status'), ...stamp, status: z.enum(SESSION_STATUS_NAMES), detail: z.string().optional() }),
]);
export type WsOverlayEvent = z.output<typeof WsOverlayEvent>;

// ---------------------------------------------------------------------------------------------------
// Outgoing webhooks (src/webhooks, _shared/webhooks/store.ts): endpoints, deliveries and the payloads.

export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

/** An endpoint as lists and reads answer it: never its secret. */
export const WebhookEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  enabled: z.boolean(),
  description: z.string().nullable(),
  /** Why the service turned it off (`gone`: the receiver answered 410); null when on or turned off by its seller. */
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
}) satisfies z.ZodType<StoredWebhookEndpoint>;
export type WebhookEndpoint = z.output<typeof WebhookEndpoint>;

/** The answer to create and rotate: the only time the secret is shown. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({ secret: z.string() });
export type WebhookEndpointWithSecret = z.output<typeof WebhookEndpointWithSecret>;

export const WebhookEndpointCreate = z
  .object({
    url: z.string().min(1).max(2000),
    events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
    description: z.string().trim().max(200).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const WebhookEndpointPatch = WebhookEndpointCreate.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'Nothing to change');

export const WebhookDelivery = z.object({
  id: z.string(),
  endpointId: z.string(),
  /** The webhook-id header: the same on every attempt and replay. */
  eventId: z.string(),
  type: z.enum([...WEBHOOK_EVENT_TYPES, 'ping']),
  sessionId: z.string().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
}) satisfies z.ZodType<StoredWebhookDelivery>;
export type WebhookDelivery = z.output<typeof WebhookDelivery>;

export const WebhookEndpointList = z.object({ endpoints: z.array(WebhookEndpoint) });
export const WebhookDeliveryList = z.object({ deliveries: z.array(WebhookDelivery) });

const hookEnvelope = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({ type: z.literal(type), timestamp: z.string(), data: z.object({ sessionId: z.string(), ...data }) });

/**
 * The body of each delivery, by event: `type`, `timestamp` (ISO, when the event happened) and `data`.
 * The same schemas describe the OpenAPI document's `webhooks`.
 */
export const WEBHOOK_PAYLOADS = {
  'lot.sold': hookEnvelope('lot.sold', { lot: Lot }),
  'lot.corrected': hookEnvelope('lot.corrected', { lot: Lot }),
  'buyer.detected': hookEnvelope('buyer.detected', { messageId: z.string(), buyer: BuyerPayload }),
  'show.started': hookEnvelope('show.started', { status: z.enum(SESSION_STATUS_NAMES) }),
  'show.ended': hookEnvelope('show.ended', { status: z.enum(SESSION_STATUS_NAMES), detail: z.string().optional() }),
  'source.silent': hookEnvelope('source.silent', { health: SourceHealth }),
  'answer.suggested': hookEnvelope('answer.suggested', { messageId: z.string(), ...AnswerPayload.shape }),
} as const satisfies Record<(typeof WEBHOOK_EVENT_TYPES)[number], z.ZodType>;

/** The test delivery (POST /api/webhooks/:id/test). */
export const WebhookPing = z.object({ type: z.literal('ping'), timestamp: z.string(), data: z.object({ endpointId: z.string() }) });

export const WebhookPayload = z.discriminatedUnion('type', [
  WEBHOOK_PAYLOADS['lot.sold'],
  WEBHOOK_PAYLOADS['lot.corrected'],
  WEBHOOK_PAYLOADS['buyer.detected'],
  WEBHOOK_PAYLOADS['show.started'],
  WEBHOOK_PAYLOADS['show.ended'],
  WEBHOOK_PAYLOADS['source.silent'],
  WEBHOOK_PAYLOADS['answer.suggested'],
  WebhookPing,
]);
export type WebhookPayload = z.output<typeof WebhookPayload>;
