import { MAX_REPORT_CHARS, MAX_REPORT_ROWS, REPORT_LIMITS, type AgentReport, type AgentRow, type ReportLimits } from '../types.ts';
import { parseAgentReport } from '../report.ts';
import { chunk, createSendQueue, rowChars } from './send-queue.ts';

function row(pos: number, text = `m${pos}`): AgentRow {
  return { pos, sig: `ann\u0000${text}`, author: 'ann', badges: [], text, backfill: false, seenAt: 1 };
}

function rows(from: number, count: number): AgentRow[] {
  return Array.from({ length: count }, (_, i) => row(from + i));
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const positions = (reports: AgentReport[]): number[] => reports.flatMap((r) => (r.type === 'rows' ? r.rows.map((x) => x.pos!) : []));

const small: ReportLimits = { chunkRows: 3, chunkChars: 1_000_000, rowsPerSecond: 10, burstRows: 5, pendingRows: 8, pendingChars: 1_000_000 };

describe('chunking', () => {
  test('cuts by count and by size, keeping order; an oversized item is a chunk of its own', () => {
    expect(chunk([1, 2, 3, 4, 5, 6, 7], 3, Infinity, () => 1)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(chunk([5, 5, 5, 20, 5], 10, 10, (n) => n)).toEqual([[5, 5], [5], [20], [5]]);
    expect(chunk([], 3, 10, () => 1)).toEqual([]);
  });

  test('a row is counted with all its strings', () => {
    const plain = rowChars(row(0, 'hi'));
    expect(rowChars({ ...row(0, 'hi'), badges: ['moderator'], paid: '$5' })).toBe(plain + 'moderator'.length + 3 + 2);
  });
});

describe('the send queue', () => {
  test('a page of 6,000 rows goes out as reports the service accepts, every row once, positions unchanged', () => {
    const time = clock();
    const queue = createSendQueue(REPORT_LIMITS, time.now);
    queue.push(rows(0, 6_000), 'backfill');
    const sent: AgentReport[] = [];
    for (let i = 0; i < 100 && queue.stats().rowsPending > 0; i++) {
      sent.push(...queue.take());
      time.advance(queue.waitMs() ?? 0);
    }
    expect(positions(sent)).toEqual(Array.from({ length: 6_000 }, (_, i) => i));
    for (const report of sent) {
      expect(report).toMatchObject({ type: 'rows', reason: 'backfill' });
      if (report.type === 'rows') expect(report.rows.length).toBeLessThanOrEqual(REPORT_LIMITS.chunkRows);
      expect(parseAgentReport(JSON.stringify(report)).ok).toBe(true);
    }
    expect(queue.stats()).toEqual({ chunks: sent.length, rowsSent: 6_000, rowsDropped: 0, rowsPending: 0 });
  });

  test('the burst goes out at once, the rest at the refill rate', () => {
    const time = clock();
    const queue = createSendQueue(small, time.now);
    queue.push(rows(0, 8), 'mutation');
    const first = queue.take();
    expect(first.map((r) => (r.type === 'rows' ? r.rows.length : 0))).toEqual([3, 2]);
    expect(queue.take()).toEqual([]);
    expect(queue.waitMs()).toBe(100);
    time.advance(100);
    expect(positions(queue.take())).toEqual([5]);
    time.advance(1_000);
    expect(positions(queue.take())).toEqual([6, 7]);
    expect(queue.waitMs()).toBeUndefined();
  });

  test('a flood keeps at most pendingRows unsent, drops the oldest and counts them', () => {
    const time = clock();
    const queue = createSendQueue(small, time.now);
    queue.push(rows(0, 20), 'mutation');
    expect(queue.stats()).toMatchObject({ rowsPending: 8, rowsDropped: 12 });
    expect(positions(queue.take())).toEqual([12, 13, 14, 15, 16]);
    queue.push(rows(20, 10), 'mutation');
    expect(queue.stats()).toMatchObject({ rowsPending: 8, rowsDropped: 17, rowsSent: 5 });
    time.advance(10_000);
    expect(positions(queue.take())).toEqual([22, 23, 24, 25, 26]);
    // Every row was either sent or counted as dropped.
    const stats = queue.stats();
    expect(stats.rowsSent + stats.rowsDropped + stats.rowsPending).toBe(30);
  });

  test('long rows are capped by characters as well', () => {
    const queue = createSendQueue({ ...small, pendingRows: 1_000, pendingChars: 3 * rowChars(row(0, 'x'.repeat(500))) }, clock().now);
    queue.push(Array.from({ length: 5 }, (_, i) => row(i, 'x'.repeat(500))), 'mutation');
    expect(queue.stats()).toMatchObject({ rowsPending: 3, rowsDropped: 2 });
  });

  test('reports never change reason mid-report, so backfill stays backfill', () => {
    const queue = createSendQueue(REPORT_LIMITS, clock().now);
    queue.push(rows(0, 2), 'backfill');
    queue.push(rows(2, 2), 'mutation');
    const sent = queue.take();
    expect(sent.map((r) => (r.type === 'rows' ? [r.reason, r.rows.length] : []))).toEqual([
      ['backfill', 2],
      ['mutation', 2],
    ]);
  });

  test('a row deleted while it still waits is never sent; deletions of sent rows go out at once, chunked', () => {
    const time = clock();
    const queue = createSendQueue(small, time.now);
    queue.push([...rows(0, 6), { ...row(99), pos: undefined, pid: 'p1' }], 'mutation');
    expect(positions(queue.take())).toEqual([0, 1, 2, 3, 4]);
    const deletions = queue.deleted(['p1', 'p0'], [1, 5, 2, 3, 4]);
    expect(deletions).toEqual([
      { type: 'deleted', pids: ['p0'], positions: [] },
      { type: 'deleted', pids: [], positions: [1, 2, 3] },
      { type: 'deleted', pids: [], positions: [4] },
    ]);
    expect(queue.stats().rowsPending).toBe(0);
    time.advance(10_000);
    expect(queue.take()).toEqual([]);
  });

  test('even the largest rows the agent can read fit a report under the service caps', () => {
    // Texts clipped at 2,000 characters, made of what JSON escapes longest (six characters each).
    const worst = '\u0001'.repeat(2_000);
    const huge: AgentRow = { pid: 'x'.repeat(2_000), sig: `${worst}\u0000${worst}`, author: worst, authorId: worst, badges: [], text: worst, paid: worst, backfill: false, seenAt: 1 };
    const queue = createSendQueue(REPORT_LIMITS, clock().now);
    queue.push(Array.from({ length: 400 }, (_, i) => ({ ...huge, pid: `${i}`.padStart(2_000, 'x') })), 'mutation');
    const sent = queue.take();
    expect(sent.length).toBeGreaterThan(1);
    for (const report of sent) {
      const payload = JSON.stringify(report);
      expect(payload.length).toBeLessThan(MAX_REPORT_CHARS);
      if (report.type === 'rows') expect(report.rows.length).toBeLessThan(MAX_REPORT_ROWS);
    }
  });
});
