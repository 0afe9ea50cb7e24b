/**
 * Converters from stored rows (GET /api/sessions/:id/messages, Supabase postgres_changes) to feed
 * records. Column names are read tolerantly: the seed's names first, then the domain's camelCase.
 * The message key must equal the WebSocket message id so both copies merge into one.
 */
import type { ChatMessage, ChatMessageRow, SaleRow } from '../wire.ts';
import { looksLikeQuestion } from './session-feed.ts';
import type { Buyer, FeedMessage, Origin } from './types.ts';

const MAX_TEXT = 2_000;

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A stored message (domain shape or database row) as a feed message; undefined when unusable. */
export function toFeedMessage(raw: unknown, origin: Origin, now: number = Date.now()): FeedMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const domain = raw as Partial<ChatMessage> & { deleted?: boolean };
  const row = raw as ChatMessageRow;
  const id = str(row.message_key) ?? str(row.platform_message_id) ?? str(domain.id);
  const author = typeof domain.author === 'object' && domain.author ? str(domain.author.name) : str(row.username);
  const text = typeof domain.text === 'string' ? domain.text : str(row.message);
  if (!id || author === undefined || text === undefined) return undefined;
  const captured = str(domain.capturedAt) ?? str(row.captured_at) ?? str(row.created_at);
  const sent = str(domain.sentAt) ?? str(row.sent_at);
  const capturedAtMs = (captured && Date.parse(captured)) || now;
  const capped = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  return {
    id,
    platform: str(domain.platform) ?? str(row.platform) ?? 'generic',
    author,
    badges: badgesOf(typeof domain.author === 'object' ? domain.author?.badges : row.author_badges),
    text: capped,
    time: sent ?? captured ?? new Date(now).toISOString(),
    capturedAtMs,
    backfill: domain.backfill === true || row.backfill === true,
    kind: str(domain.kind),
    deleted: domain.deleted === true || row.deleted === true,
    question: row.intent === 'question' || (domain as { intent?: string }).intent === 'question' || looksLikeQuestion(capped),
    origin,
  };
}

function badgesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((b): b is string => typeof b === 'string').slice(0, 10) : [];
}

/** A sales_captured row as a buyer. */
export function saleToBuyer(row: SaleRow, now: number = Date.now()): Buyer | undefined {
  const username = str(row.buyer_username);
  if (!username) return undefined;
  const messageId = str(row.message_key) ?? str(row.platform_message_id) ?? `sale-${str(row.id) ?? `${username}-${now}`}`;
  return {
    messageId,
    username,
    message: str(row.message_text) ?? '',
    confidence: num(row.confidence) ?? 1,
    item: str(row.item_description) ?? str(row.item_code),
    price: num(row.estimated_value),
    quantity: num(row.quantity),
    size: str(row.size),
    detectedAt: (row.captured_at && Date.parse(row.captured_at)) || now,
    origin: 'realtime',
  };
}

/** Unwraps a list answer: an array, or {messages|items|data: [...]}. */
export function listOf(body: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    for (const key of keys) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value;
    }
  }
  return [];
}
