/**
 * Caller authentication for the edge functions: the service-role key (`Authorization: Bearer <key>` or
 * `apikey: <key>`), or an HMAC-SHA256 signature of `${timestamp}.${body}` with INGEST_SIGNING_SECRET in
 * `x-earshot-signature` (hex) and the unix time in seconds in `x-earshot-timestamp`. Signatures older
 * (or further in the future) than five minutes are refused, so a captured request cannot be replayed
 * later. Web Crypto only, so the same code runs in Node 20 and Deno. Dependency-free.
 */

export const SIGNATURE_HEADER = 'x-earshot-signature';
export const TIMESTAMP_HEADER = 'x-earshot-timestamp';
/** How far a signed timestamp may be from the receiver's clock. */
export const MAX_SIGNATURE_SKEW_SEC = 300;

export interface AuthSecrets {
  serviceRoleKey?: string;
  signingSecret?: string;
}

export type AuthOutcome = { ok: true; via: 'service_role' | 'signature' } | { ok: false; reason: string };

const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** The hex HMAC-SHA256 of `${timestamp}.${body}`: what a caller puts in x-earshot-signature. */
export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(`${timestamp}.${body}`));
  return toHex(new Uint8Array(mac));
}

/** Headers that authenticate `body` by signature, stamped with the current time. */
export async function signatureHeaders(secret: string, body: string, nowMs: number = Date.now()): Promise<Record<string, string>> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: await signPayload(secret, timestamp, body) };
}

/**
 * Checks a request's credentials. `body` is the raw request body (for GET: the query string, `?...`).
 * Fails closed: with neither secret configured nothing is accepted.
 */
export async function authenticate(
  headers: Headers,
  body: string,
  secrets: AuthSecrets,
  nowMs: number = Date.now(),
): Promise<AuthOutcome> {
  const presented = bearer(headers.get('authorization')) ?? headers.get('apikey') ?? undefined;
  if (secrets.serviceRoleKey && presented && (await constantTimeEqual(presented, secrets.serviceRoleKey))) {
    return { ok: true, via: 'service_role' };
  }
  const signature = headers.get(SIGNATURE_HEADER);
  if (secrets.signingSecret && signature) {
    const stamp = headers.get(TIMESTAMP_HEADER) ?? '';
    if (!/^\d{1,12}$/.test(stamp)) return { ok: false, reason: 'missing or malformed timestamp' };
    const timestamp = Number(stamp);
    if (Math.abs(nowMs / 1000 - timestamp) > MAX_SIGNATURE_SKEW_SEC) return { ok: false, reason: 'timestamp outside the allowed window' };
    const mac = fromHex(signature.trim().replace(/^sha256=/, ''));
    if (!mac) return { ok: false, reason: 'malformed signature' };
    // subtle.verify compares in constant time.
    const valid = await crypto.subtle.verify('HMAC', await hmacKey(secrets.signingSecret), mac, encoder.encode(`${timestamp}.${body}`));
    return valid ? { ok: true, via: 'signature' } : { ok: false, reason: 'signature mismatch' };
  }
  if (!secrets.serviceRoleKey && !secrets.signingSecret) return { ok: false, reason: 'no credentials configured' };
  return { ok: false, reason: 'missing or wrong credentials' };
}

/** Compares two secrets in time independent of where they differ (and of their lengths). */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

function bearer(value: string | null): string | undefined {
  const match = value ? /^Bearer\s+(.+)$/i.exec(value.trim()) : null;
  return match ? match[1]!.trim() : undefined;
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const out = new Uint8Array(new ArrayBuffer(32));
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
