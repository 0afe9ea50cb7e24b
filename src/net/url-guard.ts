/**
 * URL safety (SSRF protection) at start-monitoring. Only http(s) URLs whose host resolves to public
 * addresses are allowed; the ranges are those of address-policy.ts, the decision that of
 * target-policy.ts, the same ones the egress proxy applies to every connection Chromium makes. A host
 * that does not resolve is `dns_failed` (retryable), not a policy refusal.
 */
import dns from 'node:dns/promises';
import os from 'node:os';
import { EarshotError } from '../errors.ts';
import { canonicalAddress, classifyAddress, isPublicAddress } from './address-policy.ts';
import { decideTarget, endpointKey, isLocalHostname, originEndpoints } from './target-policy.ts';

/**
 * True when an IP literal is not public (loopback, private, link-local, metadata, translation forms
 * carrying one of those, or not an IP at all). Kept for callers of the former guard.
 */
export function isPrivateAddress(address: string): boolean {
  return !isPublicAddress(address);
}

export type Resolver = (hostname: string) => Promise<string[]>;

/** Resolves every address of a host (A and AAAA). */
export const systemResolver: Resolver = async (hostname) => {
  const results = await dns.lookup(hostname, { all: true, verbatim: true });
  return results.map((r) => r.address);
};

export interface UrlGuardOptions {
  /** ALLOW_PRIVATE_URLS=true: no address check at all (the egress proxy still refuses metadata). */
  allowPrivate: boolean;
  /** Origins reachable among private targets (ALLOW_PRIVATE_URLS=<origins>, the service's own demo). */
  allowedOrigins?: readonly string[];
  resolver?: Resolver;
  /**
   * The service itself: a URL on its port whose host is, or resolves to, one of its addresses is refused
   * (by every name: a rebinding name, 0.0.0.0, the machine's own addresses), unless `allow` says it may
   * (the demo page). Applies even with ALLOW_PRIVATE_URLS=true: Chromium must never drive the service's API.
   */
  self?: SelfEndpoint;
}

/** How the service is reached: its port, its own addresses (interfaces, HOST when an IP) and names (HOST). */
export interface SelfEndpoint {
  port: number;
  /** Canonical IPs of this machine (loopback and 0.0.0.0/:: are always included by `isSelfAddress`). */
  addresses: readonly string[];
  /** Names that are this service (HOST when it is a name), lowercase. */
  names: readonly string[];
  /** URLs of the service that may be monitored anyway (the built-in demo page). */
  allow?: (url: URL) => boolean;
}

/** The canonical addresses of this machine's network interfaces. */
export function machineAddresses(interfaces: ReturnType<typeof os.networkInterfaces> = os.networkInterfaces()): string[] {
  const addresses: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      const canonical = canonicalAddress(info.address.replace(/%.*$/, ''));
      if (canonical) addresses.push(canonical);
    }
  }
  return addresses;
}

/** True when `address` is this machine: loopback, unspecified (0.0.0.0 reaches it) or one of `own`. Pure. */
export function isSelfAddress(address: string, own: readonly string[]): boolean {
  const verdict = classifyAddress(address);
  if (!verdict.public && /(^|:)(loopback|unspecified)$/.test(verdict.range)) return true;
  return own.includes(verdict.address);
}

/** Refuses a URL that points at the service itself (see UrlGuardOptions.self). */
async function assertNotSelf(url: URL, self: SelfEndpoint, resolver: Resolver | undefined): Promise<void> {
  if (portOf(url) !== self.port || self.allow?.(url)) return;
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const refuse = (): never => {
    throw new EarshotError('url_not_allowed', `${url.host} is this service itself: only its demo page may be monitored`, { url: url.href });
  };
  if (isLocalHostname(host) || self.names.includes(host)) refuse();
  let addresses: string[];
  try {
    addresses = await addressesOf(host, resolver);
  } catch {
    // A name that does not resolve is not us; the policy check below reports dns_failed.
    return;
  }
  if (addresses.some((address) => isSelfAddress(address, self.addresses))) refuse();
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

/** The port a URL connects to (explicit, or the scheme's default). */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
}

/**
 * The addresses a host stands for: itself when it is an IP literal (canonical form), else what the
 * resolver answers (which may throw). The one lookup both the start check and the egress proxy make.
 */
export async function addressesOf(host: string, resolver: Resolver = systemResolver): Promise<string[]> {
  const literal = canonicalAddress(host);
  return literal ? [literal] : resolver(host);
}

/**
 * Checks a URL against the policy: resolves the host and refuses it (`url_not_allowed`) when any
 * address is not public and not an allowed origin; a lookup failure is `dns_failed`.
 */
export async function assertUrlAllowed(raw: string, options: UrlGuardOptions): Promise<URL> {
  const url = parseHttpUrl(raw);
  if (options.self) await assertNotSelf(url, options.self, options.resolver);
  if (options.allowPrivate) return url;
  const origins = options.allowedOrigins ?? [];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(url);
  if (isLocalHostname(host) && !originEndpoints(origins).has(endpointKey(host, port))) {
    throw new EarshotError('url_not_allowed', `Host ${host} is a local or metadata address`, { url: url.href });
  }
  let addresses: string[];
  try {
    addresses = await addressesOf(host, options.resolver);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new EarshotError(
      'dns_failed',
      `Host ${host} could not be resolved${typeof code === 'string' ? ` (${code})` : ''}; try again later`,
      { url: url.href },
      { cause: error },
    );
  }
  const decision = decideTarget({ allowAllPrivate: false, allowedOrigins: origins }, host, port, addresses);
  if (!decision.allowed) {
    throw new EarshotError('url_not_allowed', `Host ${host} is not allowed: ${decision.reason}`, { url: url.href });
  }
  return url;
}
