/**
 * Knowledge-base errors: EarshotErrors with the knowledge base's codes, so the service's HTTP layer
 * and a Deno entry answer them from the same table (../errors.ts). Dependency-free.
 */
import { EarshotError, type ErrorCode } from '../errors.ts';

export type KbErrorCode = Extract<
  ErrorCode,
  'empty_document' | 'document_too_large' | 'document_not_found' | 'command_not_found' | 'command_exists' | 'invalid_body'
>;

export class KbError extends EarshotError {
  declare readonly code: KbErrorCode;
  constructor(code: KbErrorCode, message: string) {
    super(code, message);
    this.name = 'KbError';
  }
}
