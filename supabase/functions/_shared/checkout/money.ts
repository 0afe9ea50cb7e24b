/**
 * Money after the show: amounts are integer minor units ("cents") of the show's currency, never floats.
 * A currency's minor unit is Intl's (USD and EUR 2, JPY 0, BHD 3), so 5100 is $51.00 but ¥5100.
 * Pure and dependency-free (Node, Deno, the dashboard).
 */

/** Digits after the decimal point of `currency` (ISO 4217), as Intl formats it. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Whether `code` is an ISO 4217 currency code that Intl knows. */
export function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    // Intl accepts any well-formed code; a supported one is listed by supportedValuesOf.
    return Intl.supportedValuesOf('currency').includes(code);
  } catch {
    return false;
  }
}

/** `cents` in the currency's units as a plain decimal string, for links and CSV: 5100 USD -> "51.00", 5100 JPY -> "5100". */
export function decimalAmount(cents: number, currency: string): string {
  assertCents(cents);
  const digits = minorDigits(currency);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

/** `cents` formatted for people in `locale` ("$51.00", "51,00 €"). Integer arithmetic up to the last step. */
export function formatMoney(cents: number, currency: string, locale = 'en-US'): string {
  assertCents(cents);
  const digits = minorDigits(currency);
  // Intl formats a decimal string exactly (no float rounding of large amounts).
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    decimalAmount(cents, currency) as unknown as number,
  );
}

/** Integer cents from an amount in currency units typed by a person ("12.5" -> 1250 for USD); null when unreadable. */
export function parseAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const m = /^\s*(\d{1,9})(?:[.,](\d+))?\s*$/.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Sum of integer amounts (throws on a non-integer: a float never enters a total). */
export function sumCents(values: readonly number[]): number {
  let total = 0;
  for (const v of values) {
    assertCents(v);
    total += v;
  }
  assertCents(total);
  return total;
}

function assertCents(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer amount of minor units: ${value}`);
}
