import {
  buildOriginPolicy,
  crossOriginRefusal,
  hasSameOriginSignal,
  hostnameOf,
  hostRefusal,
  isHostAllowed,
  isOriginAllowed,
  upgradeRefusal,
  type OriginPolicy,
} from './origin-policy.ts';

const open: OriginPolicy = buildOriginPolicy({ host: '127.0.0.1', allowedHosts: [], allowedOrigins: [], authenticated: false });

describe('hostnameOf', () => {
  test.each([
    ['127.0.0.1:3001', '127.0.0.1'],
    ['LOCALHOST:3001', 'localhost'],
    ['[::1]:3001', '::1'],
    ['example.com.', 'example.com'],
    ['example.com', 'example.com'],
  ])('%s -> %s', (header, expected) => {
    expect(hostnameOf(header)).toBe(expected);
  });

  test.each(['a/b', 'user@evil.example', 'evil.example?x', 'a b', ''])('%j is not a host', (header) => {
    expect(hostnameOf(header)).toBeUndefined();
  });
});

describe('the Host check (DNS rebinding)', () => {
  test('open mode answers loopback names and IP literals only, plus ALLOWED_HOSTS', () => {
    for (const host of ['127.0.0.1:3001', 'localhost:3001', '[::1]:3001', 'app.localhost:3001', '192.168.1.20:3001']) {
      expect(isHostAllowed(open, host)).toBe(true);
    }
    expect(isHostAllowed(open, 'rebind.attacker.example:3001')).toBe(false);
    expect(isHostAllowed(open, 'localhost.attacker.example')).toBe(false);
    expect(isHostAllowed(open, 'evil/..')).toBe(false);
    const listed = buildOriginPolicy({ host: '0.0.0.0', allowedHosts: ['earshot.example.com', '*.internal.example'], allowedOrigins: [], authenticated: false });
    expect(isHostAllowed(listed, 'earshot.example.com')).toBe(true);
    expect(isHostAllowed(listed, 'a.internal.example:8080')).toBe(true);
    expect(isHostAllowed(listed, 'internal.example')).toBe(false);
    expect(isHostAllowed(listed, 'earshot.example.com.attacker.example')).toBe(false);
  });

  test('HOST is served when it is a name', () => {
    const named = buildOriginPolicy({ host: 'earshot.lan', allowedHosts: [], allowedOrigins: [], authenticated: false });
    expect(isHostAllowed(named, 'earshot.lan:3001')).toBe(true);
    expect(isHostAllowed(named, 'other.lan:3001')).toBe(false);
  });

  test('with a token or accounts the Host is not checked unless ALLOWED_HOSTS is set', () => {
    const token = buildOriginPolicy({ host: '0.0.0.0', allowedHosts: [], allowedOrigins: [], authenticated: true });
    expect(isHostAllowed(token, 'earshot.onrender.com')).toBe(true);
    const pinned = buildOriginPolicy({ host: '0.0.0.0', allowedHosts: ['earshot.onrender.com'], allowedOrigins: [], authenticated: true });
    expect(isHostAllowed(pinned, 'earshot.onrender.com')).toBe(true);
    expect(isHostAllowed(pinned, 'rebind.attacker.example')).toBe(false);
  });

  test('the refusal carries its code', () => {
    expect(hostRefusal(open, { host: 'rebind.attacker.example:3001' })).toMatchObject({ code: 'host_not_allowed' });
    expect(hostRefusal(open, { host: '127.0.0.1:3001' })).toBeUndefined();
  });
});

describe('the Origin check', () => {
  test('a page is allowed on the host it was served from, or when listed', () => {
    expect(isOriginAllowed(open, 'http://127.0.0.1:3001', '127.0.0.1:3001')).toBe(true);
    expect(isOriginAllowed(open, 'https://earshot.example.com', 'earshot.example.com')).toBe(true);
    expect(isOriginAllowed(open, 'https://earshot.example.com', 'earshot.example.com:443')).toBe(true);
    expect(isOriginAllowed(open, 'http://127.0.0.1:3002', '127.0.0.1:3001')).toBe(false);
    expect(isOriginAllowed(open, 'http://localhost:3001', '127.0.0.1:3001')).toBe(false);
    expect(isOriginAllowed(open, 'null', '127.0.0.1:3001')).toBe(false);
    expect(isOriginAllowed(open, 'chrome-extension://abc', '127.0.0.1:3001')).toBe(false);
    const listed = buildOriginPolicy({ host: '127.0.0.1', allowedHosts: [], allowedOrigins: ['https://tools.example.com'], authenticated: false });
    expect(isOriginAllowed(listed, 'https://tools.example.com', '127.0.0.1:3001')).toBe(true);
  });

  test('/ws upgrades: Host first, then Origin; no Origin is not a browser', () => {
    expect(upgradeRefusal(open, { host: '127.0.0.1:3001', origin: 'http://127.0.0.1:3001' })).toBeUndefined();
    expect(upgradeRefusal(open, { host: '127.0.0.1:3001' })).toBeUndefined();
    expect(upgradeRefusal(open, { host: '127.0.0.1:3001', origin: 'http://attacker.example' })).toMatchObject({ code: 'cross_origin' });
    expect(upgradeRefusal(open, { host: 'attacker.example:3001', origin: 'http://attacker.example:3001' })).toMatchObject({
      code: 'host_not_allowed',
    });
  });
});

describe('the same-origin signal (CSRF)', () => {
  const host = '127.0.0.1:3001';
  const crossSite = { host, origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' };

  test('a cross-origin form post is refused; reads are not state-changing', () => {
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'content-type': 'multipart/form-data; boundary=x' })).toBe(false);
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'content-type': 'text/plain' })).toBe(false);
    expect(hasSameOriginSignal(open, 'DELETE', crossSite)).toBe(false);
    expect(hasSameOriginSignal(open, 'POST', { host, origin: 'null' })).toBe(false);
    expect(hasSameOriginSignal(open, 'POST', { host, 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(hasSameOriginSignal(open, 'GET', crossSite)).toBe(true);
    expect(crossOriginRefusal(open, 'POST', crossSite)).toMatchObject({ code: 'cross_origin' });
  });

  test('signals a cross-origin page cannot send without a preflight pass', () => {
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'content-type': 'application/json' })).toBe(true);
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'content-type': 'Application/JSON; charset=utf-8' })).toBe(true);
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'x-earshot-request': '1' })).toBe(true);
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, authorization: 'Bearer x' })).toBe(true);
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'x-api-key': 'x' })).toBe(true);
    // A look-alike of the JSON type is a simple one (text/plain) as far as CORS goes.
    expect(hasSameOriginSignal(open, 'POST', { ...crossSite, 'content-type': 'text/plain; application/json' })).toBe(false);
  });

  test('same-origin pages and non-browsers pass', () => {
    expect(hasSameOriginSignal(open, 'POST', { host, origin: 'http://127.0.0.1:3001', 'content-type': 'multipart/form-data' })).toBe(true);
    expect(hasSameOriginSignal(open, 'POST', { host, 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(hasSameOriginSignal(open, 'POST', { host, 'content-type': 'multipart/form-data' })).toBe(true);
  });
});
