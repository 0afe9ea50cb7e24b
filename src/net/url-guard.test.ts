import { assertUrlAllowed, isPrivateAddress, isSelfAddress, machineAddresses, type Resolver } from './url-guard.ts';

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
    ['::127.0.0.1', true],
    ['2002:7f00:1::', true],
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

  test('a host that does not resolve is dns_failed (retryable), not a policy refusal', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN nowhere.example'), { code: 'EAI_AGAIN' });
    };
    await expect(assertUrlAllowed('https://nowhere.example/', { allowPrivate: false, resolver: failing })).rejects.toMatchObject({
      code: 'dns_failed',
    });
  });

  // Regression: the IPv4-compatible and 6to4 forms of loopback were accepted (201, a page was opened).
  test.each([
    'http://[::127.0.0.1]/',
    'http://[::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[::ffff:7f00:1]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://[fd00:ec2::254]/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
  ])('refuses %s without a lookup', async (url) => {
    let looked = false;
    const spy: Resolver = async () => {
      looked = true;
      return ['93.184.216.34'];
    };
    await expect(assertUrlAllowed(url, { allowPrivate: false, resolver: spy })).rejects.toMatchObject({ code: 'url_not_allowed' });
    expect(looked).toBe(false);
  });

  test('with a list of origins only those private targets pass', async () => {
    const options = { allowPrivate: false, allowedOrigins: ['http://127.0.0.2:4000'] };
    await expect(assertUrlAllowed('http://127.0.0.2:4000/page', options)).resolves.toBeInstanceOf(URL);
    await expect(assertUrlAllowed('http://127.0.0.2:4001/page', options)).rejects.toMatchObject({ code: 'url_not_allowed' });
    await expect(assertUrlAllowed('http://127.0.0.3:4000/page', options)).rejects.toMatchObject({ code: 'url_not_allowed' });
    // a name is judged by what it resolves to: this one lands on the listed address and port
    const toListed: Resolver = async () => ['127.0.0.2'];
    await expect(assertUrlAllowed('http://fixture.test:4000/', { ...options, resolver: toListed })).resolves.toBeInstanceOf(URL);
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


describe('the service itself is never a start URL (but its demo page)', () => {
  const self = { port: 3001, addresses: ['192.168.1.20'], names: ['earshot.lan'], allow: (url: URL) => url.pathname === '/demo/live' };
  const toSelf: Resolver = async () => ['127.0.0.1'];

  test.each([
    'http://127.0.0.1:3001/api/sessions',
    'http://localhost:3001/api/sessions',
    'http://[::1]:3001/ws',
    'http://0.0.0.0:3001/api/kb/documents',
    'http://[::ffff:127.0.0.1]:3001/',
    'http://192.168.1.20:3001/',
    'http://earshot.lan:3001/',
    'http://rebind.example:3001/api/sessions',
  ])('%s is refused, even with every private URL allowed', async (url) => {
    for (const allowPrivate of [true, false]) {
      await expect(assertUrlAllowed(url, { allowPrivate, resolver: toSelf, self, allowedOrigins: ['http://127.0.0.1:3001'] })).rejects.toMatchObject({
        code: 'url_not_allowed',
        message: expect.stringMatching(/this service itself/),
      });
    }
  });

  test('the demo page, other ports and other hosts pass', async () => {
    await expect(assertUrlAllowed('http://127.0.0.1:3001/demo/live', { allowPrivate: true, resolver: toSelf, self })).resolves.toBeInstanceOf(URL);
    await expect(assertUrlAllowed('http://127.0.0.1:3002/chat', { allowPrivate: true, resolver: toSelf, self })).resolves.toBeInstanceOf(URL);
    await expect(assertUrlAllowed('http://www.example.com:3001/', { allowPrivate: false, resolver: publicResolver, self })).resolves.toBeInstanceOf(URL);
  });

  test('isSelfAddress: loopback, unspecified and the machine addresses', () => {
    expect(isSelfAddress('127.8.9.10', [])).toBe(true);
    expect(isSelfAddress('::', [])).toBe(true);
    expect(isSelfAddress('10.0.0.5', ['10.0.0.5'])).toBe(true);
    expect(isSelfAddress('10.0.0.6', ['10.0.0.5'])).toBe(false);
    expect(machineAddresses({ lo: [{ address: 'fe80::1%lo', netmask: '', family: 'IPv6', mac: '', internal: true, cidr: null, scopeid: 1 }] })).toEqual(['fe80::1']);
  });
});
