/**
 * The one place a ChatMessage is built from what a capture path read: a DOM row (browser/agent-rows.ts),
 * a network frame (network/tap.ts) or a YouTube Data API item (youtube-api/mapping.ts). Everything the
 * platform hands us is hostile input, so every field is cleaned and capped here, in one way: ids through
 * the identity module, names and text through sanitizeText, badges normalized, amounts parsed or checked.
 */
import { platformId } from '../../supabase/functions/_shared/identity.ts';
import type { ChatMessage, Platform } from '../domain/message.ts';
import { MAX_AUTHOR_LENGTH, MAX_TEXT_LENGTH, sanitizeText } from '../domain/message.ts';
import { normalizeBadges, parseAmount } from './platforms/common.ts';

/** Longest currency code kept ('USD', 'BITS'...). */
const MAX_CURRENCY_LENGTH = 10;
/** Longest amount display string kept ("$5.00", "CA$10"). */
const MAX_DISPLAY_LENGTH = 40;

/** An amount as a parser or an API gives it: a number with its currency (default USD) and display string. */
export interface CapturedAmount {
  amount: number;
  currency?: unknown;
  display?: unknown;
}

/** What a capture path read about one message, before any cleaning. */
export interface CapturedMessage {
  platform: Platform;
  /** The message's identity: a platform id as read, or a stream-position id (identity.ts `positionalId`). */
  id: unknown;
  author: { name?: unknown; id?: unknown; badges?: unknown };
  text: unknown;
  /** When the platform says it was sent (ISO 8601, already validated by the parser). */
  sentAt?: string;
  capturedAt: string;
  backfill?: boolean;
  kind?: ChatMessage['kind'];
  /** A paid amount, as numbers (frames, the API) or as the page shows it ("$5.00"), parsed here. */
  paid?: CapturedAmount | string;
}

export interface BuildOptions {
  /**
   * Drop a message that has no author name, no text and no amount (network frames: a parser may yield
   * an event with nothing to show). DOM rows are already filtered by the agent; API items are kept.
   */
  requireContent?: boolean;
  /** A missing author name shows the author id instead (YouTube's API: channels without a display name). */
  nameFromAuthorId?: boolean;
}

/** The cleaned ChatMessage, or undefined when it has no usable id (or no content, with `requireContent`). */
export function buildChatMessage(input: CapturedMessage, options: BuildOptions = {}): ChatMessage | undefined {
  const id = platformId(input.id);
  if (!id) return undefined;
  const authorId = platformId(input.author.id);
  let name = sanitizeText(input.author.name, MAX_AUTHOR_LENGTH);
  if (!name && options.nameFromAuthorId) name = authorId;
  const text = sanitizeText(input.text, MAX_TEXT_LENGTH);
  const paid = amountOf(input.paid);
  if (options.requireContent && !name && !text && !paid) return undefined;
  // A page row has no kind of its own: an amount read from it makes it a paid message.
  const kind = input.kind ?? (typeof input.paid === 'string' && paid ? 'paid' : undefined);
  return {
    id,
    platform: input.platform,
    author: { name, ...(authorId ? { id: authorId } : {}), badges: normalizeBadges(input.author.badges) },
    text,
    ...(input.sentAt ? { sentAt: input.sentAt } : {}),
    capturedAt: input.capturedAt,
    backfill: input.backfill === true,
    ...(kind ? { kind } : {}),
    ...(paid ? { paid } : {}),
  };
}

function amountOf(paid: CapturedMessage['paid']): ChatMessage['paid'] {
  if (paid === undefined) return undefined;
  if (typeof paid === 'string') return parseAmount(paid);
  if (typeof paid.amount !== 'number' || !Number.isFinite(paid.amount)) return undefined;
  const display = sanitizeText(paid.display, MAX_DISPLAY_LENGTH);
  return {
    amount: paid.amount,
    currency: sanitizeText(paid.currency, MAX_CURRENCY_LENGTH) || 'USD',
    ...(display ? { display } : {}),
  };
}
