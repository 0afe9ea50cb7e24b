import type { NetworkChatEvent } from '../types.ts';
import { parseIrcLine, parseTwitchFrame, twitch } from './adapter.ts';

function messages(events: NetworkChatEvent[]) {
  return events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
}

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

  it('unescapes every IRCv3 tag escape and skips lines that are not IRC', () => {
    expect(parseIrcLine('@a=x\\:y\\\\z\\r\\n;b;c= PING')?.tags).toEqual({ a: 'x;y\\z\r\n', b: '', c: '' });
    expect(parseIrcLine('@only=tags')).toBeUndefined();
    expect(parseTwitchFrame('@id=1\r\n:\r\n\r\n')).toEqual([]);
  });

  it('opens the popout chat for channel URLs', () => {
    expect(twitch.chatUrl?.(new URL('https://www.twitch.tv/SomeOne'))).toBe('https://www.twitch.tv/popout/someone/chat');
  });
});
