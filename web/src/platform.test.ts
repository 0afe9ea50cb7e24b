/// <reference types="jest" />
import { channelPages, detectPlatform, normalizeUrl } from './platform.ts';

const ORIGIN = 'http://127.0.0.1:3001';

describe('the start field: a URL with or without its scheme, or a channel name', () => {
  it('detects the platform of a URL typed without https://, and sends it with https://', () => {
    expect(detectPlatform('whatnot.com/live/abc-123', ORIGIN)).toMatchObject({ platform: 'whatnot' });
    expect(detectPlatform('www.twitch.tv/somechannel', ORIGIN)).toMatchObject({ platform: 'twitch' });
    expect(normalizeUrl(' whatnot.com/live/abc-123 ')).toBe('https://whatnot.com/live/abc-123');
    expect(normalizeUrl('http://example.com/x')).toBe('http://example.com/x');
  });

  it('takes a bare name as a channel, with the pages it may mean', () => {
    const d = detectPlatform('@hannahs_vintage', ORIGIN);
    expect(d).toMatchObject({ platform: null, channel: 'hannahs_vintage' });
    expect(channelPages(d.channel!).map((p) => p.url)).toEqual([
      'https://www.twitch.tv/hannahs_vintage',
      'https://kick.com/hannahs_vintage',
      'https://www.youtube.com/@hannahs_vintage/live',
      'https://www.tiktok.com/@hannahs_vintage/live',
    ]);
    // Each is a page the detector then names by its platform.
    for (const page of channelPages('abc')) expect(detectPlatform(page.url, ORIGIN).platform).toBe(page.platform);
  });

  it('does not take a host, a path or odd characters for a channel name', () => {
    expect(detectPlatform('example.com', ORIGIN).channel).toBeUndefined();
    expect(detectPlatform('a/b', ORIGIN).channel).toBeUndefined();
    expect(detectPlatform('x', ORIGIN).channel).toBeUndefined();
    expect(detectPlatform('javascript:alert(1)', ORIGIN)).toMatchObject({ platform: null, problem: expect.any(String) });
  });
});
