import { chatPageUrl, resolveAdapter } from '../index.ts';
import type { NetworkChatEvent } from '../types.ts';
import { parseKickFrame } from './adapter.ts';

function messages(events: NetworkChatEvent[]) {
  return events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
}

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

describe('kick show identity', () => {
  const frame = (event: string, data: unknown) => JSON.stringify({ event: `App\\Events\\${event}`, data: JSON.stringify(data), channel: 'channel.1' });

  test('StreamerIsLive and LivestreamUpdated name the channel\'s current livestream', () => {
    expect(parseKickFrame(frame('StreamerIsLive', { livestream: { id: 4242, session_title: 'Back' } }))).toEqual([{ type: 'show', showId: '4242' }]);
    expect(parseKickFrame(frame('LivestreamUpdated', { id: 77 }))).toEqual([{ type: 'show', showId: '77' }]);
    expect(parseKickFrame(frame('StreamerIsLive', { livestream: {} }))).toEqual([]);
  });
});
