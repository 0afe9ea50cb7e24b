/**
 * Which targets (host, port, resolved addresses) a connection may reach: the pure decision shared by
 * start-monitoring (url-guard.ts) and the egress proxy (egress-proxy.ts). Public unicast is always
 * reachable; instance metadata never is; other private addresses only with ALLOW_PRIVATE_URLS=true, or
 * when the target is one of the allowed origins (ALLOW_PRIVATE_URLS=<origins>, the service's own demo).
 */
import { canonicalAddress, classifyAddress } from './address-policy.ts';

export interface TargetPolicy {
  /** ALLOW_PRIVATE_URLS=true: every private target is reachable (metadata still is not). */
  allowAllPrivate: boolean;
  /**
   * Origins reachable among private targets. Matched by host and port, not scheme: through a proxy,
   * https and ws(s) are opaque CONNECT tunnels to host:port, so the scheme is not visible there.
   */
  allowedOrigins: readonly string[];
}

/** Why a target was refused, in few words (a metrics label); `reason` says it for people. */
export type RefusalKind = 'local_name' | 'no_address' | 'metadata' | 'private_address';

export type TargetDecision = { allowed: true } | { allowed: false; kind: RefusalKind; reason: string };

/** Host names that point at the local machine or instance metadata whatever DNS says. */
const LOCAL_HOSTNAMES = [/^localhost\.?$/i, /\.localhost\.?$/i, /^metadata\.google\.internal\.?$/i, /^metadata$/i, /\.internal\.?$/i];

/** `host|port` keys of the allowed origins (IP hosts in canonical form). Origins that do not parse are ignored. */
export function originEndpoints(origins: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      continue;
    }
    const port = url.port ? Number(url.port) : url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
    keys.add(endpointKey(url.hostname, port));
  }
  return keys;
}

/** The key of one host and port; `host` may be a name or an IP (brackets allowed). */
export function endpointKey(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return `${canonicalAddress(bare) ?? bare}|${port}`;
}

/** True when the host name alone is refused (localhost, metadata names) before any lookup. */
export function isLocalHostname(host: string): boolean {
  return LOCAL_HOSTNAMES.some((re) => re.test(host.replace(/^\[|\]$/g, '')));
}

/**
 * Decides a target from the addresses its host resolved to (the IP itself for a literal). Every address
 * must pass: a name with one public and one private address is refused (that is how rebinding starts).
 */
export function decideTarget(policy: TargetPolicy, host: string, port: number, addresses: readonly string[]): TargetDecision {
  const endpoints = originEndpoints(policy.allowedOrigins);
  const hostAllowed = endpoints.has(endpointKey(host, port));
  if (!hostAllowed && !policy.allowAllPrivate && isLocalHostname(host)) {
    return { allowed: false, kind: 'local_name', reason: `host ${host} is a local or metadata name` };
  }
  if (addresses.length === 0) return { allowed: false, kind: 'no_address', reason: `host ${host} has no address` };
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    if (verdict.public) continue;
    if (verdict.metadata) return { allowed: false, kind: 'metadata', reason: `${verdict.address} is an instance metadata address` };
    if (policy.allowAllPrivate || hostAllowed || endpoints.has(endpointKey(verdict.address, port))) continue;
    return { allowed: false, kind: 'private_address', reason: `${verdict.address} is a ${verdict.range} address` };
  }
  return { allowed: true };
}
