/**
 * Small parsing helpers shared by the platform adapters (network frame parsers and DOM rows alike).
 * Everything here is pure and tolerant: wire payloads are hostile and change without notice, so a helper
 * returns undefined instead of throwing on anything unexpected.
 */
import { sanitizeText } from '../../domain/message.ts';
import { readJsonObject } from '../json-stream.ts';

const BADGE_ALIASES: Record<string, string> = {
  broadcaster: 'owner',
  owner: 'owner',
  host: 'owner',
  seller: 'owner',
  moderator: 'moderator',
  mod: 'moderator',
  vip: 'vip',
  subscriber: 'subscriber',
  sub: 'subscriber',
  founder: 'subscriber',
  member: 'member',
  verified: 'verified',
  partner: 'verified',
};

/** Maps platform badge names to Earshot's (owner, moderator, vip, subscriber, member, verified). */
export function normalizeBadges(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const value of raw.slice(0, 20)) {
    if (typeof value !== 'string') continue;
    const key = sanitizeText(value.toLowerCase(), 40);
    const word = key.split(/[\s/_-]+/)[0] ?? key;
    // Own keys only: a badge called "constructor" is a badge, not Object.prototype's function.
    const name = (Object.hasOwn(BADGE_ALIASES, key) ? BADGE_ALIASES[key] : undefined) ?? (Object.hasOwn(BADGE_ALIASES, word) ? BADGE_ALIASES[word] : undefined) ?? key;
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

const CURRENCY_SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW' };

/** Parses "$5.00", "CA$10", "€2,50", "100 JPY" into an amount and ISO currency. */
export function parseAmount(display: string): { amount: number; currency: string; display: string } | undefined {
  const text = sanitizeText(display, 40);
  const match = /([A-Z]{2,3})?\s*([$€£¥₹₩])?\s*([\d.,]+)\s*([A-Z]{3})?/.exec(text);
  if (!match) return undefined;
  let numeric = match[3]!;
  if (/,\d{2}$/.test(numeric) && !numeric.includes('.')) numeric = numeric.replace(',', '.');
  const amount = Number(numeric.replace(/,/g, ''));
  if (!Number.isFinite(amount)) return undefined;
  const prefix = match[1];
  const symbol = match[2];
  let currency = match[4] ?? (symbol ? CURRENCY_SYMBOLS[symbol] : undefined) ?? 'USD';
  if (prefix && symbol === '$') currency = prefix.length === 2 ? `${prefix}D` : prefix;
  else if (prefix && prefix.length === 3) currency = prefix;
  return { amount, currency, display: text };
}

/** JSON.parse that returns undefined instead of throwing (frames that are not JSON are simply not chat). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object (not an array, not null), for narrowing untrusted JSON; keeps a wire type it already has. */
export function isRecord<T>(value: T): value is T & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string id from a string or a number (platforms use both). */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** An ISO 8601 time from an ISO string, epoch milliseconds or epoch microseconds; undefined if invalid. */
export function isoTime(value: unknown, unit: 'ms' | 'us' = 'ms'): string | undefined {
  let date: Date;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = Number(value);
    date = new Date(unit === 'us' ? n / 1000 : n);
  } else if (typeof value === 'string' && value) {
    date = new Date(value);
  } else {
    return undefined;
  }
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The JSON object assigned to a global in an HTML page, e.g. `var ytInitialData = {...};` or
 * `window["ytInitialData"] = {...};`. Finds the object's end with the capture's one brace scanner
 * (json-stream.ts) instead of trusting a regex to find it.
 */
export function extractJsonAssignment(html: string, name: string): unknown {
  const marker = new RegExp(`(?:\\b${name}\\s*|\\[["']${name}["']\\]\\s*)=\\s*\\{`);
  const match = marker.exec(html);
  if (!match) return undefined;
  const json = readJsonObject(html, match.index + match[0].length - 1);
  return json === undefined ? undefined : parseJson(json);
}
