/**
 * Knowledge-base errors with stable codes. The Node service maps them to its own EarshotError codes
 * (src/http/kb.ts); a Deno entry answers with `status`. Dependency-free.
 */
export type KbErrorCode =
  | 'empty_document'
  | 'document_too_large'
  | 'document_not_found'
  | 'command_not_found'
  | 'command_exists'
  | 'invalid_body';

const STATUS: Record<KbErrorCode, number> = {
  empty_document: 422,
  document_too_large: 413,
  document_not_found: 404,
  command_not_found: 404,
  command_exists: 409,
  invalid_body: 400,
};

export class KbError extends Error {
  readonly code: KbErrorCode;
  readonly status: number;
  constructor(code: KbErrorCode, message: string) {
    super(message);
    this.name = 'KbError';
    this.code = code;
    this.status = STATUS[code];
  }
}
