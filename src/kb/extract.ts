/**
 * Text out of uploaded documents, before the shared core chunks and stores it: PDFs through pdf-parse,
 * TXT and Markdown as strict UTF-8. Used by the upload route and by `earshot replay --kb`.
 */
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import { MAX_DOCUMENT_CHARS, normalizeDocumentText } from '../../supabase/functions/_shared/kb/documents.ts';
import type { SourceType } from '../../supabase/functions/_shared/kb/index.ts';

/** Limits that stop a PDF's extraction as it goes, before the work is done. */
export interface PdfLimits {
  /** A PDF with more pages is refused before any page is read (KB_MAX_PAGES). */
  maxPages: number;
  /** Extraction stops, and the document is refused, once its text passes this (MAX_DOCUMENT_CHARS). */
  maxChars: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = { maxPages: 1_000, maxChars: MAX_DOCUMENT_CHARS };

/** The refusal of a PDF with too many pages (pure: unit-tested). */
export function checkPageCount(pages: number, maxPages: number): void {
  if (pages > maxPages) {
    throw new EarshotError('document_too_complex', `The PDF has ${pages} pages; at most ${maxPages} are read`, { pages });
  }
}

/**
 * Counts a page's text against the character cap and returns the new total (pure: unit-tested). The
 * count is of the text as the shared core will store it (normalizeDocumentText), so whitespace a PDF
 * is full of does not refuse a document the core would have taken.
 */
export function countPageChars(total: number, pageText: string, maxChars: number): number {
  const next = total + (total > 0 ? 2 : 0) + normalizeDocumentText(pageText).length;
  if (next > maxChars) throw new EarshotError('document_too_large', `The document's text is over ${maxChars} characters`);
  return next;
}

/**
 * Reads a document of `total` pages through `readPage` as far as the caps allow (pure apart from
 * `readPage`: unit-tested): too many pages are refused before the first is read, and reading stops at
 * the page that passes the character cap. Pages are joined as pdf-parse joins them.
 */
export async function readPages(total: number, readPage: (num: number) => Promise<string>, limits: PdfLimits): Promise<string> {
  checkPageCount(total, limits.maxPages);
  const pages: string[] = [];
  let chars = 0;
  for (let num = 1; num <= total; num++) {
    const text = await readPage(num);
    chars = countPageChars(chars, text, limits.maxChars);
    pages.push(text);
  }
  return pages.map((text) => `${text}\n\n`).join('');
}

/**
 * Extracts the text of a PDF with pdf-parse (loaded on first use: it pulls in pdf.js), page by page
 * within the caps (readPages). A page can still be slow or huge on its own (a Flate bomb): the service
 * runs this in a worker with a time and memory budget (extract-pool.ts).
 */
export async function extractPdfText(data: Uint8Array, limits: PdfLimits = DEFAULT_PDF_LIMITS): Promise<string> {
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data });
  try {
    // `partial: [0]` names no page (they count from 1): pdf-parse loads the document and reports its page
    // count without extracting a page's text.
    const { total } = await parser.getText({ partial: [0] });
    // first..last of one page: pdf-parse reads only that page (the document stays loaded).
    return await readPages(total, async (num) => (await parser.getText({ first: num, last: num, pageJoiner: '' })).pages[0]?.text ?? '', limits);
  } catch (error) {
    // pdf.js parses nested arrays and dictionaries recursively: a nesting bomb ends in a stack overflow.
    if (!(error instanceof EarshotError) && /call stack/i.test((error as Error)?.message ?? '')) {
      throw new EarshotError('document_too_complex', 'The PDF nests its objects too deeply');
    }
    throw error;
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

/** What a document is, from its first bytes, its name and its declared type. Throws coded errors. */
export function detectSourceType(filename: string, mimeType: string, data: Uint8Array): SourceType {
  const ext = path.extname(filename).toLowerCase();
  const isPdfBytes = data.length >= 5 && Buffer.from(data.subarray(0, 5)).toString('latin1') === '%PDF-';
  if (isPdfBytes) return 'pdf';
  if (ext === '.pdf' || mimeType === 'application/pdf') {
    throw new EarshotError('invalid_document', 'The file is named a PDF but is not one');
  }
  if (ext === '.md' || ext === '.markdown' || mimeType === 'text/markdown' || mimeType === 'text/x-markdown') return 'md';
  if (ext === '.txt' || ext === '.text' || mimeType === 'text/plain') return 'txt';
  throw new EarshotError(
    'unsupported_document_type',
    `Unsupported document type ${JSON.stringify(ext || mimeType || 'unknown').slice(0, 60)}: upload a PDF, a .txt or a .md file`,
  );
}

/** Strict UTF-8 text (a BOM is dropped); binary data in a .txt is refused. */
export function decodeText(data: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    throw new EarshotError('invalid_document', 'The file is not UTF-8 text');
  }
  if (text.includes('\u0000')) throw new EarshotError('invalid_document', 'The file holds binary data, not text');
  return text;
}

/** A document's type and text, however it came in. */
export async function extractDocument(
  filename: string,
  mimeType: string,
  data: Uint8Array,
  extractPdf: (data: Uint8Array) => Promise<string> = extractPdfText,
): Promise<{ sourceType: SourceType; text: string }> {
  const sourceType = detectSourceType(filename, mimeType, data);
  if (sourceType !== 'pdf') return { sourceType, text: decodeText(data) };
  try {
    return { sourceType, text: await extractPdf(data) };
  } catch (error) {
    // The budgets' and caps' refusals keep their codes; anything pdf.js throws means an unreadable file.
    if (error instanceof EarshotError) throw error;
    throw new EarshotError('invalid_document', 'The PDF could not be read');
  }
}
