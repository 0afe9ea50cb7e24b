/**
 * Cuts a document's text into chunks for retrieval: along Markdown headings (and heading-like lines in
 * plain text and PDFs), then paragraphs, with a bounded size and a little overlap between neighbouring
 * chunks of the same section so a fact cut in two is still found whole. Dependency-free.
 */
import { isHeadingLike, sentences } from './text.ts';

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
  /** Whether a non-empty line has been read (only the first one may be the document's title). */
  let started = false;

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
    const first = !started && line !== '';
    if (line) started = true;
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
      // Lines of a paragraph are joined into one (hard-wrap repair), so a heading missed here is glued to
      // the sentence under it and comes back inside answers ("Shipping and returns policy - Hannah's Vintage
      // Returns: all sales are final."). A heading may also follow a finished sentence directly, without a
      // blank line, when prose follows it (not a column of short lines: "Visa" over "Mastercard").
      const atBreak =
        paragraph.length === 0 || (endsSentence(paragraph[paragraph.length - 1]!) && next !== '' && !isHeadingLike(next));
      const title = first && isTitleLine(line, next);
      if (line && atBreak && (title || (looksLikeHeading(line) && headsWhatFollows(line, next)))) {
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

/** Words a cut line of prose ends on ("We ship every Monday and" / "Thursday..."); a heading never does. */
const JOINING_WORD =
  /^(and|or|but|nor|the|a|an|of|to|with|without|for|in|on|at|by|from|into|than|as|every|our|your|their|my|we|you|they|it|is|are|was|be|will|can|may|must|not|that|this|if|so)$/i;

/** The words of a line, without the dashes and bars between them ("Policy - Shop" is two). */
function wordsOf(line: string): string[] {
  return line.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/** Whether a paragraph line ends a sentence, so the next line may start something new. */
function endsSentence(line: string): boolean {
  return /[.!?]["”')\]]*$/.test(line);
}

/** Whether a line starts a sentence or a paragraph: a capital, a digit or an opening quote, not a list item. */
function startsSentence(line: string): boolean {
  return /^[\p{Lu}\p{N}"“(]/u.test(line) && !/^([-*+•]|\d+[.)])\s+/.test(line);
}

/**
 * Whether a short line starts a section: alone in its paragraph, or a short line (far shorter than
 * hard-wrapped prose) directly above a line that starts a sentence ("Shipping" over "We ship...").
 */
function headsWhatFollows(line: string, next: string): boolean {
  if (!next) return true;
  if (line.length > 40 || !startsSentence(next)) return false;
  // Cut prose ("We ship every Monday and" / "Thursday...") is not a title: a title is a few words,
  // Title Case, CAPITALS or one capitalised phrase ("Returns and exchanges"), and never ends on a joining word.
  const words = wordsOf(line);
  if (words.length === 0 || JOINING_WORD.test(words[words.length - 1]!)) return false;
  if (words.length <= 4 && /^\p{Lu}/u.test(line)) return true;
  return line === line.toUpperCase() || words.every((w) => !/^\p{L}{4,}/u.test(w) || /^\p{Lu}/u.test(w));
}

function looksLikeHeading(line: string): boolean {
  if (line.length > 60 || /[.!?,;]$/.test(line)) return false;
  if (/^([-*+•]|\d+[.)])\s+/.test(line)) return false;
  return wordsOf(line).length <= 6 && /\p{L}/u.test(line);
}

/**
 * Whether the first line of a document is its title: a TXT or PDF starts with one line naming the shop
 * or the page ("Shipping and returns policy - Hannah's Vintage"), often longer than a section heading
 * and directly above the first paragraph. It reads as a title (Capitalised words, or two parts around a
 * dash or bar), not as a first sentence that lacks its full stop.
 */
function isTitleLine(line: string, next: string): boolean {
  if (!line || line.length > 90 || /[.!?,;]$/.test(line) || !/^[\p{Lu}\p{N}"“]/u.test(line)) return false;
  if (/^([-*+•]|\d+[.)])\s+/.test(line)) return false;
  const words = wordsOf(line);
  if (words.length === 0 || words.length > 12 || JOINING_WORD.test(words[words.length - 1]!)) return false;
  if (next && !startsSentence(next)) return false;
  return isHeadingLike(line) || /\s[-–—|]\s/.test(line);
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
