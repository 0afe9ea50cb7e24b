/**
 * What leaves the page, and when: the rows of every sync wait here and go out as bounded reports.
 *
 * A page may show more rows at once than one report may carry (a long history), or add rows faster than
 * the service should take them (a flood). So reports are cut into chunks (at most `chunkRows` rows and
 * about `chunkChars` characters each: never one the service refuses whole), sent as a token bucket allows
 * (`burstRows` at once, `rowsPerSecond` after that), and what waits is capped: beyond `pendingRows` or
 * `pendingChars` the oldest unsent rows are dropped and counted, so the page's memory stays bounded and
 * the freshest chat still arrives. Positions were handed out by the stream before rows get here, so
 * cutting and pacing never change a row's identity; rows leave in the order they came.
 *
 * Pure and DOM-free (time comes from `now`), so it is unit-tested in Node.
 */
import type { AgentReport, AgentRow, ReportLimits } from '../types.ts';

type RowsReason = Extract<AgentReport, { type: 'rows' }>['reason'];

/** About how many characters a row takes in a report: its strings and the JSON around them. */
export function rowChars(row: AgentRow): number {
  let chars = 120 + row.sig.length + row.author.length + row.text.length;
  chars += (row.pid?.length ?? 0) + (row.authorId?.length ?? 0) + (row.paid?.length ?? 0);
  for (const badge of row.badges) chars += badge.length + 3;
  return chars;
}

/**
 * Cuts items into consecutive chunks of at most `maxItems` items and `maxChars` characters (as `charsOf`
 * counts them); an item larger than `maxChars` alone is a chunk of one. Order is kept.
 */
export function chunk<T>(items: readonly T[], maxItems: number, maxChars: number, charsOf: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const item of items) {
    const size = charsOf(item);
    if (current.length > 0 && (current.length >= maxItems || chars + size > maxChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(item);
    chars += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What the queue has done so far (the probe carries it to Node). */
export interface SendQueueStats {
  chunks: number;
  rowsSent: number;
  rowsDropped: number;
  rowsPending: number;
}

export interface SendQueue {
  /** Queues one sync's new rows (stream order); beyond the caps the oldest unsent rows are dropped. */
  push(rows: readonly AgentRow[], reason: RowsReason): void;
  /**
   * One sync's deletions: rows still waiting are taken out (never sent, so nothing to delete); the
   * reports for the rest, chunked, to send now (they concern rows already sent, so they may go at once).
   */
  deleted(pids: readonly string[], positions: readonly number[]): AgentReport[];
  /** The `rows` reports the budget allows now, in order. */
  take(): AgentReport[];
  /** How long until the next `take` is worth it while rows wait; undefined when none wait. */
  waitMs(): number | undefined;
  stats(): SendQueueStats;
}

interface Entry {
  row: AgentRow;
  reason: RowsReason;
  chars: number;
}

export function createSendQueue(limits: ReportLimits, now: () => number): SendQueue {
  // A deque as an array and a head index: dropping the oldest must not copy ten thousand rows.
  let entries: Entry[] = [];
  let head = 0;
  let pendingChars = 0;
  let tokens = limits.burstRows;
  let refilledAt = now();
  const counted = { chunks: 0, rowsSent: 0, rowsDropped: 0 };

  const pending = (): number => entries.length - head;

  const compact = (): void => {
    if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head);
      head = 0;
    }
  };

  const refill = (): void => {
    const t = now();
    tokens = Math.min(limits.burstRows, tokens + ((t - refilledAt) * limits.rowsPerSecond) / 1000);
    refilledAt = t;
  };

  const push = (rows: readonly AgentRow[], reason: RowsReason): void => {
    for (const row of rows) {
      const chars = rowChars(row);
      entries.push({ row, reason, chars });
      pendingChars += chars;
    }
    while (pending() > 0 && (pending() > limits.pendingRows || pendingChars > limits.pendingChars)) {
      pendingChars -= entries[head]!.chars;
      head++;
      counted.rowsDropped++;
    }
    compact();
  };

  const deleted = (pids: readonly string[], positions: readonly number[]): AgentReport[] => {
    const pidSet = new Set(pids);
    const posSet = new Set(positions);
    if (pending() > 0) {
      const kept: Entry[] = [];
      for (let i = head; i < entries.length; i++) {
        const entry = entries[i]!;
        const { pid, pos } = entry.row;
        const gone = pid !== undefined ? pidSet.delete(pid) : pos !== undefined && posSet.delete(pos);
        if (gone) pendingChars -= entry.chars;
        else kept.push(entry);
      }
      entries = kept;
      head = 0;
    }
    const reports: AgentReport[] = [];
    for (const part of chunk([...pidSet], limits.chunkRows, limits.chunkChars, (pid) => pid.length + 3)) {
      reports.push({ type: 'deleted', pids: part, positions: [] });
    }
    for (const part of chunk([...posSet], limits.chunkRows, Number.POSITIVE_INFINITY, () => 1)) {
      reports.push({ type: 'deleted', pids: [], positions: part });
    }
    return reports;
  };

  const take = (): AgentReport[] => {
    refill();
    const allowed = Math.min(pending(), Math.floor(tokens));
    if (allowed <= 0) return [];
    const taken = entries.slice(head, head + allowed);
    head += allowed;
    tokens -= allowed;
    compact();
    const reports: AgentReport[] = [];
    // One reason per report: cut where it changes, then by size.
    let start = 0;
    for (let i = 1; i <= taken.length; i++) {
      if (i < taken.length && taken[i]!.reason === taken[start]!.reason) continue;
      const run = taken.slice(start, i);
      for (const part of chunk(run, limits.chunkRows, limits.chunkChars, (e) => e.chars)) {
        reports.push({ type: 'rows', reason: part[0]!.reason, rows: part.map((e) => e.row) });
        for (const e of part) pendingChars -= e.chars;
        counted.chunks++;
        counted.rowsSent += part.length;
      }
      start = i;
    }
    return reports;
  };

  const waitMs = (): number | undefined => {
    const waiting = pending();
    if (waiting === 0) return undefined;
    refill();
    // Wait for a worthwhile chunk (about a tenth of a second's worth), not for every single token.
    const wanted = Math.min(waiting, Math.max(1, Math.floor(limits.rowsPerSecond / 10)));
    if (tokens >= wanted) return 0;
    return Math.ceil(((wanted - tokens) * 1000) / limits.rowsPerSecond);
  };

  return {
    push,
    deleted,
    take,
    waitMs,
    stats: () => ({ ...counted, rowsPending: pending() }),
  };
}
