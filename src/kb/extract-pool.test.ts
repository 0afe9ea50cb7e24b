/**
 * The extraction worker for real (a worker thread running extract-worker.ts from the sources): budgets
 * end the worker with document_too_complex, the next document gets a new worker, the queue is bounded.
 */
import { makeFlateBombPdf, makeManyPagesPdf, makePdf } from '../../test/support/pdf.ts';
import { waitUntil } from '../../test/fakes/virtual-clock.ts';
import { endedError, ExtractionPool, type ExtractionPoolOptions } from './extract-pool.ts';

const LIMITS = { maxPages: 1_000, maxChars: 500_000 };
const NORMAL = makePdf([['Shipping', 'We ship to Canada.']]);
const bytes = (data: Buffer): Uint8Array => new Uint8Array(data);

const pools: ExtractionPool[] = [];
function pool(options: Partial<ExtractionPoolOptions> = {}): ExtractionPool {
  const created = new ExtractionPool({ timeoutMs: 60_000, maxMemoryMb: 256, maxQueued: 4, limits: LIMITS, ...options });
  pools.push(created);
  return created;
}
afterEach(async () => {
  for (const created of pools.splice(0)) await created.close();
});

describe('document extraction worker', () => {
  test('reads a PDF in the worker, and the caps refuse with their codes there', async () => {
    const extraction = pool();
    await expect(extraction.extract(bytes(NORMAL))).resolves.toContain('We ship to Canada.');
    await expect(extraction.extract(bytes(makeManyPagesPdf(1_001)))).rejects.toMatchObject({ code: 'document_too_complex' });
    // A broken file is pdf.js failing: no code of ours (extractDocument makes it invalid_document).
    await expect(extraction.extract(bytes(Buffer.from('%PDF-1.4 garbage')))).rejects.not.toHaveProperty('code');
    expect(extraction.stats()).toMatchObject({ taken: 3, completed: 3, overBudget: 0, started: 1 });
  });

  test('the time budget ends the worker (document_too_complex) and the next document gets a new one', async () => {
    // Every page read, none capped: 20,000 pages take far longer than the budget.
    const extraction = pool({ timeoutMs: 1_000, limits: { maxPages: 100_000, maxChars: 500_000 } });
    await expect(extraction.extract(bytes(makeManyPagesPdf(20_000)))).rejects.toMatchObject({
      code: 'document_too_complex',
      message: expect.stringContaining('within 1 s'),
    });
    await expect(extraction.extract(bytes(NORMAL))).resolves.toContain('We ship to Canada.');
    expect(extraction.stats()).toMatchObject({ overBudget: 1, started: 2, completed: 1 });
  });

  test('the memory budget ends the worker (document_too_complex)', async () => {
    // One page showing 1.4 million lines of text: pdf.js holds every text item on the worker's heap, far
    // past 128 MB, while a normal PDF fits with room to spare (from the sources the worker also loads the
    // TypeScript compiler to transpile its modules: a 32 MB heap did not always hold even that).
    const bomb = await makeFlateBombPdf(40 * 1024 * 1024, { pattern: '(aaaaaaaaaaaaaaaaaaaa) Tj T* ', text: true });
    const extraction = pool({ maxMemoryMb: 128 });
    await expect(extraction.extract(bytes(bomb))).rejects.toMatchObject({ code: 'document_too_complex', message: expect.stringContaining('128 MB') });
    await expect(extraction.extract(bytes(NORMAL))).resolves.toContain('Shipping');
  });

  test('waiting documents are bounded: past the bound an upload is refused at once', async () => {
    const extraction = pool({ maxQueued: 1, timeoutMs: 2_000, limits: { maxPages: 100_000, maxChars: 500_000 } });
    const slow = extraction.extract(bytes(makeManyPagesPdf(20_000)));
    await waitUntil(() => extraction.stats().taken === 1);
    const waiting = extraction.extract(bytes(NORMAL));
    await expect(extraction.extract(bytes(NORMAL))).rejects.toMatchObject({ code: 'document_queue_full' });
    await expect(slow).rejects.toMatchObject({ code: 'document_too_complex' });
    await expect(waiting).resolves.toContain('Shipping');
    expect(extraction.stats()).toMatchObject({ refused: 1, queued: 0, busy: false });
  });

  test('closing fails what waits and what runs', async () => {
    const extraction = pool({ maxQueued: 2, limits: { maxPages: 100_000, maxChars: 500_000 } });
    const running = extraction.extract(bytes(makeManyPagesPdf(20_000)));
    const waiting = extraction.extract(bytes(NORMAL));
    // Both are refused inside close(), before the expectations below look at them.
    for (const settled of [running, waiting]) settled.catch(() => undefined);
    await waitUntil(() => extraction.stats().taken === 1);
    await extraction.close();
    await expect(running).rejects.toMatchObject({ code: 'kb_unavailable' });
    await expect(waiting).rejects.toMatchObject({ code: 'kb_unavailable' });
    await expect(extraction.extract(bytes(NORMAL))).rejects.toMatchObject({ code: 'kb_unavailable' });
  });

  test('a worker that ends on its own is an unreadable document, not a budget', () => {
    expect(endedError('crash', { timeoutMs: 1, maxMemoryMb: 1 }).code).toBe('invalid_document');
    expect(endedError('time', { timeoutMs: 20_000, maxMemoryMb: 1 }).message).toContain('20 s');
  });
});
