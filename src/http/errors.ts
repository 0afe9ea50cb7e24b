/** Maps error codes to HTTP statuses in one place and renders {error:{code,message}}. */
import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { EarshotError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

const STATUS: Record<ErrorCode, number> = {
  invalid_body: 400,
  invalid_json: 400,
  body_too_large: 400,
  url_not_allowed: 400,
  // A lookup failure is not a policy refusal: the same URL may work in a minute.
  dns_failed: 503,
  unsupported_platform: 400,
  selectors_required: 400,
  session_not_found: 404,
  not_found: 404,
  session_limit: 429,
  unauthorized: 401,
  auth_unavailable: 503,
  rate_limited: 429,
  header_too_large: 431,
  browser_unavailable: 503,
  backend_unavailable: 503,
  backend_rejected: 502,
  source_unavailable: 503,
  no_page: 409,
  quota_exhausted: 429,
  youtube_api_error: 502,
  unsupported_document_type: 415,
  document_too_large: 413,
  empty_document: 422,
  invalid_document: 422,
  document_not_found: 404,
  command_not_found: 404,
  command_exists: 409,
  reply_not_found: 404,
  reply_not_sendable: 409,
  lot_not_found: 404,
  kb_unavailable: 503,
  not_ready: 503,
  internal: 500,
};

export function statusFor(code: string): number {
  return STATUS[code as ErrorCode] ?? 500;
}

export function sendError(res: Response, code: string, message: string, details?: unknown): void {
  res.status(statusFor(code)).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}

/** Turns zod issues into a short readable message. */
export function describeZod(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/** The last middleware: every error becomes a coded JSON answer; nothing reaches the process. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof EarshotError) {
      sendError(res, error.code, error.message);
      return;
    }
    if (error instanceof ZodError) {
      sendError(res, 'invalid_body', describeZod(error));
      return;
    }
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      sendError(res, 'invalid_json', 'Request body is not valid JSON');
      return;
    }
    if (type === 'entity.too.large') {
      sendError(res, 'body_too_large', 'Request body is too large');
      return;
    }
    if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      sendError(res, 'invalid_body', 'Unsupported body encoding');
      return;
    }
    logger.error({ err: error }, 'unhandled request error');
    sendError(res, 'internal', 'Internal error');
  };
}
