/**
 * The host is known by what each platform says: a badge or role flag read from its own traffic becomes
 * Earshot's `owner`, which the claims ledger takes as the host (isHostAuthor), with no seller configured.
 */
import { isHostAuthor } from '../../../supabase/functions/_shared/ledger/rules.ts';
import { badgesOf } from '../youtube-api/mapping.ts';
import { normalizeBadges } from './common.ts';
import { parseKickFrame } from './kick/adapter.ts';
import { parseTwitchFrame } from './twitch/adapter.ts';
import type { NetworkChatEvent } from './types.ts';
import { parseWhatnotFrame } from './whatnot/adapter.ts';
import { parseYoutubeResponse } from './youtube/adapter.ts';

/** The normalized badges of the first message of a parse, as capture's message builder stores them. */
function badgesOfFirst(events: NetworkChatEvent[]): string[] {
  const first = events.find((e) => e.type === 'message');
  if (!first || first.type !== 'message') throw new Error('no message parsed');
  return normalizeBadges(first.message.author.badges);
}

const isHost = (badges: string[]) => isHostAuthor('someone', badges, []);

describe('host detection from each platform, with no seller named', () => {
  it('Whatnot: the host and the seller flags on the chat user', () => {
    for (const flag of ['is_host', 'is_seller']) {
      const frame = JSON.stringify([null, null, 'livestream:1', 'new_msg', { id: 'm1', user: { username: 'hannah', [flag]: true }, message: 'A1 $45' }]);
      expect(isHost(badgesOfFirst(parseWhatnotFrame(frame)))).toBe(true);
    }
    const viewer = JSON.stringify([null, null, 'livestream:1', 'new_msg', { id: 'm2', user: { username: 'amy' }, message: 'sold' }]);
    expect(isHost(badgesOfFirst(parseWhatnotFrame(viewer)))).toBe(false);
  });

  it('Whatnot page: the "Host" and "Seller" labels read from the row', () => {
    expect(normalizeBadges(['host'])).toEqual(['owner']);
    expect(normalizeBadges(['Seller'])).toEqual(['owner']);
    expect(isHost(normalizeBadges(['mod']))).toBe(false);
  });

  it('YouTube: the OWNER badge on the web chat and isChatOwner on the Data API', () => {
    const item = {
      id: 'yt-1',
      timestampUsec: '1700000000000000',
      authorName: { simpleText: 'Hannah' },
      authorBadges: [{ liveChatAuthorBadgeRenderer: { icon: { iconType: 'OWNER' }, tooltip: 'Owner' } }],
      message: { runs: [{ text: 'A1 jeans $45' }] },
    };
    const body = JSON.stringify({
      continuationContents: { liveChatContinuation: { actions: [{ addChatItemAction: { item: { liveChatTextMessageRenderer: item } } }] } },
    });
    expect(isHost(badgesOfFirst(parseYoutubeResponse(body, 'https://www.youtube.com/youtubei/v1/live_chat/get_live_chat')))).toBe(true);
    expect(isHost(normalizeBadges(badgesOf({ isChatOwner: true } as never)))).toBe(true);
    expect(isHost(normalizeBadges(badgesOf({ isChatModerator: true } as never)))).toBe(false);
  });

  it('Twitch: the broadcaster badge in the IRC tags, and the badge image on the page', () => {
    const line = '@badges=broadcaster/1,subscriber/0;display-name=Hannah;id=t-1;tmi-sent-ts=1700000000000;user-id=9 :hannah!hannah@hannah.tmi.twitch.tv PRIVMSG #hannah :A1 $45';
    expect(isHost(badgesOfFirst(parseTwitchFrame(line)))).toBe(true);
    expect(isHost(normalizeBadges(['Broadcaster']))).toBe(true);
    const viewer = '@badges=moderator/1;display-name=Mo;id=t-2;user-id=10 :mo!mo@mo.tmi.twitch.tv PRIVMSG #hannah :hi';
    expect(isHost(badgesOfFirst(parseTwitchFrame(viewer)))).toBe(false);
  });

  it('Kick: the broadcaster badge in the Pusher frame', () => {
    const data = { id: 'k-1', content: 'A1 $45', created_at: '2026-01-01T00:00:00Z', sender: { id: 5, username: 'hannah', identity: { badges: [{ type: 'broadcaster', text: 'Broadcaster' }] } } };
    const frame = JSON.stringify({ event: 'App\\Events\\ChatMessageEvent', data: JSON.stringify(data), channel: 'chatrooms.1.v2' });
    expect(isHost(badgesOfFirst(parseKickFrame(frame)))).toBe(true);
  });

  it('TikTok: the "Host" label before a name', () => {
    expect(isHost(normalizeBadges(['Host']))).toBe(true);
  });
});
