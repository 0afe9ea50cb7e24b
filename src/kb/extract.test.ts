import { makeManyPagesPdf, makeNestedPdf, makePdf } from '../../test/support/pdf.ts';
import { checkPageCount, countPageChars, decodeText, detectSourceType, extractDocument, extractPdfText, readPages } from './extract.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('document extraction', () => {
  test('tells PDFs by their bytes, text and Markdown by name or declared type', () => {
    expect(detectSourceType('notes.bin', 'application/octet-stream', bytes('%PDF-1.7 ...'))).toBe('pdf');
    expect(detectSourceType('faq.md', '', bytes('# FAQ'))).toBe('md');
    expect(detectSourceType('upload', 'text/markdown', bytes('# FAQ'))).toBe('md');
    expect(detectSourceType('faq.TXT', '', bytes('hi'))).toBe('txt');
    expect(() => detectSourceType('fake.pdf', 'application/pdf', bytes('hello'))).toThrow(expect.objectContaining({ code: 'invalid_document' }));
    expect(() => detectSourceType('photo.png', 'image/png', bytes('\u0089PNG'))).toThrow(
      expect.objectContaining({ code: 'unsupported_document_type' }),
    );
  });

  test('reads strict UTF-8 without its BOM and refuses binary', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('Versand: 2 Tage')]))).toBe('Versand: 2 Tage');
    expect(() => decodeText(new Uint8Array([0xc3, 0x28]))).toThrow(expect.objectContaining({ code: 'invalid_document' }));
    expect(() => decodeText(bytes('a\u0000b'))).toThrow(expect.objectContaining({ code: 'invalid_document' }));
  });

  test('a PDF that cannot be parsed is an invalid document, not a crash', async () => {
    const failing = async (): Promise<string> => {
      throw new Error('bad xref');
    };
    await expect(extractDocument('x.pdf', 'application/pdf', bytes('%PDF-1.4 junk'), failing)).rejects.toMatchObject({ code: 'invalid_document' });
    await expect(extractDocument('x.txt', 'text/plain', bytes('plain'))).resolves.toEqual({ sourceType: 'txt', text: 'plain' });
  });

  test('a PDF over the page cap is refused with its page count; at the cap it is read', () => {
    expect(() => checkPageCount(1_001, 1_000)).toThrow(expect.objectContaining({ code: 'document_too_complex', message: expect.stringContaining('1001 pages') }));
    expect(() => checkPageCount(1_000, 1_000)).not.toThrow();
  });

  test('the character cap counts text as the core stores it, with the blank line between pages', () => {
    expect(countPageChars(0, '  hello  \n\n\n\n', 100)).toBe(5);
    expect(countPageChars(5, 'world', 100)).toBe(12);
    expect(countPageChars(5, 'world', 12)).toBe(12);
    expect(() => countPageChars(5, 'world', 11)).toThrow(expect.objectContaining({ code: 'document_too_large' }));
  });

  test('PDF text is what pdf-parse gives for the whole document, page by page', async () => {
    const pdf = makePdf([['Sizing guide', 'Size up one.'], ['Care', 'Wash cold.']]);
    const { PDFParse } = await import('pdf-parse');
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const whole = (await parser.getText({ pageJoiner: '' })).text;
    await parser.destroy();
    expect(await extractPdfText(new Uint8Array(pdf))).toBe(whole);
    expect(whole).toContain('Wash cold.');
  });

  test('too many pages are refused before a page is read; reading stops at the page past the character cap', async () => {
    const asked: number[] = [];
    const page = async (num: number): Promise<string> => {
      asked.push(num);
      return `page ${num} `.padEnd(30, '.');
    };
    await expect(readPages(1_001, page, { maxPages: 1_000, maxChars: 1e9 })).rejects.toMatchObject({ code: 'document_too_complex' });
    expect(asked).toEqual([]);
    // 30 characters a page and 2 between pages: the fourth page passes 100.
    await expect(readPages(1_000, page, { maxPages: 1_000, maxChars: 100 })).rejects.toMatchObject({ code: 'document_too_large' });
    expect(asked).toEqual([1, 2, 3, 4]);
    await expect(readPages(3, async (num) => `p${num}`, { maxPages: 3, maxChars: 100 })).resolves.toBe('p1\n\np2\n\np3\n\n');
  });

  test('the caps apply to a real PDF', async () => {
    await expect(extractPdfText(new Uint8Array(makeManyPagesPdf(30)), { maxPages: 29, maxChars: 1_000 })).rejects.toMatchObject({
      code: 'document_too_complex',
      message: expect.stringContaining('30 pages'),
    });
    await expect(extractPdfText(new Uint8Array(makeManyPagesPdf(30)), { maxPages: 30, maxChars: 1_000 })).resolves.toContain('p 30');
    await expect(extractPdfText(new Uint8Array(makePdf([['x'.repeat(60)], ['y'.repeat(60)]])), { maxPages: 30, maxChars: 100 })).rejects.toMatchObject({
      code: 'document_too_large',
    });
  });

  test('a nesting bomb is too complex, not a crash; the codes survive extractDocument', async () => {
    await expect(extractDocument('n.pdf', 'application/pdf', new Uint8Array(makeNestedPdf(100_000)))).rejects.toMatchObject({
      code: 'document_too_complex',
    });
  });
});
