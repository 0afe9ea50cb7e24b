import { assertUrlAllowed, createSubrequestGuard, isPrivateAddress, type Resolver } from './url-guard.ts';

const publicResolver: Resolver = async () => ['93.184.216.34'];
const rebinding: Resolver = async () => ['93.184.216.34', '10.1.2.3'];

describe('isPrivateAddress', () => {
  test.each([
    ['127.0.0.1', true],
    ['10.0.0.5', true],
    ['172.16.3.4', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00:ec2::254', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2606:4700::1111', false],
    ['not-an-ip', true],
  ])('%s -> %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('assertUrlAllowed', () => {
  test('allows public http(s) hosts', async () => {
    await expect(assertUrlAllowed('https://www.whatnot.com/live/abc', { allowPrivate: false, resolver: publicResolver })).resolves.toBeInstanceOf(URL);
  });

  test('refuses a host with any private address (DNS rebinding style)', async () => {
    await expect(assertUrlAllowed('https://evil.example/', { allowPrivate: false, resolver: rebinding })).rejects.toMatchObject({
      code: 'url_not_allowed',
    });
  });

  test('refuses hosts that do not resolve', async () => {
    const failing: Resolver = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(assertUrlAllowed('https://nowhere.example/', { allowPrivate: false, resolver: failing })).rejects.toMatchObject({
      code: 'url_not_allowed',
    });
  });

  test('metadata host names are refused before any lookup', async () => {
    let looked = false;
    const spy: Resolver = async () => {
      looked = true;
      return ['8.8.8.8'];
    };
    await expect(assertUrlAllowed('http://metadata.google.internal/', { allowPrivate: false, resolver: spy })).rejects.toMatchObject({
      code: 'url_not_allowed',
    });
    expect(looked).toBe(false);
  });

  test('allowPrivate lets loopback through but never other schemes', async () => {
    await expect(assertUrlAllowed('http://127.0.0.1:1/x', { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    await expect(assertUrlAllowed('ftp://127.0.0.1/x', { allowPrivate: true })).rejects.toMatchObject({ code: 'url_not_allowed' });
  });
});

describe('createSubrequestGuard', () => {
  test('blocks private targets, allows public ones and listed origins, caches per host', async () => {
    let lookups = 0;
    const resolver: Resolver = async (host) => {
      lookups++;
      return host === 'cdn.example' ? ['93.184.216.34'] : ['192.168.1.1'];
    };
    const guard = createSubrequestGuard({ allowPrivate: false, allowedOrigins: ['http://127.0.0.1:3001'], resolver });
    expect(await guard('https://cdn.example/app.js')).toBe(true);
    expect(await guard('https://cdn.example/other.js')).toBe(true);
    expect(await guard('http://router.lan/admin')).toBe(false);
    expect(await guard('http://127.0.0.1:3001/demo/stream')).toBe(true);
    expect(await guard('http://127.0.0.1:6379/')).toBe(false);
    expect(await guard('ws://127.0.0.1:3001/socket')).toBe(true);
    expect(await guard('file:///etc/passwd')).toBe(false);
    expect(await guard('data:text/plain,hi')).toBe(true);
    expect(lookups).toBe(2);
  });
});
