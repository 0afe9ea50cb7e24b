/**
 * The one error base of Earshot: every error raised on purpose carries a stable string `code`, and
 * ERROR_STATUS is the only code-to-HTTP-status table, read by the service's HTTP layer (src/http/errors.ts)
 * and by the edge functions (handler.ts). Tests assert on codes; docs/API.md lists them.
 * Dependency-free: loaded by Node (tsc) and by Deno.
 */

/** HTTP status for each code. A code is added here, nowhere else. */
export const ERROR_STATUS = {
  invalid_body: 400,
  invalid_json: 400,
  // The service has always answered 400 here (docs/API.md); the edge function follows it.
  body_too_large: 400,
  url_not_allowed: 400,
  // A lookup failure is not a policy refusal: the same URL may work in a minute.
  dns_failed: 503,
  unsupported_platform: 400,
  selectors_required: 400,
  // A selector the browser's CSS engine refuses: the page could never be read.
  invalid_selectors: 400,
  session_not_found: 404,
  not_found: 404,
  session_limit: 429,
  unauthorized: 401,
  auth_unavailable: 503,
  rate_limited: 429,
  header_too_large: 431,
  // A percent-encoding that does not decode (%C0%AE, a lone %) in a request path.
  invalid_path: 400,
  // DNS rebinding: a Host header the service does not serve (ALLOWED_HOSTS).
  host_not_allowed: 421,
  // A page of another origin: a /ws upgrade, or a state-changing request without a same-origin signal (CSRF).
  cross_origin: 403,
  too_many_subscriptions: 429,
  // A /ws subscribe to "*" with a number for since (a map of session id to seq there).
  since_needs_sessions: 400,
  method_not_allowed: 405,
  browser_unavailable: 503,
  backend_unavailable: 503,
  backend_rejected: 502,
  source_unavailable: 503,
  no_page: 409,
  quota_exhausted: 429,
  youtube_api_error: 502,
  delivery_failed: 502,
  unsupported_document_type: 415,
  document_too_large: 413,
  empty_document: 422,
  // Too many pages, or more time or memory than a document's budget (the service reads PDFs in a worker).
  document_too_complex: 422,
  // Uploads waiting for the extraction worker are bounded; the next one is refused at once.
  document_queue_full: 503,
  invalid_document: 422,
  document_not_found: 404,
  command_not_found: 404,
  command_exists: 409,
  reply_not_found: 404,
  reply_not_sendable: 409,
  lot_not_found: 404,
  // Someone (chat or another dashboard) changed the lot since the caller saw it: reload, then retry.
  lot_changed: 409,
  nothing_to_undo: 404,
  // A seller's payment handle or checkout URL template that is not a plain handle or https URL.
  invalid_payment_handle: 400,
  invalid_checkout_url: 400,
  // A webhook URL that is not https or does not parse (a private target is url_not_allowed, as everywhere).
  invalid_webhook_url: 400,
  webhook_not_found: 404,
  delivery_not_found: 404,
  webhooks_unavailable: 503,
  // An overlay link that is unknown, replaced, or for another show: the same answer for each, so a link
  // never tells whether some other show exists.
  invalid_overlay_token: 401,
  overlay_unavailable: 503,
  // PUT /featured naming a message the show does not have (or no longer has).
  message_not_found: 404,
  kb_unavailable: 503,
  not_ready: 503,
  // A deployment without its secrets is our fault, not the caller's.
  not_configured: 500,
  invalid_config: 500,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** True for a string that is one of the stable codes (errors that crossed a thread or a wire). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

/** The HTTP status a caller gets for `code`; anything unknown is ours: 500. */
export function statusFor(code: string): number {
  return isErrorCode(code) ? ERROR_STATUS[code] : 500;
}

/**
 * An error raised on purpose. `context` holds what helps a reader of the log (`url`, `status`,
 * `sessionId`); it never reaches an HTTP caller, whose answer is `code` and `message` only.
 */
export class EarshotError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EarshotError';
    this.code = code;
    this.context = context;
  }
}

export function isEarshotError(error: unknown): error is EarshotError {
  return error instanceof EarshotError;
}

/** Codes the shared backend core raises (ingest, history, the ledger, the edge handler). */
export type CoreErrorCode = Extract<
  ErrorCode,
  'invalid_body' | 'invalid_json' | 'body_too_large' | 'unauthorized' | 'method_not_allowed' | 'not_configured' | 'lot_not_found' | 'lot_changed' | 'nothing_to_undo' | 'internal'
>;

/**
 * An error of the shared backend core. Its own class so that the service can tell the core's refusals
 * (the caller's data) from its own failures (src/backend/embedded.ts maps them to `backend_rejected`).
 */
export class CoreError extends EarshotError {
  declare readonly code: CoreErrorCode;
  constructor(code: CoreErrorCode, message: string) {
    super(code, message);
    this.name = 'CoreError';
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

/**
 * 409 lot_changed: the lot moved on since the caller saw it. Carries the current lot (also as
 * `context.lot`, so it survives the worker thread's boundary), which the answer shows as `error.lot`:
 * the dashboard redraws it and the seller decides again.
 */
export class LotChangedError extends CoreError {
  readonly lot: object;
  constructor(message: string, lot: object) {
    super('lot_changed', message);
    this.name = 'LotChangedError';
    this.lot = lot;
    (this.context as Record<string, unknown>).lot = lot;
  }
}

/** The lot a lot_changed error carries (whichever side of a thread or wire it was raised on). */
export function changedLotOf(error: unknown): object | undefined {
  if (!(error instanceof EarshotError) || error.code !== 'lot_changed') return undefined;
  const lot = error.context.lot;
  return lot !== null && typeof lot === 'object' ? lot : undefined;
}
