import { extractJsonAssignment, isoTime, normalizeBadges, parseAmount } from './common.ts';
import { chatPageUrl, findFileAdapter, resolveAdapter } from './index.ts';
import { jsonAdapter } from './json-adapters.ts';
import { parseKickFrame } from './kick.ts';
import { tiktok } from './tiktok.ts';
import { parseIrcLine, parseTwitchFrame, twitch } from './twitch.ts';
import type { NetworkChatEvent } from './types.ts';
import { parseWhatnotFrame, whatnot } from './whatnot.ts';
import { parseYoutubeResponse, youtube } from './youtube.ts';

function messages(events: NetworkChatEvent[]) {
  return events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
}

describe('whatnot Phoenix frames', () => {
  it('reads new_msg arrays with the platform id, user and text', () => {
    const frame = JSON.stringify([
      null,
      null,
      'livestream:abc',
      'new_msg',
      { id: 'm-1', user: { id: 42, username: 'sneakerhead', is_moderator: true }, message: 'sold!', inserted_at: '2025-01-02T03:04:05Z' },
    ]);
    expect(parseWhatnotFrame(frame)).toEqual([
      {
        type: 'message',
        message: {
          id: 'm-1',
          author: { name: 'sneakerhead', id: '42', badges: ['moderator'] },
          text: 'sold!',
          sentAt: '2025-01-02T03:04:05.000Z',
        },
      },
    ]);
  });

  it('reads the object serializer too', () => {
    const frame = JSON.stringify({ topic: 't', event: 'new_msg', payload: { id: 7, user: { username: 'a' }, message: 'hi' }, ref: null });
    expect(messages(parseWhatnotFrame(frame)).map((m) => m.id)).toEqual(['7']);
  });

  it('ignores other events, replies, heartbeats and garbage', () => {
    for (const frame of [
      JSON.stringify(['1', '1', 'livestream:abc', 'phx_reply', { status: 'ok', response: {} }]),
      JSON.stringify([null, null, 'livestream:abc', 'tip_sent', { user: { username: 'x' }, amount: 5 }]),
      JSON.stringify([null, null, 'livestream:abc', 'viewer_count', { count: 12 }]),
      JSON.stringify([null, null, 'livestream:abc', 'new_msg', { user: { username: 'no id' }, message: 'x' }]),
      'not json',
      '[1,2]',
    ]) {
      expect(parseWhatnotFrame(frame)).toEqual([]);
    }
  });

  it('turns deletions and the end of the show into events', () => {
    expect(parseWhatnotFrame(JSON.stringify([null, null, 't', 'delete_msg', { id: 'm-1' }]))).toEqual([{ type: 'deleted', messageId: 'm-1' }]);
    expect(parseWhatnotFrame(JSON.stringify([null, null, 't', 'show_ended', {}]))).toEqual([{ type: 'ended', detail: 'show ended' }]);
  });

  it('identifies the show by its /live/<id> path', () => {
    expect(whatnot.streamIdentity?.(new URL('https://www.whatnot.com/live/abc-123?x=1'))).toBe('abc-123');
  });
});

describe('kick Pusher frames', () => {
  const chat = {
    id: '8f0c7a34-1111-2222-3333-444455556666',
    chatroom_id: 99,
    content: 'gg [emote:37226:KEKW] wow',
    type: 'message',
    created_at: '2025-03-01T10:00:00+00:00',
    sender: { id: 5, username: 'KickFan', slug: 'kickfan', identity: { color: '#fff', badges: [{ type: 'moderator', text: 'Moderator' }, { type: 'subscriber', text: 'Sub', count: 3 }] } },
  };

  it('decodes the double-encoded data of ChatMessageEvent', () => {
    const frame = JSON.stringify({ event: 'App\\Events\\ChatMessageEvent', data: JSON.stringify(chat), channel: 'chatrooms.99.v2' });
    expect(messages(parseKickFrame(frame))).toEqual([
      {
        id: chat.id,
        author: { name: 'KickFan', id: '5', badges: ['moderator', 'subscriber'] },
        text: 'gg KEKW wow',
        sentAt: '2025-03-01T10:00:00.000Z',
      },
    ]);
  });

  it('accepts data that is already decoded (older frames)', () => {
    const frame = JSON.stringify({ event: 'App\\Events\\ChatMessageEvent', data: chat, channel: 'chatrooms.99.v2' });
    expect(messages(parseKickFrame(frame))[0]?.text).toBe('gg KEKW wow');
  });

  it('reads deletions, bans and the end of the stream; ignores protocol frames', () => {
    const deleted = JSON.stringify({ event: 'App\\Events\\MessageDeletedEvent', data: JSON.stringify({ id: 'x', message: { id: chat.id } }) });
    expect(parseKickFrame(deleted)).toEqual([{ type: 'deleted', messageId: chat.id }]);
    const banned = JSON.stringify({ event: 'App\\Events\\UserBannedEvent', data: JSON.stringify({ id: 'b', user: { id: 5, username: 'KickFan' } }) });
    expect(parseKickFrame(banned)).toEqual([{ type: 'author_removed', authorId: '5' }]);
    const stop = JSON.stringify({ event: 'App\\Events\\StopStreamBroadcast', data: '{"livestream":{"id":1}}' });
    expect(parseKickFrame(stop)).toEqual([{ type: 'ended', detail: 'stream stopped' }]);
    expect(parseKickFrame('{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"1.2\\"}"}')).toEqual([]);
    expect(parseKickFrame('{"event":"App\\\\Events\\\\ChatMessageEvent","data":"{broken"}')).toEqual([]);
  });

  it('keeps the popout rewrite to kick.com and leaves fixture URLs alone', () => {
    expect(chatPageUrl(resolveAdapter(new URL('https://kick.com/xqc'), {}), new URL('https://kick.com/xqc'))).toBe('https://kick.com/popout/xqc/chat');
    const fixture = new URL('http://127.0.0.1:5555/kick/popout/xqc/chat');
    expect(chatPageUrl(resolveAdapter(fixture, { platform: 'kick' }), fixture)).toBe(fixture.href);
  });
});

describe('twitch IRC frames', () => {
  it('splits tags (unescaped), prefix, command and trailing text', () => {
    const line = parseIrcLine('@display-name=A\\sB;badges=moderator/1 :ab!ab@ab.tmi.twitch.tv PRIVMSG #chan :hello : there');
    expect(line).toEqual({
      tags: { 'display-name': 'A B', badges: 'moderator/1' },
      prefix: 'ab!ab@ab.tmi.twitch.tv',
      command: 'PRIVMSG',
      params: ['#chan', 'hello : there'],
    });
  });

  it('reads PRIVMSG with id, display name, badges, send time and bits; several lines per frame', () => {
    const frame = [
      '@badge-info=subscriber/12;badges=broadcaster/1,subscriber/12,vip/1;color=#FF0000;display-name=StreamerX;emotes=25:6-10;id=11111111-aaaa-bbbb-cccc-000000000001;room-id=1;tmi-sent-ts=1700000000000;user-id=77 :streamerx!streamerx@streamerx.tmi.twitch.tv PRIVMSG #streamerx :hello Kappa',
      '@badges=;bits=100;display-name=;id=22222222-aaaa-bbbb-cccc-000000000002;tmi-sent-ts=1700000000500;user-id=78 :cheerer!cheerer@cheerer.tmi.twitch.tv PRIVMSG #streamerx :\u0001ACTION cheers\u0001',
      ':tmi.twitch.tv PONG tmi.twitch.tv',
      '',
    ].join('\r\n');
    expect(messages(parseTwitchFrame(frame))).toEqual([
      {
        id: '11111111-aaaa-bbbb-cccc-000000000001',
        author: { name: 'StreamerX', id: '77', badges: ['broadcaster', 'subscriber', 'vip'] },
        text: 'hello Kappa',
        sentAt: new Date(1700000000000).toISOString(),
      },
      {
        id: '22222222-aaaa-bbbb-cccc-000000000002',
        author: { name: 'cheerer', id: '78', badges: [] },
        text: 'cheers',
        sentAt: new Date(1700000000500).toISOString(),
        kind: 'paid',
        paid: { amount: 100, currency: 'BITS', display: '100 bits' },
      },
    ]);
  });

  it('turns CLEARMSG into a deletion and a targeted CLEARCHAT into an author removal', () => {
    expect(parseTwitchFrame('@login=a;target-msg-id=abc;tmi-sent-ts=1 :tmi.twitch.tv CLEARMSG #chan :bad words')).toEqual([
      { type: 'deleted', messageId: 'abc' },
    ]);
    expect(parseTwitchFrame('@ban-duration=600;target-user-id=78 :tmi.twitch.tv CLEARCHAT #chan :cheerer')).toEqual([
      { type: 'author_removed', authorId: '78' },
    ]);
    expect(parseTwitchFrame('@room-id=1 :tmi.twitch.tv CLEARCHAT #chan')).toEqual([]);
  });

  it('opens the popout chat for channel URLs', () => {
    expect(twitch.chatUrl?.(new URL('https://www.twitch.tv/SomeOne'))).toBe('https://www.twitch.tv/popout/someone/chat');
  });
});

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

describe('common helpers', () => {
  it('normalizes badge names across platforms', () => {
    expect(normalizeBadges(['Broadcaster', 'moderator', 'founder', 'partner', 'VIP', 42])).toEqual(['owner', 'moderator', 'subscriber', 'verified', 'vip']);
  });

  it('parses amounts and times', () => {
    expect(parseAmount('CA$10.50')).toEqual({ amount: 10.5, currency: 'CAD', display: 'CA$10.50' });
    expect(parseAmount('€2,50')?.amount).toBe(2.5);
    expect(isoTime('1700000000000')).toBe(new Date(1700000000000).toISOString());
    expect(isoTime('not a date')).toBeUndefined();
  });

  it('extracts a JSON assignment and gives up on a truncated one', () => {
    expect(extractJsonAssignment('var ytInitialData = {"a":{"b":"}"}};', 'ytInitialData')).toEqual({ a: { b: '}' } });
    expect(extractJsonAssignment('var ytInitialData = {"a":', 'ytInitialData')).toBeUndefined();
  });

  it('identifies TikTok streams by host name', () => {
    expect(tiktok.streamIdentity?.(new URL('https://www.tiktok.com/@Seller/live'))).toBe('seller');
  });
});

describe('adapters from JSON files', () => {
  const adapter = jsonAdapter({
    name: 'mysite',
    hosts: ['chat.example.com'],
    chatUrl: 'https://{host}/popout/{2}?from={1}',
    dom: { container: '#chat', row: '.msg', author: '.user', text: '.body' },
  });

  it('matches its hosts and their subdomains only, after the built-ins', () => {
    expect(findFileAdapter([adapter], new URL('https://eu.chat.example.com/room/7'))).toBe(adapter);
    expect(findFileAdapter([adapter], new URL('https://example.com/room/7'))).toBeUndefined();
    expect(findFileAdapter([jsonAdapter({ ...adapter, name: 'x', hostPattern: '.*', dom: adapter.dom } as never)], new URL('https://kick.com/a'))).toBeUndefined();
  });

  it('expands the chat URL template, keeping the URL when a segment is missing', () => {
    expect(adapter.platform).toBe('generic');
    expect(adapter.chatUrl?.(new URL('https://chat.example.com/room/7'))).toBe('https://chat.example.com/popout/7?from=room');
    expect(adapter.chatUrl?.(new URL('https://chat.example.com/room'))).toBe('https://chat.example.com/room');
  });
});

describe('kick show identity', () => {
  const frame = (event: string, data: unknown) => JSON.stringify({ event: `App\\Events\\${event}`, data: JSON.stringify(data), channel: 'channel.1' });

  test('StreamerIsLive and LivestreamUpdated name the channel\'s current livestream', () => {
    expect(parseKickFrame(frame('StreamerIsLive', { livestream: { id: 4242, session_title: 'Back' } }))).toEqual([{ type: 'show', showId: '4242' }]);
    expect(parseKickFrame(frame('LivestreamUpdated', { id: 77 }))).toEqual([{ type: 'show', showId: '77' }]);
    expect(parseKickFrame(frame('StreamerIsLive', { livestream: {} }))).toEqual([]);
  });
});
