/**
 * A seller's checkout settings: shop name, currency, the shipping rule, payment handles and an invoice
 * note. Stored per seller; invoices read them when they are built, and an invoice once sent keeps the
 * settings it was sent with (a later change never rewrites it).
 *
 * Payment handles and the checkout URL template end up in links a buyer clicks, so each is checked
 * against what the service itself accepts (PayPal.me: letters and digits, at most 20; Venmo: 5-30
 * letters, digits, `-` and `_`; Cash App: a $cashtag of 1-20 with a letter; a checkout URL: plain
 * https to a named host with only the known placeholders) and refused with a code otherwise. Buyer names
 * and amounts are always percent-encoded into them (see render.ts).
 * Node and Deno: imports only zod and relative _shared modules.
 */
import { z } from 'zod';
import { isCurrency } from './money.ts';

/** Placeholders a checkout URL template may hold; each is replaced percent-encoded. */
export const CHECKOUT_PLACEHOLDERS = ['buyer', 'total', 'currency', 'invoice'] as const;

const cents = z.number().int().min(0).max(100_000_000);

/**
 * Shipping for one invoice: nothing, a flat amount per order, or per item (the first and each
 * additional); `freeOverCents` makes an order free from that subtotal up (inclusive).
 */
export const ShippingRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('free') }).strict(),
  z.object({ kind: z.literal('flat'), perOrderCents: cents, freeOverCents: cents.nullable().default(null) }).strict(),
  z
    .object({ kind: z.literal('per_item'), firstItemCents: cents, additionalItemCents: cents, freeOverCents: cents.nullable().default(null) })
    .strict(),
]);
export type ShippingRule = z.output<typeof ShippingRule>;

const PAYPAL = /^[A-Za-z0-9]{1,20}$/;
const VENMO = /^[A-Za-z0-9_-]{5,30}$/;
const CASHTAG = /^(?=[^$]*[A-Za-z])[A-Za-z0-9_]{1,20}$/;

function handle(pattern: RegExp, what: string, strip: RegExp) {
  return z
    .string()
    .trim()
    .transform((v) => v.replace(strip, ''))
    .refine((v) => pattern.test(v), { message: `invalid_payment_handle: not a ${what} handle` });
}

/** Payment handles as people type them ("@amy-shop", "$amyshop", "paypal.me/amyshop" are accepted and cut down). */
export const PaymentHandles = z
  .object({
    paypalMe: handle(PAYPAL, 'PayPal.me', /^(?:https:\/\/)?(?:www\.)?paypal\.me\//i).optional(),
    venmo: handle(VENMO, 'Venmo', /^@/).optional(),
    cashApp: handle(CASHTAG, 'Cash App', /^\$/).optional(),
    checkoutUrl: z
      .string()
      .trim()
      .max(500)
      .refine((v) => checkoutUrlProblem(v) === null, { message: 'invalid_checkout_url: not a plain https URL template' })
      .optional(),
  })
  .strict();
export type PaymentHandles = z.output<typeof PaymentHandles>;

/** The seller's checkout settings. */
export const CheckoutSettings = z
  .object({
    shopName: z.string().trim().min(1).max(80),
    currency: z.string().trim().toUpperCase().refine(isCurrency, { message: 'not an ISO 4217 currency code' }),
    /** BCP 47 locale for numbers shown to the seller and the buyer ("en-US", "de-DE"). */
    locale: z
      .string()
      .trim()
      .max(35)
      .refine((l) => Intl.NumberFormat.supportedLocalesOf([l]).length === 1, { message: 'not a supported locale' })
      .default('en-US'),
    shipping: ShippingRule,
    /** Lots a buyer wins across the seller's shows within this many days share one invoice and its shipping (0: per show). */
    combineWindowDays: z.number().int().min(0).max(60).default(0),
    payment: PaymentHandles.default({}),
    invoiceNote: z.string().trim().max(500).default(''),
  })
  .strict();
export type CheckoutSettings = z.output<typeof CheckoutSettings>;

/** The settings a seller who never set any has: their lots still invoice, at no shipping. */
export function defaultCheckoutSettings(shopName = 'My shop'): CheckoutSettings {
  return { shopName, currency: 'USD', locale: 'en-US', shipping: { kind: 'free' }, combineWindowDays: 0, payment: {}, invoiceNote: '' };
}

/**
 * Why a checkout URL template is refused, or null when it is fine: https only, a named host (no IP
 * literal, no localhost), no credentials, no fragment tricks, and only `{buyer}`, `{total}`, `{currency}`,
 * `{invoice}` placeholders, each in the path or query (never the host).
 */
export function checkoutUrlProblem(template: string): string | null {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
  const unknown = names.find((n) => !(CHECKOUT_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown !== undefined) return `unknown placeholder {${unknown}}`;
  if (/[{}]/.test(template.replace(/\{(?:buyer|total|currency|invoice)\}/g, ''))) return 'unbalanced braces';
  const sample = template.replace(/\{(?:buyer|total|currency|invoice)\}/g, 'x');
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:') return 'not https';
  if (url.username || url.password) return 'credentials in the URL';
  const host = url.hostname;
  if (!/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i.test(host) || /^[\d.]+$/.test(host) || host.includes(':')) return 'not a named host';
  if (/(^|\.)localhost$/i.test(host)) return 'not a public host';
  // The authority as written: from after the scheme to the first path, query or fragment character.
  const authority = /^https:\/\/([^/?#]*)/i.exec(template)?.[1] ?? '';
  if (authority.includes('{')) return 'placeholder in the host';
  if (!/\{total\}/.test(template)) return 'no {total} placeholder';
  return null;
}

/**
 * Parses settings, turning a refused handle or URL into its coded error; other problems are zod's
 * (the HTTP layer answers them 400 invalid_body).
 */
export function parseCheckoutSettings(input: unknown): { ok: true; settings: CheckoutSettings } | { ok: false; code: string; message: string } {
  const parsed = CheckoutSettings.safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const coded = parsed.error.issues.find((i) => /^invalid_(payment_handle|checkout_url):/.test(i.message));
  if (coded) {
    const [code, ...rest] = coded.message.split(':');
    return { ok: false, code: code!, message: `${coded.path.join('.')}: ${rest.join(':').trim()}` };
  }
  const first = parsed.error.issues[0]!;
  return { ok: false, code: 'invalid_body', message: `${first.path.join('.') || 'body'}: ${first.message}` };
}
