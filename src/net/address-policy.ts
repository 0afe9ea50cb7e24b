/**
 * The one classifier of IP addresses for the whole service: start-monitoring (url-guard.ts) and the
 * egress proxy every Chromium connection goes through (egress-proxy.ts) both decide with it, so a form
 * of loopback refused in one place cannot slip through the other.
 *
 * Only globally routable unicast is public. IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4,
 * NAT64, SIIT) are judged by the IPv4 address they carry; IPv4-compatible (`::a.b.c.d`, deprecated since
 * 2006) and Teredo are refused outright: nothing legitimate uses them and their routing depends on
 * relays the service does not control.
 */
import ipaddr from 'ipaddr.js';

/** Why an address is not public (ipaddr.js range names, plus the forms it does not name). */
export type AddressVerdict =
  | { public: true; address: string }
  | { public: false; address: string; range: string; metadata: boolean };

/** Instance-metadata endpoints (AWS, GCP, Azure, OpenStack; AWS's IPv6 one): never reachable, whatever the config. */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200']);

/** Parses an IP literal (brackets and an IPv6 zone allowed); undefined when it is not one. */
export function parseAddress(raw: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const text = raw.replace(/^\[|\]$/g, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  const v6 = text.replace(/%.*$/, ''); // the zone does not change what the address is
  if (!ipaddr.IPv6.isValid(v6)) return undefined;
  // ipaddr.js reads `::a.b.c.d` as IPv4-mapped; the WHATWG URL parser (what Chromium and Node use)
  // reads it as IPv4-compatible `::xxxx:xxxx`. Normalize the way the connection will see it.
  let normalized: string;
  try {
    normalized = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  return ipaddr.IPv6.parse(normalized);
}

/** The canonical text of an address (RFC 5952 for IPv6, no zone), for comparing allow-list entries. */
export function canonicalAddress(raw: string): string | undefined {
  const parsed = parseAddress(raw);
  if (!parsed) return undefined;
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    return new ipaddr.IPv6(v6.parts).toRFC5952String();
  }
  return parsed.toString();
}

/** Classifies one IP literal. Anything that does not parse as an address is not public. */
export function classifyAddress(raw: string): AddressVerdict {
  const parsed = parseAddress(raw);
  if (!parsed) return { public: false, address: raw, range: 'invalid', metadata: false };
  const address = canonicalAddress(raw)!;
  if (METADATA.has(address)) return { public: false, address, range: 'metadata', metadata: true };
  if (parsed.kind() === 'ipv4') {
    const range = (parsed as ipaddr.IPv4).range();
    return range === 'unicast' ? { public: true, address } : { public: false, address, range, metadata: false };
  }
  const v6 = parsed as ipaddr.IPv6;
  const parts = v6.parts;
  // ::/96 (IPv4-compatible, e.g. ::127.0.0.1): ipaddr.js calls it unicast, the kernel may route it to v4.
  if (parts.slice(0, 6).every((p) => p === 0) && !(parts[6] === 0 && parts[7]! <= 1)) {
    return { public: false, address, range: 'ipv4Compatible', metadata: false };
  }
  const range = v6.range();
  const embedded = embeddedIPv4(v6, range);
  if (embedded) {
    const inner = classifyAddress(embedded);
    return inner.public ? { public: true, address } : { public: false, address, range: `${range}:${inner.range}`, metadata: inner.metadata };
  }
  return range === 'unicast' ? { public: true, address } : { public: false, address, range, metadata: false };
}

/** True when the address is globally routable unicast (see classifyAddress). */
export function isPublicAddress(raw: string): boolean {
  return classifyAddress(raw).public;
}

/** The IPv4 address an IPv6 translation form carries, for the forms judged by it. */
function embeddedIPv4(v6: ipaddr.IPv6, range: string): string | undefined {
  const p = v6.parts;
  const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return v4(p[6]!, p[7]!);
    case 'rfc6052': // 64:ff9b::a.b.c.d (NAT64) and the local-use 64:ff9b:1::/48
      return v4(p[6]!, p[7]!);
    case '6to4': // 2002:AABB:CCDD::/48 carries a.b.c.d in bits 16..47
      return v4(p[1]!, p[2]!);
    default:
      return undefined;
  }
}
