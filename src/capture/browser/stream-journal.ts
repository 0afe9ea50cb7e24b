/**
 * The stream's positions between two saves of sessions.json. Rows without a platform id get their
 * identity from their place in the stream (`<idPrefix>-<pos>`), and the stream's tail is what a reloaded
 * page is aligned with. sessions.json is rewritten every couple of seconds; a service killed in between
 * would resume from a tail that misses the last positions it handed out, and give the first new rows
 * those positions again: ids already stored, so the new messages would be dropped as duplicates. Each
 * batch's positions are therefore appended here before its messages go on (a plain write: a killed
 * process's writes are in the kernel already), and the journal is emptied once a save covers them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AgentTailEntry } from '../agent/agent.ts';

/** Where a source records positions as it hands them out. */
export interface StreamJournal {
  /** Positions handed out since the last save (in order; may be empty). */
  read(): AgentTailEntry[];
  append(entries: readonly AgentTailEntry[]): void;
  /** A save now holds everything before `nextPos`: forget those entries. */
  saved(nextPos: number): void;
  close(): void;
}

/**
 * The saved tail continued with what the journal knows past it: the entries at or after the saved
 * `nextPos`, in position order, and the next free position after them.
 */
export function continueStream(
  saved: { tail: AgentTailEntry[]; nextPos: number },
  journal: readonly AgentTailEntry[],
): { tail: AgentTailEntry[]; nextPos: number } {
  const known = new Set(saved.tail.map((e) => e.pos));
  const later = journal
    .filter((e) => e.pos >= saved.nextPos && !known.has(e.pos))
    .sort((a, b) => a.pos - b.pos)
    .filter((e, i, all) => i === 0 || all[i - 1]!.pos !== e.pos);
  if (later.length === 0) return saved;
  return { tail: [...saved.tail, ...later], nextPos: later[later.length - 1]!.pos + 1 };
}

/** One JSON line per batch (`[[pos, sig], ...]`) in `<dir>/<session>.jsonl`. */
export class FileStreamJournal implements StreamJournal {
  private readonly file: string;
  private fd: number | null = null;
  /** Entries written since the last save, so `saved()` can keep the ones it does not cover. */
  private pending: AgentTailEntry[];

  constructor(dir: string, sessionId: string) {
    this.file = path.join(dir, `${sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
    this.pending = readJournal(this.file);
  }

  read(): AgentTailEntry[] {
    return [...this.pending];
  }

  append(entries: readonly AgentTailEntry[]): void {
    if (entries.length === 0) return;
    this.pending.push(...entries);
    fs.writeSync(this.open(), `${journalLine(entries)}\n`);
  }

  saved(nextPos: number): void {
    const keep = this.pending.filter((e) => e.pos >= nextPos);
    if (keep.length === this.pending.length) return;
    this.pending = keep;
    // Rewritten in place: what it drops is in sessions.json already, what it keeps is written again.
    fs.ftruncateSync(this.open(), 0);
    if (keep.length > 0) fs.writeSync(this.open(), `${journalLine(keep)}\n`, 0);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd === null) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a+');
    }
    return this.fd;
  }
}

/** Reads a journal, skipping a line torn by a kill mid-write. */
function readJournal(file: string): AgentTailEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseJournalLines(text.split('\n'));
}

/** One journal line: a batch's positions as `[[pos, sig], ...]` (the file's lines, the cluster's list items). */
export function journalLine(entries: readonly AgentTailEntry[]): string {
  return JSON.stringify(entries.map((e) => [e.pos, e.sig]));
}

/** The entries of journal lines, skipping any that is torn or not a journal line. */
export function parseJournalLines(lines: readonly string[]): AgentTailEntry[] {
  const out: AgentTailEntry[] = [];
  for (const line of lines) {
    if (!line) continue;
    try {
      const batch: unknown = JSON.parse(line);
      if (!Array.isArray(batch)) continue;
      for (const item of batch) {
        if (Array.isArray(item) && typeof item[0] === 'number' && Number.isInteger(item[0]) && typeof item[1] === 'string') {
          out.push({ pos: item[0], sig: item[1] });
        }
      }
    } catch {
      // torn line
    }
  }
  return out;
}
