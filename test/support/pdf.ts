/**
 * Writes PDFs by hand, with a correct cross-reference table: ordinary ones (one page per entry, each line
 * shown with Helvetica through a text stream) for pdf-parse to extract, and hostile ones built in the
 * test instead of committed as binaries: many pages, deep nesting, a Flate bomb. No packages.
 */
import zlib from 'node:zlib';

/** Streams hold binary data: the file is assembled as latin1, byte for byte. */
type PdfObject = string | { dict: string; stream: Buffer };

/** Numbers the objects from 1 (object 1 must be the catalog) and writes the file around them. */
function writePdf(objects: PdfObject[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let size = parts[0]!.length;
  const push = (part: Buffer): void => {
    parts.push(part);
    size += part.length;
  };
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(size);
    if (typeof object === 'string') {
      push(Buffer.from(`${i + 1} 0 obj\n${object}\nendobj\n`, 'latin1'));
    } else {
      const dict = object.dict.replace(/>>\s*$/, ` /Length ${object.stream.length} >>`);
      push(Buffer.from(`${i + 1} 0 obj\n${dict}\nstream\n`, 'latin1'));
      push(object.stream);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    }
  });
  const xref = size;
  const table = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${table}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}

/**
 * A PDF of pages, each with its own content stream: catalog 1, page tree 2, font 3, then a content
 * stream and a page per entry. `extra` is added to every page dictionary.
 */
function pagesPdf(contents: Array<PdfObject & object>, extra: string | ((index: number) => string) = ''): Buffer {
  return writePdf(pagesPdfObjects(contents, extra));
}

function pagesPdfObjects(contents: Array<PdfObject & object>, extra: string | ((index: number) => string) = ''): PdfObject[] {
  const objects: PdfObject[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    'PLACEHOLDER',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  const kids: number[] = [];
  for (const [index, content] of contents.entries()) {
    const contentRef = objects.push(content);
    const more = typeof extra === 'string' ? extra : extra(index);
    kids.push(
      objects.push(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentRef} 0 R${more} >>`,
      ),
    );
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  return objects;
}

const escapeText = (s: string): string => s.replace(/[\\()]/g, (c) => `\\${c}`);

/** A text page's content stream. */
function textStream(lines: string[]): { dict: string; stream: Buffer } {
  const ops = ['BT', '/F1 12 Tf', '14 TL', '72 740 Td', ...lines.map((line) => `(${escapeText(line)}) Tj T*`), 'ET'].join('\n');
  return { dict: '<< >>', stream: Buffer.from(ops, 'latin1') };
}

/** A minimal valid PDF: one page per entry, each line of text on its own line. */
export function makePdf(pages: string[][]): Buffer {
  return pagesPdf(pages.map(textStream));
}

/**
 * A text PDF of exactly `totalBytes` (upload-limit tests): the pages, and an object no page refers to
 * holding the padding.
 */
export function makePaddedPdf(pages: string[][], totalBytes: number): Buffer {
  const build = (padding: number): Buffer =>
    writePdf([...pagesPdfObjects(pages.map(textStream)), { dict: '<< >>', stream: Buffer.alloc(Math.max(0, padding), 0x20) }]);
  let padding = 0;
  let pdf = build(padding);
  // The padding's /Length has as many digits as the padding: two corrections settle it.
  for (let i = 0; i < 4 && pdf.length !== totalBytes; i++) {
    padding += totalBytes - pdf.length;
    pdf = build(padding);
  }
  if (pdf.length !== totalBytes) throw new Error(`cannot pad a PDF to ${totalBytes} bytes`);
  return pdf;
}

/** A page bomb: `count` pages with a tiny content stream each ("p 1", "p 2"...), a few hundred KB per 2,000 pages. */
export function makeManyPagesPdf(count: number): Buffer {
  return pagesPdf(Array.from({ length: count }, (_, i) => textStream([`p ${i + 1}`])));
}

/**
 * A nesting bomb: a page dictionary holding arrays nested `depth` deep (`[[[...]]]`), on page `onPage`
 * (1-based, default 1) of `pages` (default one page of text).
 */
export function makeNestedPdf(depth: number, options: { pages?: string[][]; onPage?: number } = {}): Buffer {
  const { pages = [['nested']], onPage = 1 } = options;
  const nest = ` /Nest ${'['.repeat(depth)}${']'.repeat(depth)}`;
  return pagesPdf(pages.map(textStream), (index) => (index === onPage - 1 ? nest : ''));
}

/**
 * A Flate bomb: one page whose FlateDecode content stream inflates to `inflatedBytes` of `pattern`
 * repeated (path operators by default; with `text`, the pattern runs inside BT/ET, so `(aaaa) Tj` shows
 * text), from about a thousandth of that in the file. Built with a streaming deflate, so the inflated
 * data never exists in the test's memory.
 */
export async function makeFlateBombPdf(inflatedBytes: number, options: { pattern?: string; text?: boolean } = {}): Promise<Buffer> {
  const pattern = options.pattern ?? '0 0 m ';
  const unit = Buffer.from(pattern.repeat(Math.ceil((1 << 20) / pattern.length)), 'latin1');
  const deflate = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.once('end', resolve);
    deflate.once('error', reject);
  });
  if (options.text) deflate.write('BT /F1 12 Tf 72 740 Td ');
  for (let written = 0; written < inflatedBytes; written += unit.length) {
    if (!deflate.write(unit)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end(options.text ? ' ET' : '');
  await done;
  return pagesPdf([{ dict: '<< /Filter /FlateDecode >>', stream: Buffer.concat(out) }]);
}
