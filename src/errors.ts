/**
 * The service's door to the one error base (supabase/functions/_shared/errors.ts, shared with the edge
 * functions): stable string codes, one code-to-status table. Tests assert on `code`.
 */
export { changedLotOf, EarshotError, isEarshotError, isErrorCode, statusFor, ERROR_STATUS, type ErrorCode } from '../supabase/functions/_shared/errors.ts';

/** A readable one-liner for logs, without stack noise. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
