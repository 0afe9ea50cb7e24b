import { rateLimitKey } from './rate-limit.ts';

describe('rateLimitKey', () => {
  test('refused credentials are counted apart from the owner and the seller they may imitate', () => {
    const refused = rateLimitKey({ kind: 'refused' }, '127.0.0.1');
    expect(refused).not.toBe(rateLimitKey({ kind: 'owner' }, '127.0.0.1'));
    expect(refused).not.toBe(rateLimitKey({ kind: 'user', userId: 'a' }, '127.0.0.1'));
    expect(refused).not.toBe(rateLimitKey({ kind: 'anonymous' }, '127.0.0.1'));
  });

  test('the owner is one client whatever the address; refused callers are their address', () => {
    expect(rateLimitKey({ kind: 'owner' }, '10.0.0.1')).toBe(rateLimitKey({ kind: 'owner' }, '10.0.0.2'));
    expect(rateLimitKey({ kind: 'refused' }, '10.0.0.1')).not.toBe(rateLimitKey({ kind: 'refused' }, '10.0.0.2'));
    expect(rateLimitKey({ kind: 'refused' }, '2001:db8:1:1::1')).toBe(rateLimitKey({ kind: 'refused' }, '2001:db8:1:2::9'));
  });

  test('a seller id cannot collide with the owner or an address key', () => {
    expect(rateLimitKey({ kind: 'user', userId: 'owner' }, '10.0.0.1')).not.toBe(rateLimitKey({ kind: 'owner' }, '10.0.0.1'));
    expect(rateLimitKey({ kind: 'user', userId: '10.0.0.1' }, '10.0.0.1')).not.toBe(rateLimitKey({ kind: 'anonymous' }, '10.0.0.1'));
  });
});
