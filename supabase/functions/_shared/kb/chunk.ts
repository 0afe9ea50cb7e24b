/**
 * Cuts a document's text into chunks for retrieval: along Markdown headings (and heading-like lines in
 * plain text and PDFs), then paragraphs, with a bounded size and a little overlap between neighbouring
 * chunks of the same section so a fact cut in two is still found whole. Dependency-free.
 */
import { sentences } from './text.ts';

export interface Chunk {
  ordinal: number;
  /** The heading path the chunk sits under ("Shipping > International"); "" before the first heading. */
  heading: string;
  content: string;
}

export interface ChunkOptions {
  /** Longest chunk content in characters. */
  maxChars?: number;
  /** Characters of the previous chunk's end repeated at the start of the next one (same section only). */
  overlapChars?: number;
}

export const DEFAULT_CHUNK_MAX_CHARS = 1_000;
export const DEFAULT_CHUNK_OVERLAP_CHARS = 150;
/** The longest heading path kept (the column allows 500). */
const MAX_HEADING = 300;

interface Section {
  heading: string;
  paragraphs: string[];
}

/** Splits text into chunks. Empty or whitespace-only text gives no chunks. */
export function chunkText(text: string, options: ChunkOptions = {}): Chunk[] {
  const maxChars = Math.max(200, options.maxChars ?? DEFAULT_CHUNK_MAX_CHARS);
  const overlapChars = Math.min(Math.max(0, options.overlapChars ?? DEFAULT_CHUNK_OVERLAP_CHARS), Math.floor(maxChars / 3));
  const chunks: Chunk[] = [];
  for (const section of sectionsOf(text)) {
    let current: string[] = [];
    let size = 0;
    const flush = (): void => {
      if (current.length === 0) return;
      chunks.push({ ordinal: chunks.length, heading: section.heading, content: current.join('\n\n') });
      const tail = overlapChars > 0 ? overlapTail(current.join(' '), overlapChars) : '';
      current = tail ? [tail] : [];
      size = tail.length;
    };
    for (const paragraph of section.paragraphs.flatMap((p) => splitLong(p, maxChars - overlapChars - 2))) {
      if (size > 0 && size + 2 + paragraph.length > maxChars) flush();
      current.push(paragraph);
      size += (size > 0 ? 2 : 0) + paragraph.length;
    }
    // Every paragraph pushed after a flush ends up in a chunk: `current` never holds only the overlap here.
    flush();
  }
  return chunks;
}

/** Groups the text's paragraphs under their heading paths. */
function sectionsOf(text: string): Section[] {
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').split('\n');
  const sections: Section[] = [];
  const path: Array<{ level: number; title: string }> = [];
  let section: Section = { heading: '', paragraphs: [] };
  let paragraph: string[] = [];
  let fence = false;

  const endParagraph = (): void => {
    if (paragraph.length === 0) return;
    const joined = joinLines(paragraph);
    paragraph = [];
    if (joined) section.paragraphs.push(joined);
  };
  const startSection = (level: number, title: string): void => {
    endParagraph();
    if (section.paragraphs.length > 0) sections.push(section);
    while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
    path.push({ level, title });
    section = { heading: path.map((p) => p.title).join(' > ').slice(0, MAX_HEADING), paragraphs: [] };
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      fence = !fence;
      continue;
    }
    if (!fence) {
      const atx = /^(#{1,6})\s+(.+?)\s*#*$/.exec(line);
      if (atx) {
        startSection(atx[1]!.length, cleanHeading(atx[2]!));
        continue;
      }
      const next = lines[i + 1]?.trim() ?? '';
      if (line && paragraph.length === 0 && /^(=+|-+)$/.test(next) && next.length >= 3) {
        startSection(next.startsWith('=') ? 1 : 2, cleanHeading(line));
        i++;
        continue;
      }
      if (line && paragraph.length === 0 && looksLikeHeading(line) && headsWhatFollows(line, lines[i + 1])) {
        // A short standalone line in plain text ("SHIPPING", "Returns:") heads what follows: below any
        // Markdown heading (level 7), and a sibling of the previous such line.
        startSection(7, cleanHeading(line.replace(/:$/, '')));
        continue;
      }
    }
    if (!line) {
      endParagraph();
      continue;
    }
    paragraph.push(line);
  }
  endParagraph();
  if (section.paragraphs.length > 0) sections.push(section);
  return sections;
}

/** Hard-wrapped lines (PDF text, plain text) join into one line; list items keep their own lines. */
function joinLines(lines: string[]): string {
  let out = '';
  for (const line of lines) {
    const item = /^([-*+•]|\d+[.)])\s+/.test(line);
    if (!out) out = line;
    else if (item) out += `\n${line}`;
    else if (out.endsWith('-') && !out.endsWith(' -')) out = out.slice(0, -1) + line;
    else out += ` ${line}`;
  }
  return out.replace(/[ \t]+/g, ' ').trim();
}

/**
 * Whether a short line starts a section: alone in its paragraph, or a short line (far shorter than
 * hard-wrapped prose) directly above a line that starts a sentence ("Shipping" over "We ship...").
 */
function headsWhatFollows(line: string, next: string | undefined): boolean {
  const following = next?.trim() ?? '';
  if (!following) return true;
  if (line.length > 40 || !/^[\p{Lu}\p{N}"“(]/u.test(following) || /^([-*+•]|\d+[.)])\s+/.test(following)) return false;
  // Cut prose ("We ship every Monday and" / "Thursday...") is not a title: a title is one or two words,
  // Title Case or CAPITALS, and never ends on a joining word.
  const words = line.split(/\s+/);
  if (/^(and|or|the|a|an|of|to|with|for|in|on|at|by|from|every|our|your|we|is|are)$/i.test(words[words.length - 1]!)) return false;
  if (words.length <= 2 && /^\p{Lu}/u.test(line)) return true;
  return line === line.toUpperCase() || words.every((w) => !/^\p{L}{4,}/u.test(w) || /^\p{Lu}/u.test(w));
}

function looksLikeHeading(line: string): boolean {
  if (line.length > 60 || /[.!?,;]$/.test(line)) return false;
  if (/^([-*+•]|\d+[.)])\s+/.test(line)) return false;
  const wordsCount = line.split(/\s+/).length;
  return wordsCount <= 6 && /\p{L}/u.test(line);
}

function cleanHeading(title: string): string {
  return title.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim().slice(0, 120);
}

/** Splits a paragraph longer than `max` at sentence boundaries, and a sentence longer than `max` at words. */
function splitLong(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const parts: string[] = [];
  let current = '';
  for (const sentence of sentences(paragraph).flatMap((s) => (s.length <= max ? [s] : splitWords(s, max)))) {
    if (current && current.length + 1 + sentence.length > max) {
      parts.push(current);
      current = '';
    }
    current = current ? `${current} ${sentence}` : sentence;
  }
  if (current) parts.push(current);
  return parts;
}

function splitWords(text: string, max: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    for (let piece = word; piece; piece = piece.slice(max)) {
      const part = piece.slice(0, max);
      if (current && current.length + 1 + part.length > max) {
        parts.push(current);
        current = '';
      }
      current = current ? `${current} ${part}` : part;
      if (piece.length <= max) break;
    }
  }
  if (current) parts.push(current);
  return parts;
}

/** The last whole sentences of `text` that fit in `max` characters (or its last words when none fits). */
function overlapTail(text: string, max: number): string {
  const all = sentences(text);
  let tail = '';
  for (let i = all.length - 1; i >= 0; i--) {
    const candidate = tail ? `${all[i]} ${tail}` : all[i]!;
    if (candidate.length > max) break;
    tail = candidate;
  }
  if (tail && tail !== text) return tail;
  if (tail === text) return '';
  const cut = text.slice(-max);
  const space = cut.indexOf(' ');
  return (space >= 0 ? cut.slice(space + 1) : cut).trim();
}
