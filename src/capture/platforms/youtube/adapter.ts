/** YouTube web chat: the chat-only page live_chat?v=ID and the get_live_chat JSON it polls. Facts: docs/PLATFORMS.md. */
import { extractJsonAssignment, isoTime, isRecord, parseAmount, parseJson } from '../common.ts';
import { youtubeSite } from './site.ts';
import type { NetworkChatEvent, NetworkChatMessage, PlatformAdapter } from '../types.ts';
import type {
  YtActionWire,
  YtChatItemContainer,
  YtChatItemWire,
  YtGetLiveChatResponse,
  YtInitialData,
  YtLiveChatContinuationWire,
  YtRunsText,
} from './youtube.external.ts';

/** The video id in any YouTube URL form (watch?v=, /live/, youtu.be/, live_chat?v=). */
export function youtubeVideoId(url: URL): string | undefined {
  if (/(^|\.)youtu\.be$/i.test(url.hostname)) return url.pathname.split('/')[1] || undefined;
  const v = url.searchParams.get('v');
  if (v) return v;
  const live = /^\/(?:live|shorts|embed)\/([\w-]{6,})/.exec(url.pathname);
  return live?.[1];
}

/** Text of a runs object: text runs as they are, emoji by the text the page shows as their alt. */
function runsText(value: YtRunsText | undefined): string {
  if (!value) return '';
  if (typeof value.simpleText === 'string') return value.simpleText;
  let out = '';
  for (const run of Array.isArray(value.runs) ? value.runs : []) {
    if (typeof run?.text === 'string') out += run.text;
    else if (run?.emoji) {
      const e = run.emoji;
      const shortcut = Array.isArray(e.shortcuts) ? e.shortcuts[0] : undefined;
      const label = e.image?.accessibility?.accessibilityData?.label;
      // Standard emoji are shown as the character itself; channel emoji by their :shortcut:.
      out += (e.isCustomEmoji ? (shortcut ?? label) : (e.emojiId ?? label ?? shortcut)) ?? '';
    }
  }
  return out;
}

function authorBadges(item: YtChatItemWire): string[] {
  const badges: string[] = [];
  for (const badge of Array.isArray(item.authorBadges) ? item.authorBadges : []) {
    const renderer = badge?.liveChatAuthorBadgeRenderer;
    if (!renderer) continue;
    if (renderer.customThumbnail) badges.push('member');
    else if (typeof renderer.icon?.iconType === 'string') badges.push(renderer.icon.iconType.toLowerCase());
  }
  return badges;
}

const RENDERERS: Array<[keyof YtChatItemContainer, NonNullable<NetworkChatMessage['kind']>]> = [
  ['liveChatTextMessageRenderer', 'text'],
  ['liveChatPaidMessageRenderer', 'paid'],
  ['liveChatMembershipItemRenderer', 'membership'],
  ['liveChatPaidStickerRenderer', 'sticker'],
];

function itemMessage(container: YtChatItemContainer | undefined, backfill: boolean): NetworkChatEvent | undefined {
  if (!isRecord(container)) return undefined;
  for (const [key, kind] of RENDERERS) {
    const item = container[key] as YtChatItemWire | undefined;
    if (!isRecord(item) || typeof item.id !== 'string' || !item.id) continue;
    let text = runsText(item.message);
    if (kind === 'membership' && !text) text = runsText(item.headerSubtext) || runsText(item.headerPrimaryText);
    if (kind === 'sticker' && !text) text = item.sticker?.accessibility?.accessibilityData?.label ?? '';
    const message: NetworkChatMessage = {
      id: item.id,
      author: {
        name: item.authorName?.simpleText ?? '',
        id: typeof item.authorExternalChannelId === 'string' ? item.authorExternalChannelId : undefined,
        badges: authorBadges(item),
      },
      text,
      sentAt: isoTime(item.timestampUsec, 'us'),
      kind,
      ...(backfill ? { backfill: true } : {}),
    };
    const amount = item.purchaseAmountText?.simpleText;
    const paid = typeof amount === 'string' ? parseAmount(amount) : undefined;
    if (paid) message.paid = paid;
    return { type: 'message', message };
  }
  return undefined;
}

function actionEvents(actions: YtActionWire[] | undefined, backfill: boolean, out: NetworkChatEvent[]): void {
  for (const action of Array.isArray(actions) ? actions : []) {
    if (!isRecord(action)) continue;
    if (action.replayChatItemAction) {
      actionEvents(action.replayChatItemAction.actions, backfill, out);
      continue;
    }
    const added = itemMessage(action.addChatItemAction?.item, backfill);
    if (added) out.push(added);
    // Replacements swap a pending item (one's own message) for the confirmed one, which has its own id.
    const replaced = itemMessage(action.replaceChatItemAction?.replacementItem, backfill);
    if (replaced) out.push(replaced);
    const deleted = action.markChatItemAsDeletedAction?.targetItemId;
    if (typeof deleted === 'string' && deleted) out.push({ type: 'deleted', messageId: deleted });
    const banned = action.markChatItemsByAuthorAsDeletedAction?.externalChannelId;
    if (typeof banned === 'string' && banned) out.push({ type: 'author_removed', authorId: banned });
  }
}

/** A live chat continues while the response carries a live continuation; none, or a replay seek, means it is over. */
function endedDetail(chat: YtLiveChatContinuationWire): string | undefined {
  const continuations = Array.isArray(chat.continuations) ? chat.continuations : [];
  if (continuations.some((c) => isRecord(c) && c.playerSeekContinuationData)) return 'chat replay: the stream is over';
  const live = continuations.some(
    (c) =>
      isRecord(c) &&
      (c.invalidationContinuationData || c.timedContinuationData || c.reloadContinuationData || c.liveChatReplayContinuationData),
  );
  return live ? undefined : 'live chat ended';
}

function continuationEvents(chat: YtLiveChatContinuationWire, backfill: boolean): NetworkChatEvent[] {
  const out: NetworkChatEvent[] = [];
  actionEvents(chat.actions, backfill, out);
  const ended = endedDetail(chat);
  if (ended) out.push({ type: 'ended', detail: ended });
  return out;
}

/**
 * Parses a chat response: get_live_chat JSON (live), or the chat page's HTML whose ytInitialData holds the
 * first batch (backfill). A replay page or endpoint means the stream is over.
 */
export function parseYoutubeResponse(body: string, url: string): NetworkChatEvent[] {
  if (/live_chat_replay/.test(url)) return [{ type: 'ended', detail: 'chat replay: the stream is over' }];
  const trimmed = body.trimStart();
  if (trimmed.startsWith('<')) {
    const initial = extractJsonAssignment(body, 'ytInitialData') as YtInitialData | undefined;
    const chat = initial?.contents?.liveChatRenderer;
    if (!isRecord(chat)) return [];
    if (chat.isReplay === true) return [{ type: 'ended', detail: 'chat replay: the stream is over' }];
    return continuationEvents(chat, true);
  }
  // Some endpoints prefix JSON with an XSSI guard.
  const json = parseJson(trimmed.replace(/^\)\]\}'\s*/, '')) as YtGetLiveChatResponse | undefined;
  const chat = isRecord(json) ? json.continuationContents?.liveChatContinuation : undefined;
  return isRecord(chat) ? continuationEvents(chat, false) : [];
}

export const youtube: PlatformAdapter = {
  platform: youtubeSite.platform,
  matches: (url) => youtubeSite.hostPattern.test(url.hostname),
  chatUrl(url) {
    if (url.pathname.startsWith('/live_chat')) return url.href;
    const id = youtubeVideoId(url);
    return id ? `https://www.youtube.com/live_chat?is_popout=1&v=${encodeURIComponent(id)}` : url.href;
  },
  dom: {
    container: 'yt-live-chat-app #items.yt-live-chat-item-list-renderer, #items.yt-live-chat-item-list-renderer',
    row: 'yt-live-chat-text-message-renderer, yt-live-chat-paid-message-renderer, yt-live-chat-membership-item-renderer, yt-live-chat-paid-sticker-renderer',
    author: '#author-name',
    text: '#message',
    idAttribute: 'id',
    deleted: '[is-deleted]',
    badges: { selector: 'yt-live-chat-author-badge-renderer[type]', attribute: 'type' },
    paidAmount: '#purchase-amount, #purchase-amount-chip',
  },
  network: {
    // The chat page itself (its HTML embeds ytInitialData) and the JSON it polls.
    responseUrlPattern: /\/(?:youtubei\/v1\/live_chat\/get_)?live_chat(?:_replay)?(?:[?#]|$)/,
    parseResponse: parseYoutubeResponse,
  },
  reloadWhenStalled: true,
};
