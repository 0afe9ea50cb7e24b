import { mayReceive } from '../fanout/hub.ts';
import { rateLimitKey } from '../http/rate-limit.ts';
import { deriveSessionId, visibleTo } from '../pipeline/session-manager.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('ownership decisions', () => {
  test('two sellers watching one URL get two session ids; one seller gets the same id twice', () => {
    const url = new URL('https://www.twitch.tv/somebody');
    expect(deriveSessionId('twitch', url, A)).not.toBe(deriveSessionId('twitch', url, B));
    expect(deriveSessionId('twitch', url, A)).toBe(deriveSessionId('twitch', new URL('https://WWW.twitch.tv/somebody/'), A));
    // Without accounts the id is what it always was (kept sessions keep their ids).
    expect(deriveSessionId('twitch', url)).toBe(deriveSessionId('twitch', url, undefined));
  });

  test('a session is visible to its owner only; without accounts to everyone', () => {
    expect(visibleTo(A, A)).toBe(true);
    expect(visibleTo(A, B)).toBe(false);
    expect(visibleTo(undefined, B)).toBe(false);
    expect(visibleTo(A, undefined)).toBe(true);
    expect(visibleTo(undefined, undefined)).toBe(true);
  });

  test('the hub delivers a session\u2019s events to its owner\u2019s clients only', () => {
    expect(mayReceive(true, A, A)).toBe(true);
    expect(mayReceive(true, A, B)).toBe(false);
    expect(mayReceive(true, undefined, A)).toBe(false);
    expect(mayReceive(true, A, undefined)).toBe(false);
    expect(mayReceive(false, A, undefined)).toBe(true);
  });

  test('rate limits count a signed-in seller as one client, others by address (IPv6 by /56)', () => {
    const seller = { kind: 'user', userId: A } as const;
    const anyone = { kind: 'anonymous' } as const;
    expect(rateLimitKey(seller, '10.0.0.1')).toBe(rateLimitKey(seller, '10.0.0.2'));
    expect(rateLimitKey(anyone, '10.0.0.1')).not.toBe(rateLimitKey(anyone, '10.0.0.2'));
    expect(rateLimitKey(anyone, '2001:db8:1:1::1')).toBe(rateLimitKey(anyone, '2001:db8:1:2::9'));
  });
});
