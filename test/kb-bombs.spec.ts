/**
 * Hostile documents against the running service (issue 24): a page bomb of 2,000 and of 20,000 pages, a
 * nesting bomb, a Flate bomb and too much text each answer a coded 4xx, read by the extraction worker
 * while the service goes on answering; the upload limit is inclusive. The PDFs are built here
 * (test/support/pdf.ts), not committed.
 */
import { makeFlateBombPdf, makeManyPagesPdf, makeNestedPdf, makePaddedPdf, makePdf } from './support/pdf.ts';
import { startTestService } from './support/service.ts';

const MAX_UPLOAD = 6_000_000;
let service: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  service = await startTestService({ KB_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), KB_EXTRACT_TIMEOUT_MS: '10000' });
});
afterAll(async () => {
  await service?.close();
});

/** Uploads a PDF; `code` is the error's code when it is refused. */
async function upload(name: string, data: Buffer): Promise<{ status: number; body: any; code?: string }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type: 'application/pdf' }), name);
  const res = await fetch(`${service.url}/api/kb/documents`, { method: 'POST', body: form });
  const body = await res.json();
  return { status: res.status, body, code: body.error?.code };
}

interface ExtractionCounters {
  taken: number;
  overBudget: number;
}

async function extraction(): Promise<ExtractionCounters> {
  const res = await fetch(`${service.url}/health`);
  return ((await res.json()) as { documents: ExtractionCounters }).documents;
}

/** Polls /health until `predicate` holds (the service answers /health only when its loop is free). */
async function waitForExtraction(predicate: (counters: ExtractionCounters) => boolean): Promise<void> {
  for (;;) {
    if (predicate(await extraction())) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Uploads `pdf` and, all the while, asks /health/live one request after another. Returns the upload's
 * answer and every /health/live status seen.
 */
async function uploadWhileProbing(name: string, pdf: Buffer): Promise<{ status: number; code?: string; live: number[] }> {
  let done = false;
  const uploading = upload(name, pdf).finally(() => (done = true));
  const live: number[] = [];
  while (!done) live.push((await fetch(`${service.url}/health/live`)).status);
  const { status, code } = await uploading;
  return { status, code, live };
}

describe('hostile documents', () => {
  test('a Flate bomb spends the time budget in the worker while /health/live answers; the upload is 422 document_too_complex', async () => {
    // ~300 KB that inflates to 200 MB of path operators: pdf.js needs many seconds for it (about 18 s
    // measured here beside the suite), so a 2 s budget runs out, while two round trips to the service take
    // milliseconds. Its own service: the other documents here keep the 10 s budget.
    const bomb = await makeFlateBombPdf(200 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(400_000);
    const main = service;
    service = await startTestService({ KB_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), KB_EXTRACT_TIMEOUT_MS: '2000' });
    try {
      await flateBomb(bomb);
    } finally {
      await service.close();
      service = main;
    }
  });

  async function flateBomb(bomb: Buffer): Promise<void> {
    const before = await extraction();
    const order: string[] = [];
    const uploading = upload('bomb.pdf', bomb).then((answer) => {
      order.push('upload');
      return answer;
    });
    // The worker has the document: a request made now must not wait for it.
    await waitForExtraction((now) => now.taken > before.taken);
    const live = await fetch(`${service.url}/health/live`);
    order.push('live');
    const { status, code } = await uploading;
    expect(live.status).toBe(200);
    expect(order).toEqual(['live', 'upload']);
    expect([status, code]).toEqual([422, 'document_too_complex']);
    expect((await extraction()).overBudget).toBe(before.overBudget + 1);
  }

  test.each([
    ['2,000', 2_000],
    ['20,000', 20_000],
  ])('a page bomb of %s pages is refused by its page count, read off the main thread', async (_label, pages) => {
    const pdf = makeManyPagesPdf(pages);
    expect(pdf.length).toBeLessThanOrEqual(MAX_UPLOAD);
    const before = await extraction();
    const { status, code, live } = await uploadWhileProbing(`pages-${pages}.pdf`, pdf);
    expect([status, code]).toEqual([422, 'document_too_complex']);
    expect(live.every((s) => s === 200)).toBe(true);
    expect((await extraction()).taken).toBe(before.taken + 1);
  });

  test('a nesting bomb is 422 document_too_complex', async () => {
    const { status, code, live } = await uploadWhileProbing('nested.pdf', makeNestedPdf(100_000));
    expect([status, code]).toEqual([422, 'document_too_complex']);
    expect(live.every((s) => s === 200)).toBe(true);
  });

  test('more text than a document may hold is 413 document_too_large, stopped at the cap', async () => {
    // 220 pages of 40 lines of 60 characters: 528,000 characters, over the 500,000 a document may hold.
    const page = Array.from({ length: 40 }, () => 'Vintage denim, sized small, ships in two days from Austin. ');
    const { status, code, live } = await uploadWhileProbing('long.pdf', makePdf(Array.from({ length: 220 }, () => page)));
    expect([status, code]).toEqual([413, 'document_too_large']);
    expect(live.every((s) => s === 200)).toBe(true);
  });

  test('after the bombs, a normal PDF is read and stored (the worker was replaced)', async () => {
    const { status, body } = await upload('care.pdf', makePdf([['Care', 'Wash the denim cold and hang dry.']]));
    expect(status).toBe(201);
    expect(body).toMatchObject({ sourceType: 'pdf', title: 'care.pdf' });
  });

  test('the upload limit is inclusive: exactly KB_MAX_UPLOAD_BYTES is stored, one byte more is 413', async () => {
    const exact = makePaddedPdf([['Returns', 'Within 30 days, tags attached.']], MAX_UPLOAD);
    expect(exact.length).toBe(MAX_UPLOAD);
    const stored = await upload('exact.pdf', exact);
    expect(stored.status).toBe(201);
    expect(stored.body.byteSize).toBe(MAX_UPLOAD);
    const over = await upload('over.pdf', makePaddedPdf([['Returns', 'Within 31 days.']], MAX_UPLOAD + 1));
    expect([over.status, over.code]).toEqual([413, 'document_too_large']);
  });
});
