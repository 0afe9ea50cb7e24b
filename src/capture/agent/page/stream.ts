/**
 * What one sync of the visible rows reports: rows with a platform id are new when the id is;
 * id-less rows go through the alignment (alignment.ts); deleted rows are reported once each; the
 * rows on the page when monitoring starts are backfill. One sync gives at most one `rows` report and
 * one `deleted` report, so Node receives a batch per observer callback rather than a call per row.
 *
 * Pure and DOM-free (time comes from `now`), so it is unit-tested in Node.
 */
import type { AgentConfig, AgentReport, AgentRow, AgentTailEntry } from '../types.ts';
import { createAlignment } from './alignment.ts';

/** How many platform ids are remembered (recent ones). */
export const SEEN_MAX = 5000;
/** History is rendered in one batch right after load: rows seen within this of attaching are backfill. */
export const BACKFILL_WINDOW_MS = 3000;

/**
 * One row as read from the page (read-row.ts), before the stream decides about it: what a reported row
 * carries, without what the stream adds (its position, backfill, when it was seen).
 */
export type ReadRow<N extends object> = Omit<AgentRow, 'pos' | 'backfill' | 'seenAt'> & { node: N; deleted: boolean };

export type SyncReason = 'mutation' | 'sweep';

export interface Stream<N extends object> {
  /** The reports one sync of the visible rows (in display order) gives, in the order to send them. */
  sync(rows: Array<ReadRow<N>>, reason: SyncReason): AgentReport[];
  /** The chat container was (re)attached: the backfill window starts again while no row was seen. */
  attached(): void;
  /** For debugging from the agent's world. */
  state(): { nextPos: number; tail: AgentTailEntry[] };
}

type StreamSeed = Pick<AgentConfig, 'tail' | 'nextPos' | 'seenIds' | 'firstSyncIsBackfill'>;

export function createStream<N extends object>(seed: StreamSeed, now: () => number): Stream<N> {
  const alignment = createAlignment<N>(seed);
  const seenIds = new Set<string>(seed.seenIds);
  const seenOrder: string[] = seed.seenIds.slice();
  // Platform ids and `pos:<n>` keys of rows already reported deleted.
  const deletedKeys = new Set<string>();
  let backfillPending = seed.firstSyncIsBackfill;
  let attachedAt = now();

  const rememberId = (pid: string): void => {
    seenIds.add(pid);
    seenOrder.push(pid);
    if (seenOrder.length > SEEN_MAX) {
      const drop = seenOrder.splice(0, seenOrder.length - SEEN_MAX);
      for (const d of drop) seenIds.delete(d);
    }
  };

  const sync = (rows: Array<ReadRow<N>>, reason: SyncReason): AgentReport[] => {
    // Rows already on the page when monitoring starts are backfill: the first non-empty sync, if it
    // comes while the page is still settling.
    const backfill = backfillPending && rows.length > 0 && now() - attachedAt < BACKFILL_WINDOW_MS;
    if (rows.length > 0 || now() - attachedAt >= BACKFILL_WINDOW_MS) backfillPending = false;
    const seenAt = now();
    const toRow = (r: ReadRow<N>, identity: { pid: string } | { pos: number }): AgentRow => ({
      ...identity,
      sig: r.sig,
      author: r.author,
      authorId: r.authorId,
      badges: r.badges,
      text: r.text,
      paid: r.paid,
      backfill,
      seenAt,
    });
    const out: AgentRow[] = [];
    const deletedPids: string[] = [];
    const deletedPositions: number[] = [];
    const idless: Array<ReadRow<N>> = [];
    for (const r of rows) {
      if (!r.pid) {
        idless.push(r);
      } else if (r.deleted) {
        if (!deletedKeys.has(r.pid)) {
          deletedKeys.add(r.pid);
          deletedPids.push(r.pid);
        }
      } else if (!seenIds.has(r.pid)) {
        rememberId(r.pid);
        out.push(toRow(r, { pid: r.pid }));
      }
    }
    for (const r of idless) {
      const pos = alignment.positionOf(r.node);
      if (r.deleted && pos !== undefined && !deletedKeys.has('pos:' + pos)) {
        deletedKeys.add('pos:' + pos);
        deletedPositions.push(pos);
      }
    }
    // A row deleted before it was ever aligned has no position to report and is not news either.
    const fresh = alignment.align(idless.filter((r) => !r.deleted || alignment.positionOf(r.node) !== undefined));
    for (const f of fresh) if (!f.row.deleted) out.push(toRow(f.row, { pos: f.pos }));
    const reports: AgentReport[] = [];
    if (out.length > 0) reports.push({ type: 'rows', rows: out, reason: backfill ? 'backfill' : reason });
    if (deletedPids.length > 0 || deletedPositions.length > 0) {
      reports.push({ type: 'deleted', pids: deletedPids, positions: deletedPositions });
    }
    return reports;
  };

  return {
    sync,
    attached: () => {
      if (backfillPending) attachedAt = now();
    },
    state: () => ({ nextPos: alignment.nextPos(), tail: alignment.tail().slice(-50) }),
  };
}
