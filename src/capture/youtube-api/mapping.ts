/**
 * liveChatMessages items -> the same ChatMessage the browser path produces. The YouTube message id is
 * the dedup key; badges come from authorDetails; paid messages carry their amount. Deletions, bans and
 * the end of the chat come out as separate facts for the source to act on.
 */
import type { Badge, ChatMessage, PaidInfo } from '../../domain/message.ts';
import { MAX_AUTHOR_LENGTH, MAX_TEXT_LENGTH, sanitizeText } from '../../domain/message.ts';
import type { LiveChatMessageResource } from './youtube.external.ts';

const MAX_ID_LENGTH = 200;

/** A viewer banned from the chat (logged, not stored). */
export interface ChatBan {
  channelId?: string;
  name: string;
  banType?: string;
}

/** One page of items, sorted into what the session does with them. */
export interface MappedPage {
  messages: ChatMessage[];
  deletedIds: string[];
  bans: ChatBan[];
  /** A chatEndedEvent was among the items. */
  chatEnded: boolean;
  /** Items of types Earshot does not show (polls, mode changes, tombstones...). */
  ignored: number;
}

export interface MapOptions {
  backfill: boolean;
  /** ISO instant stamped as capturedAt on every message of the page. */
  capturedAt: string;
}

/** Maps one page of items (oldest first) without reordering. */
export function mapItems(items: readonly LiveChatMessageResource[] | undefined, options: MapOptions): MappedPage {
  const page: MappedPage = { messages: [], deletedIds: [], bans: [], chatEnded: false, ignored: 0 };
  if (!Array.isArray(items)) return page;
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const type = item.snippet?.type;
    switch (type) {
      case 'messageDeletedEvent': {
        const id = cleanId(item.snippet?.messageDeletedDetails?.deletedMessageId);
        if (id) page.deletedIds.push(id);
        break;
      }
      case 'userBannedEvent': {
        const banned = item.snippet?.userBannedDetails;
        page.bans.push({
          channelId: cleanId(banned?.bannedUserDetails?.channelId),
          name: sanitizeText(banned?.bannedUserDetails?.displayName, MAX_AUTHOR_LENGTH),
          banType: typeof banned?.banType === 'string' ? sanitizeText(banned.banType, 20) : undefined,
        });
        break;
      }
      case 'chatEndedEvent':
        page.chatEnded = true;
        break;
      default: {
        const message = toChatMessage(item, options);
        if (message) page.messages.push(message);
        else page.ignored++;
      }
    }
  }
  return page;
}

/** One chat item as a ChatMessage, or undefined for items that are not chat (or have no id). */
export function toChatMessage(item: LiveChatMessageResource, options: MapOptions): ChatMessage | undefined {
  const id = cleanId(item.id);
  const snippet = item.snippet;
  if (!id || !snippet) return undefined;
  let text: string;
  let kind: ChatMessage['kind'];
  let paid: PaidInfo | undefined;
  switch (snippet.type) {
    case 'textMessageEvent':
      text = firstText(snippet.textMessageDetails?.messageText, snippet.displayMessage);
      kind = 'text';
      break;
    case 'superChatEvent':
      text = firstText(snippet.superChatDetails?.userComment, snippet.displayMessage);
      kind = 'paid';
      paid = toPaid(snippet.superChatDetails);
      break;
    case 'superStickerEvent':
      text = firstText(snippet.superStickerDetails?.superStickerMetadata?.altText, snippet.displayMessage);
      kind = 'sticker';
      paid = toPaid(snippet.superStickerDetails);
      break;
    case 'newSponsorEvent':
    case 'membershipGiftingEvent':
    case 'giftMembershipReceivedEvent':
      text = firstText(snippet.displayMessage, snippet.newSponsorDetails?.memberLevelName);
      kind = 'membership';
      break;
    case 'memberMilestoneChatEvent':
      text = firstText(snippet.memberMilestoneChatDetails?.userComment, snippet.displayMessage);
      kind = 'membership';
      break;
    default:
      return undefined;
  }
  const author = item.authorDetails;
  const authorId = cleanId(author?.channelId ?? snippet.authorChannelId);
  const message: ChatMessage = {
    id,
    platform: 'youtube',
    author: {
      name: sanitizeText(author?.displayName, MAX_AUTHOR_LENGTH) || authorId || '',
      ...(authorId ? { id: authorId } : {}),
      badges: badgesOf(author),
    },
    text,
    capturedAt: options.capturedAt,
    backfill: options.backfill,
    kind,
  };
  const sentAt = isoOrUndefined(snippet.publishedAt);
  if (sentAt) message.sentAt = sentAt;
  if (paid) message.paid = paid;
  return message;
}

/** Badges in a fixed order: owner, moderator, member, verified. */
export function badgesOf(author: LiveChatMessageResource['authorDetails']): Badge[] {
  const badges: Badge[] = [];
  if (author?.isChatOwner === true) badges.push('owner');
  if (author?.isChatModerator === true) badges.push('moderator');
  if (author?.isChatSponsor === true) badges.push('member');
  if (author?.isVerified === true) badges.push('verified');
  return badges;
}

/** amountMicros (a decimal string or number) -> amount in the currency's units. */
function toPaid(details: { amountMicros?: string | number; currency?: string; amountDisplayString?: string } | undefined): PaidInfo | undefined {
  if (!details) return undefined;
  const micros = typeof details.amountMicros === 'string' ? Number(details.amountMicros) : details.amountMicros;
  if (typeof micros !== 'number' || !Number.isFinite(micros) || micros < 0) return undefined;
  const currency = typeof details.currency === 'string' && /^[A-Za-z]{3}$/.test(details.currency) ? details.currency.toUpperCase() : 'USD';
  const display = sanitizeText(details.amountDisplayString, 40);
  return { amount: micros / 1_000_000, currency, ...(display ? { display } : {}) };
}

function firstText(...candidates: Array<string | undefined>): string {
  for (const candidate of candidates) {
    const text = sanitizeText(candidate, MAX_TEXT_LENGTH);
    if (text) return text;
  }
  return '';
}

function cleanId(value: unknown): string | undefined {
  const id = sanitizeText(value, MAX_ID_LENGTH);
  return id || undefined;
}

function isoOrUndefined(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
