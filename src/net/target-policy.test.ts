import { decideTarget, endpointKey, originEndpoints, type TargetPolicy } from './target-policy.ts';

const strict: TargetPolicy = { allowAllPrivate: false, allowedOrigins: [] };
const listed: TargetPolicy = { allowAllPrivate: false, allowedOrigins: ['http://127.0.0.1:8080', 'https://[::1]', 'http://fixture.local:9000'] };
const open: TargetPolicy = { allowAllPrivate: true, allowedOrigins: [] };

test('origins become host|port keys, default ports filled in, IPv6 canonical', () => {
  expect([...originEndpoints(['http://127.0.0.1:8080', 'https://[0:0::1]', 'http://Example.COM', 'ws://h:1', 'not a url'])]).toEqual([
    '127.0.0.1|8080',
    '::1|443',
    'example.com|80',
    'h|1',
  ]);
  expect(endpointKey('[::ffff:7f00:1]', 80)).toBe('::ffff:7f00:1|80');
});

test('public addresses pass; one private address among public ones refuses the whole name', () => {
  expect(decideTarget(strict, 'cdn.example', 443, ['93.184.216.34', '2606:4700::1111'])).toEqual({ allowed: true });
  expect(decideTarget(strict, 'cdn.example', 443, ['93.184.216.34', '10.0.0.1'])).toMatchObject({ allowed: false, kind: 'private_address' });
  expect(decideTarget(strict, 'cdn.example', 443, [])).toMatchObject({ allowed: false, kind: 'no_address' });
});

test('local names are refused before their addresses are looked at', () => {
  expect(decideTarget(strict, 'localhost', 80, ['93.184.216.34'])).toMatchObject({ allowed: false, kind: 'local_name' });
  expect(decideTarget(strict, 'metadata.google.internal', 80, ['93.184.216.34'])).toMatchObject({ allowed: false, kind: 'local_name' });
  expect(decideTarget(strict, 'foo.localhost.', 80, ['93.184.216.34'])).toMatchObject({ allowed: false, kind: 'local_name' });
});

test('a list admits exactly its origins: by address and port, or by name and port', () => {
  expect(decideTarget(listed, '127.0.0.1', 8080, ['127.0.0.1'])).toEqual({ allowed: true });
  expect(decideTarget(listed, '127.0.0.1', 8081, ['127.0.0.1'])).toMatchObject({ allowed: false });
  expect(decideTarget(listed, '127.0.0.2', 8080, ['127.0.0.2'])).toMatchObject({ allowed: false });
  expect(decideTarget(listed, '::1', 443, ['::1'])).toEqual({ allowed: true });
  // any name landing on a listed address and port is the listed origin
  expect(decideTarget(listed, 'a.test', 8080, ['127.0.0.1'])).toEqual({ allowed: true });
  expect(decideTarget(listed, 'fixture.local', 9000, ['10.1.2.3'])).toEqual({ allowed: true });
  expect(decideTarget(listed, 'fixture.local', 9001, ['10.1.2.3'])).toMatchObject({ allowed: false });
});

test('metadata is refused whatever the policy says', () => {
  expect(decideTarget(open, '169.254.169.254', 80, ['169.254.169.254'])).toMatchObject({ allowed: false, kind: 'metadata' });
  expect(decideTarget({ allowAllPrivate: false, allowedOrigins: ['http://169.254.169.254'] }, '169.254.169.254', 80, ['169.254.169.254'])).toMatchObject({
    allowed: false,
    kind: 'metadata',
  });
  expect(decideTarget(open, 'x.test', 80, ['fd00:ec2::254'])).toMatchObject({ allowed: false, kind: 'metadata' });
  expect(decideTarget(open, 'localhost', 80, ['127.0.0.1'])).toEqual({ allowed: true });
});
