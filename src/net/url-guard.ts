/**
 * URL safety (SSRF protection). Only http(s) URLs whose host resolves to public addresses are allowed:
 * loopback, private, link-local, carrier-grade NAT, multicast, reserved and cloud-metadata targets are
 * refused with `url_not_allowed`, unless the caller allows private targets (tests, local fixtures).
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { EarshotError } from '../errors.ts';

const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  ['100::', 64],
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv6');
}

/** Host names that point at instance metadata or the local machine whatever DNS says. */
const BLOCKED_HOSTNAMES = [/^localhost$/i, /\.localhost$/i, /^metadata\.google\.internal$/i, /^metadata$/i, /\.internal$/i];

/** True when an IP literal is loopback, private, link-local, metadata or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true; // not an IP at all: refuse rather than guess
}

export type Resolver = (hostname: string) => Promise<string[]>;

/** Resolves every address of a host (A and AAAA). */
export const systemResolver: Resolver = async (hostname) => {
  const results = await dns.lookup(hostname, { all: true, verbatim: true });
  return results.map((r) => r.address);
};

export interface UrlGuardOptions {
  allowPrivate: boolean;
  /** Exact origins that are always allowed (the service's own demo). */
  allowedOrigins?: readonly string[];
  resolver?: Resolver;
}

/** Parses a URL and refuses non-http(s) schemes and credentials. Does not look at the host. */
export function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EarshotError('url_not_allowed', `Not a valid URL: ${raw.slice(0, 200)}`, { url: raw.slice(0, 200) });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EarshotError('url_not_allowed', `Only http and https URLs can be monitored (got ${url.protocol})`, {
      url: url.href,
    });
  }
  if (url.username || url.password) {
    throw new EarshotError('url_not_allowed', 'URLs with embedded credentials are not allowed', { url: url.origin });
  }
  return url;
}

/**
 * Checks a URL against the policy; resolves the host and refuses it when any address is not public.
 * Results per host are cached briefly by `createHostCache` callers; this function itself does not cache.
 */
export async function assertUrlAllowed(raw: string, options: UrlGuardOptions): Promise<URL> {
  const url = parseHttpUrl(raw);
  if (options.allowPrivate) return url;
  if (options.allowedOrigins?.includes(url.origin)) return url;
  await assertHostPublic(url.hostname, options.resolver ?? systemResolver, url.href);
  return url;
}

async function assertHostPublic(hostnameRaw: string, resolver: Resolver, href: string): Promise<void> {
  const hostname = hostnameRaw.replace(/^\[|\]$/g, '');
  if (BLOCKED_HOSTNAMES.some((re) => re.test(hostname))) {
    throw new EarshotError('url_not_allowed', `Host ${hostname} is a local or metadata address`, { url: href });
  }
  let addresses: string[];
  if (net.isIP(hostname)) {
    addresses = [hostname];
  } else {
    try {
      addresses = await resolver(hostname);
    } catch (error) {
      throw new EarshotError('url_not_allowed', `Host ${hostname} does not resolve`, { url: href }, { cause: error });
    }
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new EarshotError('url_not_allowed', `Host ${hostname} resolves to a private, loopback or metadata address`, {
      url: href,
    });
  }
}

/**
 * A per-host verdict cache for the page's own sub-requests (thousands per session), so each host is
 * resolved once a minute rather than once a request.
 */
export function createSubrequestGuard(options: UrlGuardOptions, ttlMs = 60_000): (raw: string) => Promise<boolean> {
  const cache = new Map<string, { allowed: boolean; until: number }>();
  return async (raw) => {
    if (options.allowPrivate) return true;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return false;
    }
    if (url.protocol === 'data:' || url.protocol === 'blob:') return true;
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      return false;
    }
    const httpOrigin = url.origin.replace(/^ws/, 'http');
    if (options.allowedOrigins?.includes(httpOrigin)) return true;
    const now = Date.now();
    const hit = cache.get(url.host);
    if (hit && hit.until > now) return hit.allowed;
    let allowed = true;
    try {
      await assertHostPublic(url.hostname, options.resolver ?? systemResolver, url.href);
    } catch {
      allowed = false;
    }
    if (cache.size > 5_000) cache.clear();
    cache.set(url.host, { allowed, until: now + ttlMs });
    return allowed;
  };
}
