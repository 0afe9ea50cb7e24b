/**
 * One delivery attempt: an HTTPS POST to a seller's endpoint, checked as every outbound URL is.
 *
 * - https only, no credentials in the URL; the host is resolved once and every address must pass the
 *   shared target policy (src/net/target-policy.ts: metadata never, private only when allowed), and the
 *   connection goes to the address that was checked, so a name that rebinds between check and connect
 *   cannot reach inside. Redirects are not followed (a 3xx is a failed attempt).
 * - The whole attempt (connect, TLS, answer) is bounded by `timeoutMs`; at most `maxResponseBytes` of the
 *   answer are read, then the socket is dropped: a receiver that echoes huge bodies cannot fill memory.
 * node:https rather than fetch: fetch offers no per-connection lookup without the undici package.
 */
import dns from 'node:dns';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import { EarshotError } from '../errors.ts';
import { canonicalAddress } from '../net/address-policy.ts';
import { decideTarget, type TargetPolicy } from '../net/target-policy.ts';
import { portOf } from '../net/url-guard.ts';

export interface SendOptions {
  policy: TargetPolicy;
  /** Extra CA certificates (PEM) trusted beside the system's: WEBHOOK_CA_FILE. */
  ca?: string;
  timeoutMs: number;
  /** Bytes of the answer read at most (64 KiB by default). */
  maxResponseBytes?: number;
}

export interface SendResult {
  status: number;
  /** The first bytes of the answer (for the delivery's last error), at most 300 characters. */
  excerpt: string;
}

/** A failed attempt that never got an HTTP status: refused by policy, DNS, connect, TLS or the timeout. */
export class SendError extends Error {
  readonly kind: 'refused' | 'network' | 'timeout';
  constructor(kind: SendError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Refuses what can never be a webhook target: not https, malformed, credentials. Pure. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EarshotError('invalid_webhook_url', `Not a valid URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'https:') throw new EarshotError('invalid_webhook_url', `A webhook URL must be https (got ${url.protocol})`);
  if (url.username || url.password) throw new EarshotError('invalid_webhook_url', 'A webhook URL must not carry credentials');
  return url;
}

/** A lookup that answers only addresses the policy allows (the connection then goes to what was checked). */
function checkedLookup(policy: TargetPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, verbatim: true }, (error, results) => {
      if (error) return callback(error, '', 0);
      const addresses = results.map((r) => r.address);
      const decision = decideTarget(policy, hostname, port, addresses);
      if (!decision.allowed) return callback(Object.assign(new Error(decision.reason), { code: 'EPOLICY' }), '', 0);
      const first = results[0]!;
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, results);
      callback(null, first.address, first.family);
    });
  };
}

export async function sendWebhook(rawUrl: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const url = parseWebhookUrl(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(url);
  // An IP literal is connected to without a lookup: decided here.
  if (canonicalAddress(host)) {
    const decision = decideTarget(options.policy, host, port, [canonicalAddress(host)!]);
    if (!decision.allowed) throw new SendError('refused', decision.reason);
  }
  const cap = options.maxResponseBytes ?? 64 * 1024;
  return new Promise<SendResult>((resolve, reject) => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const request = https.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Earshot-Webhooks/1' },
        lookup: checkedLookup(options.policy, port),
        ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
        signal,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let read = 0;
        const done = (): void => {
          resolve({ status: response.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, 300) });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          if (read < 1024) chunks.push(chunk.subarray(0, 1024 - read));
          read += chunk.length;
          if (read > cap) done();
        });
        response.on('end', done);
        response.on('error', done);
      },
    );
    request.on('error', (error: Error & { code?: string }) => {
      if (signal.aborted) reject(new SendError('timeout', `no answer within ${options.timeoutMs} ms`));
      else if (error.code === 'EPOLICY') reject(new SendError('refused', error.message));
      else reject(new SendError('network', `${error.code ?? 'error'}: ${error.message}`.slice(0, 300)));
    });
    request.end(body);
  });
}
