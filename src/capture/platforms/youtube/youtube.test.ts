import type { NetworkChatEvent } from '../types.ts';
import { parseYoutubeResponse, youtube } from './adapter.ts';

function messages(events: NetworkChatEvent[]) {
  return events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
}

describe('youtube get_live_chat and ytInitialData', () => {
  const text = {
    id: 'ChwKGkNJ-text-1',
    timestampUsec: '1700000000123456',
    authorName: { simpleText: 'Viewer One' },
    authorExternalChannelId: 'UC111',
    authorBadges: [
      { liveChatAuthorBadgeRenderer: { icon: { iconType: 'MODERATOR' }, tooltip: 'Moderator' } },
      { liveChatAuthorBadgeRenderer: { customThumbnail: { thumbnails: [] }, tooltip: 'Member (1 year)' } },
    ],
    message: {
      runs: [
        { text: 'hello ' },
        { emoji: { emojiId: '😀', shortcuts: [':grinning:'], image: { accessibility: { accessibilityData: { label: '😀' } } } } },
        { text: ' ' },
        { emoji: { emojiId: 'UCx/abc', shortcuts: [':_yay:'], isCustomEmoji: true } },
      ],
    },
  };
  const paid = {
    id: 'ChwKGkNJ-paid-1',
    timestampUsec: '1700000001000000',
    authorName: { simpleText: 'Big Spender' },
    authorExternalChannelId: 'UC222',
    purchaseAmountText: { simpleText: '$5.00' },
    message: { runs: [{ text: 'love the show' }] },
  };
  const live = (actions: unknown[], continuations: unknown[] = [{ invalidationContinuationData: { continuation: 'c2', timeoutMs: 5000 } }]) =>
    JSON.stringify({ responseContext: {}, continuationContents: { liveChatContinuation: { continuations, actions } } });
  const url = 'https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?prettyPrint=false';

  it('reads text and paid items: ids, authors, badges, emoji as text, amounts', () => {
    const events = parseYoutubeResponse(
      live([{ addChatItemAction: { item: { liveChatTextMessageRenderer: text } } }, { addChatItemAction: { item: { liveChatPaidMessageRenderer: paid } } }]),
      url,
    );
    expect(messages(events)).toEqual([
      {
        id: text.id,
        author: { name: 'Viewer One', id: 'UC111', badges: ['moderator', 'member'] },
        text: 'hello 😀 :_yay:',
        sentAt: new Date(1700000000123).toISOString(),
        kind: 'text',
      },
      {
        id: paid.id,
        author: { name: 'Big Spender', id: 'UC222', badges: [] },
        text: 'love the show',
        sentAt: new Date(1700000001000).toISOString(),
        kind: 'paid',
        paid: { amount: 5, currency: 'USD', display: '$5.00' },
      },
    ]);
  });

  it('reads deletions, author bans and replacements', () => {
    const events = parseYoutubeResponse(
      live([
        { markChatItemAsDeletedAction: { targetItemId: 'gone-1', deletedStateMessage: { runs: [] } } },
        { markChatItemsByAuthorAsDeletedAction: { externalChannelId: 'UC111' } },
        { replaceChatItemAction: { targetItemId: 'temp', replacementItem: { liveChatTextMessageRenderer: { ...text, id: 'final-1' } } } },
      ]),
      url,
    );
    expect(events.filter((e) => e.type !== 'message')).toEqual([
      { type: 'deleted', messageId: 'gone-1' },
      { type: 'author_removed', authorId: 'UC111' },
    ]);
    expect(messages(events).map((m) => m.id)).toEqual(['final-1']);
  });

  it('says the chat ended when no live continuation follows, or when it is a replay', () => {
    expect(parseYoutubeResponse(live([], []), url)).toEqual([{ type: 'ended', detail: 'live chat ended' }]);
    expect(parseYoutubeResponse(live([], [{ playerSeekContinuationData: { continuation: 'x' } }]), url)).toEqual([
      { type: 'ended', detail: 'chat replay: the stream is over' },
    ]);
    expect(parseYoutubeResponse('{}', 'https://www.youtube.com/youtubei/v1/live_chat/get_live_chat_replay')).toEqual([
      { type: 'ended', detail: 'chat replay: the stream is over' },
    ]);
    expect(parseYoutubeResponse('{"error":{"code":500}}', url)).toEqual([]);
  });

  it('reads the first batch from the chat page HTML as backfill', () => {
    const initial = { contents: { liveChatRenderer: { continuations: [{ invalidationContinuationData: { continuation: 'c1' } }], actions: [{ addChatItemAction: { item: { liveChatTextMessageRenderer: text } } }] } } };
    const html = `<html><script>window["ytInitialData"] = ${JSON.stringify(initial).replace('hello', 'hello }{ \\"quoted')};</script></html>`;
    const [first] = messages(parseYoutubeResponse(html, 'https://www.youtube.com/live_chat?v=abc'));
    expect(first).toMatchObject({ id: text.id, backfill: true });
    expect(first?.text.startsWith('hello }{ "quoted')).toBe(true);
  });

  it('matches the chat page and the polled endpoint, and rewrites watch URLs to the chat page', () => {
    const pattern = youtube.network!.responseUrlPattern!;
    expect(pattern.test('https://www.youtube.com/live_chat?is_popout=1&v=abc')).toBe(true);
    expect(pattern.test(url)).toBe(true);
    expect(pattern.test('https://www.youtube.com/youtubei/v1/player?key=1')).toBe(false);
    expect(youtube.chatUrl?.(new URL('https://youtu.be/abcdefghijk'))).toBe('https://www.youtube.com/live_chat?is_popout=1&v=abcdefghijk');
  });
});
