/**
 * Errors of the shared backend core, with stable string codes and the HTTP status an edge function
 * answers with. Dependency-free: loaded by Node (tsc) and by Deno.
 */
export type CoreErrorCode =
  | 'invalid_body'
  | 'invalid_json'
  | 'body_too_large'
  | 'unauthorized'
  | 'method_not_allowed'
  | 'not_configured'
  | 'lot_not_found'
  | 'internal';

const STATUS: Record<CoreErrorCode, number> = {
  invalid_body: 400,
  invalid_json: 400,
  body_too_large: 413,
  unauthorized: 401,
  method_not_allowed: 405,
  not_configured: 500,
  lot_not_found: 404,
  internal: 500,
};

/** An error the core raises on purpose; `status` is what an HTTP caller gets. */
export class CoreError extends Error {
  readonly code: CoreErrorCode;
  readonly status: number;
  constructor(code: CoreErrorCode, message: string) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
    this.status = STATUS[code];
  }
}

/**
 * True for Postgres errors caused by the data itself (SQLSTATE classes 22 "data exception" and 23
 * "integrity constraint violation"): retrying the same input can never succeed.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
