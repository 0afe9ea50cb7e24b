/**
 * CSV export of the buyers list (the seller's pick list). RFC 4180: CRLF line ends, fields quoted when
 * they hold a comma, quote, CR or LF, quotes doubled. Chat text is hostile, so a cell that a spreadsheet
 * would read as a formula (= + - @, or a leading tab / CR) is neutralized with a leading apostrophe.
 */
import type { Buyer } from './feed/types.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: neutralized against formula injection, then quoted if it must be. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text (with a trailing CRLF, as RFC 4180 allows). */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export const BUYER_COLUMNS = [
  'detected_at',
  'username',
  'item',
  'quantity',
  'price',
  'size',
  'confidence',
  'message',
  'message_id',
  'session_id',
] as const;

/** The buyers of a session as CSV, in the order they were captured. */
export function buyersCsv(sessionId: string, buyers: readonly Buyer[]): string {
  return toCsv([
    BUYER_COLUMNS,
    ...buyers.map((b) => [
      new Date(b.detectedAt).toISOString(),
      b.username,
      b.item,
      b.quantity,
      b.price,
      b.size,
      b.confidence,
      b.message,
      b.messageId,
      sessionId,
    ]),
  ]);
}

/** A file name like `earshot-buyers-<session>-2026-01-31T20-15.csv` (safe on every OS). */
export function csvFileName(sessionId: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 16).replace(/:/g, '-');
  return `earshot-buyers-${sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}.csv`;
}
