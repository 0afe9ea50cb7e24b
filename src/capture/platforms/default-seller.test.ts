import { isHostAuthor } from '../../../supabase/functions/_shared/ledger/rules.ts';
import { defaultSellerFor } from './default-seller.ts';

const seller = (href: string, platform: Parameters<typeof defaultSellerFor>[1]) => defaultSellerFor(new URL(href), platform);

describe('defaultSellerFor: the channel in a live URL is the host', () => {
  it('reads the Twitch channel from the channel page and the popout chat', () => {
    expect(seller('https://www.twitch.tv/HostHannah', 'twitch')).toEqual(['hosthannah']);
    expect(seller('https://twitch.tv/popout/host_hannah/chat?popout=', 'twitch')).toEqual(['host_hannah']);
    expect(seller('https://www.twitch.tv/directory/gaming', 'twitch')).toEqual([]);
  });

  it('reads the Kick channel, not its site pages', () => {
    expect(seller('https://kick.com/vintage-val', 'kick')).toEqual(['vintage-val']);
    expect(seller('https://kick.com/popout/vintage.val/chat', 'kick')).toEqual(['vintage.val']);
    expect(seller('https://kick.com/categories/irl', 'kick')).toEqual([]);
  });

  it('reads the TikTok @name of a live', () => {
    expect(seller('https://www.tiktok.com/@Thrift_Queen/live', 'tiktok')).toEqual(['thrift_queen']);
    expect(seller('https://www.tiktok.com/live', 'tiktok')).toEqual([]);
  });

  it('names nobody for Whatnot and YouTube (their URLs name a show or a video; badges say who hosts)', () => {
    expect(seller('https://www.whatnot.com/live/3f2a-show', 'whatnot')).toEqual([]);
    expect(seller('https://www.youtube.com/watch?v=abcdefghijk', 'youtube')).toEqual([]);
  });

  it('names nobody for a local page started with an explicit platform, or a URL of another platform', () => {
    expect(seller('http://127.0.0.1:4000/fx/twitch/room-1', 'twitch')).toEqual([]);
    expect(seller('https://www.twitch.tv/hannah', 'kick')).toEqual([]);
    expect(seller('https://www.twitch.tv/hannah', undefined)).toEqual([]);
  });

  it('refuses what is not a login (hostile or malformed path segments)', () => {
    expect(seller('https://www.tiktok.com/@%E0%A4%A/live', 'tiktok')).toEqual([]);
    expect(seller('https://kick.com/%3Cscript%3E', 'kick')).toEqual([]);
    expect(seller(`https://www.twitch.tv/${'a'.repeat(120)}`, 'twitch')).toEqual([]);
  });
});

describe('the channel in the URL makes its messages the host\'s in the ledger, whatever the case of the display name', () => {
  it.each([
    ['https://www.twitch.tv/hosthannah', 'twitch', 'HostHannah'],
    ['https://kick.com/vintage-val', 'kick', 'Vintage-Val'],
    ['https://www.tiktok.com/@thrift_queen/live', 'tiktok', 'thrift_queen'],
  ] as const)('%s', (href, platform, author) => {
    const sellers = seller(href, platform);
    expect(isHostAuthor(author, [], sellers, platform)).toBe(true);
    expect(isHostAuthor('a_viewer', [], sellers, platform)).toBe(false);
  });
});
