/** Renders every error as {error:{code,message}} with the status of the one table (ERROR_STATUS). */
import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { changedLotOf, EarshotError, statusFor } from '../errors.ts';
import type { Logger } from '../log.ts';

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
      // A stale lot correction shows the lot as it is now (error.lot): the seller decides again on it.
      const lot = changedLotOf(error);
      if (lot) {
        res.status(statusFor(error.code)).json({ error: { code: error.code, message: error.message, lot } });
        return;
      }
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
