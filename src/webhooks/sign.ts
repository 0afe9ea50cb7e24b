/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a delivery carries `webhook-id` (the
 * event's id, the same on every retry and replay: receivers deduplicate on it), `webhook-timestamp`
 * (seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the
 * secret's bytes). Signed with node:crypto rather than the `standardwebhooks` package, whose HMAC is
 * JavaScript (fast-sha256); the tests check these signatures with that package and with the spec's
 * own example, so the two cannot drift apart.
 */
import crypto from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` and 32 random bytes in base64 (what the spec's libraries generate). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64');
}

/** The signature header of one delivery. */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  const mac = crypto.createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of a delivery sent at `now`. */
export function webhookHeaders(secret: string, id: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}
