/**
 * Errors with stable string codes. Tests assert on `code`; http/errors.ts maps codes to statuses in one place.
 */
export type ErrorCode =
  | 'invalid_body'
  | 'invalid_json'
  | 'body_too_large'
  | 'url_not_allowed'
  | 'dns_failed'
  | 'unsupported_platform'
  | 'selectors_required'
  | 'session_not_found'
  | 'session_limit'
  | 'unauthorized'
  | 'auth_unavailable'
  | 'rate_limited'
  | 'header_too_large'
  | 'not_found'
  | 'browser_unavailable'
  | 'backend_unavailable'
  | 'backend_rejected'
  | 'source_unavailable'
  | 'no_page'
  | 'quota_exhausted'
  | 'youtube_api_error'
  | 'unsupported_document_type'
  | 'document_too_large'
  | 'empty_document'
  | 'invalid_document'
  | 'document_not_found'
  | 'command_not_found'
  | 'command_exists'
  | 'reply_not_found'
  | 'reply_not_sendable'
  | 'lot_not_found'
  | 'kb_unavailable'
  | 'not_ready'
  | 'internal';

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

/** A readable one-liner for logs, without stack noise. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
