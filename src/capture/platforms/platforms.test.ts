import { PLATFORMS } from '../../domain/message.ts';
import { extractJsonAssignment, isoTime, normalizeBadges, parseAmount } from './common.ts';
import { BUILTIN_ADAPTERS, detectPlatform, findFileAdapter, resolveAdapter } from './index.ts';
import { jsonAdapter } from './json-adapters.ts';
import { PLATFORM_SITES, siteForHost } from './registry.ts';
import { tiktok } from './tiktok/adapter.ts';

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

describe('the platform registry', () => {
  test('every registered platform but generic has its adapter, labelled with its own name, in registry order', () => {
    expect(BUILTIN_ADAPTERS.map((a) => a.platform)).toEqual(PLATFORM_SITES.map((s) => s.platform).filter((p) => p !== 'generic'));
  });

  test('the domain and the HTTP schema see exactly the registered platforms', () => {
    expect([...PLATFORMS]).toEqual(PLATFORM_SITES.map((s) => s.platform));
    expect(new Set(PLATFORMS).size).toBe(PLATFORMS.length);
  });

  test("an adapter's host rule is its site's, so the dashboard and the service detect the same platform", () => {
    for (const url of ['https://www.whatnot.com/live/a', 'https://youtu.be/x', 'https://m.twitch.tv/a', 'https://kick.com/a', 'https://www.tiktok.com/@a/live', 'https://shop.example/live']) {
      const parsed = new URL(url);
      expect(siteForHost(parsed.hostname).platform).toBe(detectPlatform(parsed) ?? 'generic');
    }
  });
});
