/**
 * Wire formats of the monitor-realtime-stream function, validated with zod and converted once into the
 * core's types. Bodies the function accepts (POST, JSON):
 *
 * - the seed's single message: `{message, username, streamSessionId, platform?, id?}`
 * - a batch: `{streamSessionId, messages: [{id, platform, author:{name,id?,badges}, text, sentAt?,
 *   capturedAt, backfill?, kind?, paid?, platformMessageId?}]}`
 * - actions: `{action:"upsert_session", session}`, `{action:"mark_deleted", streamSessionId, messageIds}`,
 *   `{action:"housekeep", deleteBefore, staleBefore}`
 *
 * Chat text is hostile input: control characters are dropped, whitespace collapsed and length capped.
 */
import { z } from 'zod';
import { CoreError } from './errors.ts';
import {
  MAX_AUTHOR_LENGTH,
  MAX_BATCH_MESSAGES,
  MAX_ID_LENGTH,
  MAX_TEXT_LENGTH,
  type CoreMessage,
  type SessionUpsert,
} from './types.ts';

/** Drops control characters, collapses whitespace, trims and caps: every stored text field goes through here. */
export function cleanText(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').replace(/\s+/g, ' ').trim();
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

const text = (max: number) => z.string().transform((v) => cleanText(v, max));
const id = z.string().trim().min(1).max(MAX_ID_LENGTH);
const isoTime = z.iso.datetime({ offset: true });

/** One message of a batch (the service's ChatMessage). */
export const WireMessage = z.object({
  id,
  platform: z.string().trim().min(1).max(40),
  author: z.object({
    name: text(MAX_AUTHOR_LENGTH),
    id: z.string().trim().max(MAX_ID_LENGTH).optional(),
    badges: z.array(z.string().trim().max(50)).max(20).default([]),
  }),
  text: z.string().max(20 * MAX_TEXT_LENGTH).transform((v) => cleanText(v, MAX_TEXT_LENGTH)),
  sentAt: isoTime.optional(),
  capturedAt: isoTime,
  backfill: z.boolean().default(false),
  kind: z.enum(['text', 'paid', 'membership', 'sticker', 'system']).optional(),
  paid: z
    .object({
      amount: z.number().finite().min(0).max(1e9),
      currency: z.string().trim().min(1).max(10),
      display: z.string().max(50).optional(),
    })
    .optional(),
  platformMessageId: z.string().trim().max(MAX_ID_LENGTH).optional(),
});

/** The seed system's body: one message, no id (a fresh key is minted unless `id` is given). */
export const SingleBody = z.object({
  message: z.string().max(20 * MAX_TEXT_LENGTH),
  username: z.string().max(10 * MAX_AUTHOR_LENGTH),
  streamSessionId: id,
  platform: z.string().trim().min(1).max(40).default('generic'),
  id: id.optional(),
});

/** Items are validated one by one so that one bad message does not sink the whole batch. */
export const BatchBody = z.object({
  streamSessionId: id,
  messages: z.array(z.unknown()).min(1).max(MAX_BATCH_MESSAGES),
});

export const SessionBody = z.object({
  action: z.literal('upsert_session'),
  session: z.object({
    sessionId: id,
    platform: z.string().trim().min(1).max(40),
    url: z.string().max(2048).optional(),
    source: z.string().max(20).optional(),
    status: z.string().trim().min(1).max(40),
    detail: z.string().max(1000).optional(),
    startedAt: isoTime.optional(),
    ownerId: z.uuid().optional(),
    sellers: z.array(z.string().trim().min(1).max(MAX_AUTHOR_LENGTH)).max(20).optional(),
  }),
});

/** A username as corrections name it ("@amy" or "amy"). */
const username = z.string().transform((v) => cleanText(v, MAX_AUTHOR_LENGTH).replace(/^@+/, '')).pipe(z.string().min(1));

/**
 * A seller's correction of one lot (PATCH /api/sessions/:id/lots/:code, and the function's correct_lot
 * action): the winner (null: none), the waitlist in order, price, title, void, and the paid/packed/shipped
 * marks. At least one field; unknown fields are refused.
 */
export const LotPatchBody = z
  .object({
    winner: username.nullable().optional(),
    waitlist: z.array(username).max(100).optional(),
    price: z.number().finite().min(0).max(1e9).nullable().optional(),
    title: z.string().max(1000).transform((v) => cleanText(v, 200) || null).nullable().optional(),
    void: z.boolean().optional(),
    paid: z.boolean().optional(),
    packed: z.boolean().optional(),
    shipped: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'name at least one field to change');

/** A lot code as the URL names it ("C3", "A1 (2)"). */
export const LotCode = z.string().trim().min(1).max(40);

export const CorrectLotBody = z.object({
  action: z.literal('correct_lot'),
  streamSessionId: id,
  code: LotCode,
  patch: LotPatchBody,
});

export const LotsQuery = z.object({ streamSessionId: id });

const LotClaimShape = z.object({
  username: z.string(),
  messageId: z.string().nullable(),
  at: z.string(),
  quantity: z.number().optional(),
  size: z.string().optional(),
});

/** A lot as the function answers it (checked by the service's Supabase backend). */
export const LotShape = z.object({
  code: z.string(),
  baseCode: z.string(),
  title: z.string().nullable(),
  price: z.number().nullable(),
  status: z.enum(['open', 'sold', 'unsold', 'void']),
  winner: LotClaimShape.nullable(),
  waitlist: z.array(LotClaimShape),
  paid: z.boolean(),
  packed: z.boolean(),
  shipped: z.boolean(),
  announcedBy: z.string().nullable(),
  announcedAt: z.string(),
  ord: z.number(),
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

/** The query of GET monitor-realtime-stream (history). */
export const HistoryQuery = z.object({
  streamSessionId: id,
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.string().trim().min(1).max(MAX_ID_LENGTH).optional(),
});

export const BuyersQuery = z.object({
  streamSessionId: id,
  limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
});

export type IngestBody =
  | { kind: 'messages'; sessionId: string; messages: unknown[]; single: boolean }
  | { kind: 'session'; session: SessionUpsert }
  | { kind: 'deleted'; sessionId: string; messageIds: string[] }
  | { kind: 'housekeep'; deleteBefore: string; staleBefore: string }
  | { kind: 'correct_lot'; sessionId: string; code: string; patch: z.output<typeof LotPatchBody> };

/** Throws invalid_body with the first few zod issues. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CoreError('invalid_body', describeIssues(result.error));
  return result.data;
}

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
      return { kind: 'correct_lot', sessionId: parsed.streamSessionId, code: parsed.code, patch: parsed.patch };
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
  const message: z.input<typeof WireMessage> = {
    id: single.id ?? mintId(),
    platform: single.platform,
    author: { name: single.username, badges: [] },
    text: single.message,
    capturedAt: new Date().toISOString(),
  };
  return { kind: 'messages', sessionId: single.streamSessionId, messages: [message], single: true };
}

/** Validates one batch item; an invalid item gives its id (when it has one) and the reason. */
export function parseMessage(value: unknown): { ok: true; message: CoreMessage } | { ok: false; id: string; reason: string } {
  const result = WireMessage.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const rawId = (value as { id?: unknown } | null)?.id;
  return {
    ok: false,
    id: typeof rawId === 'string' ? rawId.slice(0, MAX_ID_LENGTH) : '',
    reason: describeIssues(result.error),
  };
}
