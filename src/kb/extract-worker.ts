/**
 * The document extraction worker thread: reads PDFs with pdf-parse (extract.ts, page and character
 * caps) so pdf.js never holds the service's event loop. Started by extract-pool.ts, which gives each
 * document a time and memory budget and ends this thread when one is spent; never imported by the
 * main thread.
 */
import { parentPort } from 'node:worker_threads';
import { toWireError } from '../backend/worker/protocol.ts';
import { extractPdfText } from './extract.ts';
import type { ExtractRequest, ExtractResponse } from './extract-protocol.ts';

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('extract-worker.ts runs in a worker thread');
  const send = (message: ExtractResponse): void => port.postMessage(message);
  // pdf.js loads before the first document, so its start-up is not counted against a document's budget.
  await import('pdf-parse');
  port.on('message', (request: ExtractRequest) => {
    extractPdfText(request.data, request.limits).then(
      (text) => send({ id: request.id, ok: true, text }),
      (error: unknown) => send({ id: request.id, ok: false, error: toWireError(error) }),
    );
  });
  send({ op: 'ready' });
}

run().catch((error: unknown) => parentPort?.postMessage({ op: 'failed', error: toWireError(error) } satisfies ExtractResponse));
