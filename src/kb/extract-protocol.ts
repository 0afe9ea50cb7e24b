/** Messages between the service and its document extraction worker (extract-worker.ts); plain data. */
import type { WireError } from '../backend/worker/protocol.ts';
import type { PdfLimits } from './extract.ts';

/** Service -> worker: one PDF to read. */
export interface ExtractRequest {
  id: number;
  data: Uint8Array;
  limits: PdfLimits;
}

/** Worker -> service. */
export type ExtractResponse =
  | { id: number; ok: true; text: string }
  | { id: number; ok: false; error: WireError }
  | { op: 'ready' }
  | { op: 'failed'; error: WireError };
