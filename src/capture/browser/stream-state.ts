/**
 * BrowserSource's mirror of the agent's stream: the tail of known rows, the next free position, the
 * platform ids seen and the run's id prefix. A fresh page (after a crash, a reload or a restart) is
 * seeded with it, so the page's history realigns instead of repeating, and `saveState` carries it into
 * sessions.json. In memory only; the journal (stream-journal.ts) is BrowserSource's to write.
 */
import type { AgentConfig, AgentTailEntry } from '../agent/types.ts';
import { continueStream } from './stream-journal.ts';

/** How many rows of the tail and platform ids are kept in memory (trimmed back when twice as many). */
const TAIL_KEEP = 2000;
const SEEN_KEEP = 5000;
/** How many of them a save keeps (sessions.json is rewritten every couple of seconds). */
const TAIL_SAVED = 300;
const SEEN_SAVED = 1000;

/** What a browser source saves (`saveState`); earlier runs' files must keep loading. */
export interface SavedBrowserState {
  v: 1;
  idPrefix: string;
  nextPos: number;
  tail: AgentTailEntry[];
  seenIds: string[];
}

export class StreamState {
  /** The prefix of this stream's positional ids: the run's, or the one a resumed stream saved. */
  readonly idPrefix: string;
  private tail: AgentTailEntry[];
  private nextPos: number;
  private seenIds: string[];
  /** Whether the agent ever reported rows (until then, the first rows are backfill). */
  private synced: boolean;

  private constructor(idPrefix: string, tail: AgentTailEntry[], nextPos: number, seenIds: string[], synced: boolean) {
    this.idPrefix = idPrefix;
    this.tail = tail;
    this.nextPos = nextPos;
    this.seenIds = seenIds;
    this.synced = synced;
  }

  /** A new stream under this run's prefix. */
  static fresh(idPrefix: string): StreamState {
    return new StreamState(idPrefix, [], 0, [], false);
  }

  /** The saved stream, continued with the positions journaled after the save. */
  static resume(saved: SavedBrowserState, journaled: readonly AgentTailEntry[]): StreamState {
    const continued = continueStream(saved, journaled);
    return new StreamState(saved.idPrefix, continued.tail, continued.nextPos, saved.seenIds, true);
  }

  /** The next free stream position. */
  get position(): number {
    return this.nextPos;
  }

  /** Rows the agent reported: their new positions (in order) and their platform ids as read. */
  record(positions: readonly AgentTailEntry[], pids: readonly string[]): void {
    this.synced = true;
    this.seenIds.push(...pids);
    for (const entry of positions) {
      this.tail.push(entry);
      if (entry.pos >= this.nextPos) this.nextPos = entry.pos + 1;
    }
    if (this.tail.length > TAIL_KEEP * 2) this.tail = this.tail.slice(-TAIL_KEEP);
    if (this.seenIds.length > SEEN_KEEP * 2) this.seenIds = this.seenIds.slice(-SEEN_KEEP);
  }

  /** What a fresh page's agent starts from. */
  seed(): Pick<AgentConfig, 'tail' | 'nextPos' | 'seenIds' | 'firstSyncIsBackfill'> {
    return { tail: consecutiveTail(this.tail), nextPos: this.nextPos, seenIds: this.seenIds, firstSyncIsBackfill: !this.synced };
  }

  save(): SavedBrowserState {
    return { v: 1, idPrefix: this.idPrefix, nextPos: this.nextPos, tail: this.tail.slice(-TAIL_SAVED), seenIds: this.seenIds.slice(-SEEN_SAVED) };
  }
}

/**
 * The tail from its last gap on. The alignment reads its tail as consecutive positions; rows the agent
 * dropped unsent (a flood beyond its caps) leave gaps in what Node saw, and realigning across one would
 * compare a page's rows with the wrong positions.
 */
export function consecutiveTail(tail: readonly AgentTailEntry[]): AgentTailEntry[] {
  let start = tail.length - 1;
  while (start > 0 && tail[start - 1]!.pos === tail[start]!.pos - 1) start--;
  return tail.slice(Math.max(start, 0));
}

/** A saved state read back (sessions.json is a file on disk: anything may be in it); undefined if unusable. */
export function parseSavedState(value: unknown): SavedBrowserState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<SavedBrowserState>;
  if (v.v !== 1 || typeof v.idPrefix !== 'string' || typeof v.nextPos !== 'number') return undefined;
  if (!Array.isArray(v.tail) || !Array.isArray(v.seenIds)) return undefined;
  return {
    v: 1,
    idPrefix: v.idPrefix,
    nextPos: v.nextPos,
    tail: v.tail.filter((e) => e && typeof e.pos === 'number' && typeof e.sig === 'string'),
    seenIds: v.seenIds.filter((id) => typeof id === 'string'),
  };
}
