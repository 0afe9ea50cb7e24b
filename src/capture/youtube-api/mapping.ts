/**
 * liveChatMessages items -> the same ChatMessage the browser path produces (capture/message.ts builds
 * both). The YouTube message id is the dedup key; badges come from authorDetails; paid messages carry
 * their amount. Deletions, bans and the end of the chat come out as separate facts for the source to act on.
 */
import { platformId } from '../../../supabase/functions/_shared/identity.ts';
import type { Badge, ChatMessage } from '../../domain/message.ts';
import { MAX_AUTHOR_LENGTH, MAX_TEXT_LENGTH, sanitizeText } from '../../domain/message.ts';
import { buildChatMessage, type CapturedAmount } from '../message.ts';
import type { LiveChatMessageResource } from './youtube.external.ts';

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
        const id = platformId(item.snippet?.messageDeletedDetails?.deletedMessageId);
        if (id) page.deletedIds.push(id);
        break;
      }
      case 'userBannedEvent': {
        const banned = item.snippet?.userBannedDetails;
        page.bans.push({
          channelId: platformId(banned?.bannedUserDetails?.channelId) || undefined,
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
  const snippet = item.snippet;
  if (!snippet) return undefined;
  let text: string | undefined;
  let kind: ChatMessage['kind'];
  let paid: CapturedAmount | undefined;
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
  return buildChatMessage(
    {
      platform: 'youtube',
      id: item.id,
      author: { name: author?.displayName, id: author?.channelId ?? snippet.authorChannelId, badges: badgesOf(author) },
      text,
      sentAt: isoOrUndefined(snippet.publishedAt),
      capturedAt: options.capturedAt,
      backfill: options.backfill,
      kind,
      paid,
    },
    { nameFromAuthorId: true },
  );
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

/**
 * amountMicros (a decimal string or number) -> amount in the currency's units; a currency that is not an
 * ISO code is USD. The builder cleans the display string.
 */
function toPaid(details: { amountMicros?: string | number; currency?: string; amountDisplayString?: string } | undefined): CapturedAmount | undefined {
  if (!details) return undefined;
  const micros = typeof details.amountMicros === 'string' ? Number(details.amountMicros) : details.amountMicros;
  if (typeof micros !== 'number' || !Number.isFinite(micros) || micros < 0) return undefined;
  const currency = typeof details.currency === 'string' && /^[A-Za-z]{3}$/.test(details.currency) ? details.currency.toUpperCase() : 'USD';
  return { amount: micros / 1_000_000, currency, display: details.amountDisplayString };
}

/** The first candidate with any text once cleaned (returned as read: the builder cleans it). */
function firstText(...candidates: Array<string | undefined>): string | undefined {
  return candidates.find((candidate) => sanitizeText(candidate, MAX_TEXT_LENGTH) !== '');
}

function isoOrUndefined(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
