import { decodeText, detectSourceType, extractDocument } from './extract.ts';

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
});
