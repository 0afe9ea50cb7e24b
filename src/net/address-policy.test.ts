import { canonicalAddress, classifyAddress, isPublicAddress } from './address-policy.ts';

describe('classifyAddress', () => {
  test.each([
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.3.4', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['169.254.169.254', 'metadata'],
    // IPv6
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    // IPv6 forms that carry an IPv4 address
    ['::ffff:127.0.0.1', 'ipv4Mapped:loopback'],
    ['::ffff:7f00:1', 'ipv4Mapped:loopback'],
    ['::ffff:169.254.169.254', 'ipv4Mapped:metadata'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['::8.8.8.8', 'ipv4Compatible'],
    ['2002:7f00:1::', '6to4:loopback'],
    ['2002:c0a8:101::1', '6to4:private'],
    ['64:ff9b::127.0.0.1', 'rfc6052:loopback'],
    ['64:ff9b::a00:1', 'rfc6052:private'],
    ['::ffff:0:10.0.0.1', 'rfc6145:private'],
    // not an address at all
    ['localhost', 'invalid'],
    ['0x7f.1', 'invalid'],
  ])('%s is refused as %s', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ public: false, range });
  });

  test.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1', '64:ff9b::8.8.8.8', '[2606:4700::1111]'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  test('metadata endpoints are flagged as such (refused even when private targets are allowed)', () => {
    expect(classifyAddress('169.254.169.254')).toMatchObject({ metadata: true });
    expect(classifyAddress('::ffff:a9fe:a9fe')).toMatchObject({ metadata: true });
    expect(classifyAddress('127.0.0.1')).toMatchObject({ metadata: false });
  });

  test('canonical forms compare equal whatever the spelling', () => {
    expect(canonicalAddress('[0:0:0:0:0:0:0:1]')).toBe('::1');
    expect(canonicalAddress('FD00:EC2:0::254')).toBe('fd00:ec2::254');
    expect(canonicalAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(canonicalAddress('example.com')).toBeUndefined();
  });
});
