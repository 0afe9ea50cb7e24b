/**
 * Identity without ids: which rows of the visible window are new to the stream.
 *
 * Virtualized lists remove, re-create and recycle row nodes, so neither a node nor an index attribute
 * can be an identity. The stream seen so far is kept as positions (its tail: consecutive positions
 * ending at nextPos - 1), and each sync aligns the visible window with it: rows whose node survived
 * with the same content anchor the window at their known positions; without any surviving node (a full
 * re-render) the window is aligned by content with the tail. Rows past the known end are new. So a
 * re-rendered list adds nothing, while the same text typed twice by one viewer is two rows at two
 * positions, hence two messages.
 *
 * Pure and DOM-free: a node is any object (an Element in the page, a plain object in unit tests).
 */
import type { AgentTailEntry } from '../types.ts';

/** How much of the stream is kept to realign against. */
export const TAIL_MAX = 2000;

/** One id-less row of the visible window, in display order. */
export interface WindowRow<N extends object> {
  node: N;
  /** Content signature (author and text). */
  sig: string;
  /** A deleted row keeps its place (and its node's position) but is never new. */
  deleted: boolean;
}

/** A row the stream had not seen, at the position it was given. */
export interface FreshRow<R> {
  row: R;
  pos: number;
}

export interface StreamAlignment<N extends object> {
  /** Aligns the window with the stream; returns the rows that are new, in order, and extends the stream with them. */
  align<R extends WindowRow<N>>(window: R[]): Array<FreshRow<R>>;
  /** The stream position a node was last aligned at, if any. */
  positionOf(node: N): number | undefined;
  /** The next free stream position. */
  nextPos(): number;
  /** The known stream, oldest first. */
  tail(): AgentTailEntry[];
}

/** Starts from a carried-over stream (a reloaded page resumes from the saved tail and next position). */
export function createAlignment<N extends object>(seed: { tail: AgentTailEntry[]; nextPos: number }): StreamAlignment<N> {
  const tail: AgentTailEntry[] = seed.tail.slice(-TAIL_MAX);
  let nextPos = seed.nextPos;
  // Nodes are remembered weakly: the page drops them as the list scrolls.
  const nodeInfo = new WeakMap<N, AgentTailEntry>();

  const tailSigAt = (pos: number): string | undefined => {
    if (tail.length === 0) return undefined;
    const index = pos - tail[0]!.pos;
    return index >= 0 && index < tail.length ? tail[index]!.sig : undefined;
  };

  const pushTail = (pos: number, sig: string): void => {
    tail.push({ pos, sig });
    if (tail.length > TAIL_MAX) tail.splice(0, tail.length - TAIL_MAX);
  };

  /** Surviving nodes whose content is unchanged vote for an offset (stream position - window index). */
  const offsetFromAnchors = (window: Array<WindowRow<N>>): number | null => {
    const votes = new Map<number, number>();
    for (let j = 0; j < window.length; j++) {
      const info = nodeInfo.get(window[j]!.node);
      if (info && (info.sig === window[j]!.sig || window[j]!.deleted)) {
        const offset = info.pos - j;
        votes.set(offset, (votes.get(offset) ?? 0) + 1);
      }
    }
    let offset: number | null = null;
    let best = 0;
    // On a tie the later offset wins: the window is more likely to have moved on than back.
    for (const [candidate, count] of votes) {
      if (count > best || (count === best && offset !== null && candidate > offset)) {
        best = count;
        offset = candidate;
      }
    }
    return offset;
  };

  /** Length of the longest prefix of the window equal to a suffix of the tail. */
  const overlapWithTail = (window: Array<WindowRow<N>>): number => {
    for (let candidate = Math.min(window.length, tail.length); candidate > 0; candidate--) {
      let equal = true;
      for (let i = 0; i < candidate; i++) {
        if (window[i]!.sig !== tail[tail.length - candidate + i]!.sig) {
          equal = false;
          break;
        }
      }
      if (equal) return candidate;
    }
    return 0;
  };

  /** Where the whole window sits further up the tail (a re-render while scrolled up), latest match first. */
  const startInTail = (window: Array<WindowRow<N>>): number => {
    for (let start = tail.length - window.length; start >= 0; start--) {
      let equal = true;
      for (let i = 0; i < window.length; i++) {
        if (window[i]!.sig !== tail[start + i]!.sig) {
          equal = false;
          break;
        }
      }
      if (equal) return start;
    }
    return -1;
  };

  const align = <R extends WindowRow<N>>(window: R[]): Array<FreshRow<R>> => {
    const fresh: Array<FreshRow<R>> = [];
    if (window.length === 0) return fresh;
    let offset = offsetFromAnchors(window);
    if (offset === null) {
      const overlap = overlapWithTail(window);
      if (overlap === 0 && tail.length >= window.length) {
        const start = startInTail(window);
        if (start >= 0) {
          // Nothing new: the window is history. Its nodes now anchor the next sync.
          for (let i = 0; i < window.length; i++) nodeInfo.set(window[i]!.node, { pos: tail[start + i]!.pos, sig: window[i]!.sig });
          return fresh;
        }
      }
      offset = nextPos - overlap;
    }
    for (let j = 0; j < window.length; j++) {
      const row = window[j]!;
      const pos = offset + j;
      if (pos < nextPos) {
        const known = tailSigAt(pos);
        nodeInfo.set(row.node, { pos, sig: known ?? row.sig });
        continue;
      }
      // Anchored windows are contiguous, so a row past the end is the next one.
      nodeInfo.set(row.node, { pos: nextPos, sig: row.sig });
      pushTail(nextPos, row.sig);
      fresh.push({ row, pos: nextPos });
      nextPos++;
    }
    return fresh;
  };

  return {
    align,
    positionOf: (node) => nodeInfo.get(node)?.pos,
    nextPos: () => nextPos,
    tail: () => tail.slice(),
  };
}
