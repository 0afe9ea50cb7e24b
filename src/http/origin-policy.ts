/**
 * Whom the service answers: pure decisions on a request's Host, Origin and Sec-Fetch-Site headers,
 * against DNS rebinding (a page whose name the attacker points at 127.0.0.1 is same-origin with itself,
 * not with us: its Host header names the attacker's host), cross-site WebSocket hijacking (browsers do
 * not apply CORS to WebSockets; only the Origin header tells another site's page from ours) and CSRF (a
 * no-cors form post from another origin reaches the service; only a signal a cross-origin page cannot
 * forge without a CORS preflight tells it from ours). Used by the express app and the /ws upgrade.
 */
import net from 'node:net';

export interface OriginPolicy {
  /**
   * Host names (lowercase, no port) served besides loopback names and IP literals: HOST when it is a
   * name, and ALLOWED_HOSTS. `*` allows any host; `*.example.com` any subdomain of example.com.
   */
  hosts: readonly string[];
  /**
   * Whether the Host header is checked: in open mode (nothing else protects it), and whenever
   * ALLOWED_HOSTS is set. With a token or accounts a rebinding page holds no credential.
   */
  checkHost: boolean;
  /** Origins besides the service's own whose pages may use /ws and the API (ALLOWED_ORIGINS). */
  origins: readonly string[];
}

/** A refusal: the HTTP status code comes from the code (ERROR_STATUS). */
export interface Refusal {
  code: 'host_not_allowed' | 'cross_origin';
  message: string;
}

/** The headers the decisions read (node's IncomingHttpHeaders fits). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

function header(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a Host header: lowercase, no port, no brackets, no trailing dot; undefined when garbled. */
export function hostnameOf(hostHeader: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`http://${hostHeader}`);
  } catch {
    return undefined;
  }
  // `http://a/b@c` and friends parse, but a Host header is an authority only.
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password || url.host !== hostHeader.toLowerCase().replace(/:80$/, '')) {
    return undefined;
  }
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Names that are this machine whatever DNS says (browsers resolve *.localhost to loopback themselves). */
function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

function matchesHostPattern(hostname: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return hostname.endsWith(pattern.slice(1));
  return hostname === pattern.replace(/\.$/, '');
}

/**
 * True when the service answers to this Host header. IP literals always pass: a rebinding page has a
 * name (its own), and a browser that asked for an IP reached this service by that IP. A missing Host
 * (HTTP/1.0 tools) is not a browser.
 */
export function isHostAllowed(policy: OriginPolicy, hostHeader: string | undefined): boolean {
  if (!policy.checkHost || hostHeader === undefined) return true;
  const hostname = hostnameOf(hostHeader);
  if (hostname === undefined) return false;
  if (net.isIP(hostname) !== 0 || isLoopbackName(hostname)) return true;
  return policy.hosts.some((pattern) => matchesHostPattern(hostname, pattern));
}

/**
 * True when a page of `origin` may talk to the service reached at `hostHeader`: its own origin (the
 * Origin names the host and port the request went to: the dashboard is served by the service, under
 * whatever name the Host check let through) or one of ALLOWED_ORIGINS. `null` (sandboxed frames, some
 * redirects) is nobody's.
 */
export function isOriginAllowed(policy: OriginPolicy, origin: string, hostHeader: string | undefined): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (policy.origins.includes(url.origin)) return true;
  if (hostHeader === undefined) return false;
  // The Host header read with the Origin's scheme, so the scheme's default port compares equal (x vs x:443).
  let host: URL;
  try {
    host = new URL(`${url.protocol}//${hostHeader}`);
  } catch {
    return false;
  }
  return host.host === url.host;
}

/** The Host check of any request (HTTP or /ws upgrade); undefined when it passes. */
export function hostRefusal(policy: OriginPolicy, headers: RequestHeaders): Refusal | undefined {
  const host = header(headers, 'host');
  if (isHostAllowed(policy, host)) return undefined;
  return {
    code: 'host_not_allowed',
    message: `This service does not answer to host ${String(host).slice(0, 100)}: add it to ALLOWED_HOSTS`,
  };
}

/**
 * The /ws upgrade check: the Host, then the Origin. An upgrade without Origin is not a browser's (every
 * browser sends it on WebSocket handshakes) and passes; the token, if any, is checked after.
 */
export function upgradeRefusal(policy: OriginPolicy, headers: RequestHeaders): Refusal | undefined {
  const refusal = hostRefusal(policy, headers);
  if (refusal) return refusal;
  const origin = header(headers, 'origin');
  if (origin === undefined || isOriginAllowed(policy, origin, header(headers, 'host'))) return undefined;
  return { code: 'cross_origin', message: `Pages of ${origin.slice(0, 100)} may not open /ws: add the origin to ALLOWED_ORIGINS` };
}

/** Methods that change nothing (and that browsers send cross-origin without asking). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header the dashboard sends on every call: a cross-origin page cannot add it without a CORS preflight. */
export const REQUEST_HEADER = 'x-earshot-request';

/**
 * True when a state-changing request shows it is not a cross-origin page's: a JSON content type, our
 * custom header or a token header (none of which a cross-origin page can send without a CORS preflight,
 * which the service never answers), a same-origin Sec-Fetch-Site, or an allowed Origin. Without Origin
 * and Sec-Fetch-Site it is not a browser's (browsers send Origin on every POST, PUT, PATCH and DELETE).
 */
export function hasSameOriginSignal(policy: OriginPolicy, method: string, headers: RequestHeaders): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  const contentType = header(headers, 'content-type');
  if (contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType.trim())) return true;
  if (header(headers, REQUEST_HEADER) !== undefined) return true;
  if (header(headers, 'authorization') !== undefined || header(headers, 'x-api-key') !== undefined) return true;
  const site = header(headers, 'sec-fetch-site');
  if (site === 'same-origin') return true;
  const origin = header(headers, 'origin');
  if (origin !== undefined) return isOriginAllowed(policy, origin, header(headers, 'host'));
  return site === undefined;
}

/** The CSRF check of a state-changing /api request; undefined when it passes. */
export function crossOriginRefusal(policy: OriginPolicy, method: string, headers: RequestHeaders): Refusal | undefined {
  if (hasSameOriginSignal(policy, method, headers)) return undefined;
  return {
    code: 'cross_origin',
    message: `A ${method.toUpperCase()} from another origin needs Content-Type: application/json, a token or the ${REQUEST_HEADER} header`,
  };
}

/**
 * The policy of a configuration: HOST counts as served when it is a name (not a wildcard or IP, which
 * `isHostAllowed` treats by itself); the Host header is checked in open mode, or whenever ALLOWED_HOSTS is set.
 */
export function buildOriginPolicy(input: {
  host: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  /** API_TOKEN or accounts protect every route. */
  authenticated: boolean;
}): OriginPolicy {
  const host = input.host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const hosts = [...input.allowedHosts];
  if (host && net.isIP(host) === 0) hosts.push(host);
  return {
    hosts,
    checkHost: !input.authenticated || input.allowedHosts.length > 0,
    origins: [...input.allowedOrigins],
  };
}
