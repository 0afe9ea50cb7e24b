/**
 * Text out of uploaded documents, before the shared core chunks and stores it: PDFs through pdf-parse,
 * TXT and Markdown as strict UTF-8. Used by the upload route and by `earshot replay --kb`.
 */
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import type { SourceType } from '../../supabase/functions/_shared/kb/index.ts';

/** Extracts the text of a PDF with pdf-parse (loaded on first use: it pulls in pdf.js). */
export async function extractPdfText(data: Uint8Array): Promise<string> {
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data });
  try {
    const result = await parser.getText({ pageJoiner: '' });
    return result.text;
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
  } catch {
    throw new EarshotError('invalid_document', 'The PDF could not be read');
  }
}
