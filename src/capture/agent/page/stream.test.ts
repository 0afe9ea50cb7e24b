import type { AgentReport, AgentRow } from '../types.ts';
import { BACKFILL_WINDOW_MS, createStream, SEEN_MAX, type ReadRow } from './stream.ts';

type Node = { label: string };

function read(author: string, text: string, extra: Partial<ReadRow<Node>> = {}): ReadRow<Node> {
  return { node: { label: `${author}:${text}` }, sig: `${author}\u0000${text}`, author, text, badges: [], deleted: false, ...extra };
}

/** A clock the test moves by hand. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const fresh = { tail: [], nextPos: 0, seenIds: [], firstSyncIsBackfill: false };

function rowsOf(reports: AgentReport[]): AgentRow[] {
  return reports.flatMap((r) => (r.type === 'rows' ? r.rows : []));
}

describe('one sync of the visible rows', () => {
  test('all new rows of a sync go out as one report, id-less ones with positions', () => {
    const time = clock();
    const stream = createStream<Node>(fresh, time.now);
    const reports = stream.sync([read('ann', 'hi', { badges: ['moderator'] }), read('bob', 'sold', { paid: '$5' })], 'mutation');
    expect(reports).toEqual([
      {
        type: 'rows',
        reason: 'mutation',
        rows: [
          { pos: 0, sig: 'ann\u0000hi', author: 'ann', authorId: undefined, badges: ['moderator'], text: 'hi', paid: undefined, backfill: false, seenAt: time.now() },
          { pos: 1, sig: 'bob\u0000sold', author: 'bob', authorId: undefined, badges: [], text: 'sold', paid: '$5', backfill: false, seenAt: time.now() },
        ],
      },
    ]);
  });

  test('a sync with nothing new sends nothing', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const rows = [read('ann', 'hi')];
    stream.sync(rows, 'mutation');
    expect(stream.sync(rows, 'sweep')).toEqual([]);
  });

  test('rows with a platform id are new once, also after a reload that carries the seen ids over', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const first = [read('ann', 'hi', { pid: 'p1' }), read('bob', 'hi', { pid: 'p2' })];
    expect(rowsOf(stream.sync(first, 'mutation')).map((r) => r.pid)).toEqual(['p1', 'p2']);
    // a re-render (new nodes, same ids) and a repeated text under a new id
    const second = [read('ann', 'hi', { pid: 'p1' }), read('bob', 'hi', { pid: 'p2' }), read('bob', 'hi', { pid: 'p3' })];
    expect(rowsOf(stream.sync(second, 'mutation')).map((r) => r.pid)).toEqual(['p3']);
    const reloaded = createStream<Node>({ ...fresh, seenIds: ['p1', 'p2', 'p3'] }, clock().now);
    expect(reloaded.sync(second, 'mutation')).toEqual([]);
  });

  test('platform ids are remembered up to SEEN_MAX, oldest forgotten first', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const many = Array.from({ length: SEEN_MAX + 1 }, (_, i) => read('a', `m${i}`, { pid: `p${i}` }));
    expect(rowsOf(stream.sync(many, 'mutation'))).toHaveLength(SEEN_MAX + 1);
    expect(rowsOf(stream.sync([read('a', 'm0', { pid: 'p0' })], 'mutation')).map((r) => r.pid)).toEqual(['p0']);
    expect(stream.sync([read('a', 'm1', { pid: `p${SEEN_MAX}` })], 'mutation')).toEqual([]);
  });

  test('rows already on the page when monitoring starts are backfill; later ones are not', () => {
    const time = clock();
    const stream = createStream<Node>({ ...fresh, firstSyncIsBackfill: true }, time.now);
    time.advance(500);
    const history = [read('ann', 'old 1'), read('bob', 'old 2')];
    const first = stream.sync(history, 'mutation');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ type: 'rows', reason: 'backfill' });
    expect(rowsOf(first).map((r) => r.backfill)).toEqual([true, true]);
    const live = stream.sync([...history, read('cat', 'new')], 'mutation');
    expect(live[0]).toMatchObject({ type: 'rows', reason: 'mutation' });
    expect(rowsOf(live).map((r) => [r.text, r.backfill])).toEqual([['new', false]]);
  });

  test('rows that first appear after the backfill window are live', () => {
    const time = clock();
    const stream = createStream<Node>({ ...fresh, firstSyncIsBackfill: true }, time.now);
    expect(stream.sync([], 'sweep')).toEqual([]);
    time.advance(BACKFILL_WINDOW_MS);
    expect(rowsOf(stream.sync([read('ann', 'hi')], 'sweep')).map((r) => r.backfill)).toEqual([false]);
  });

  test('the backfill window starts again when the container is attached', () => {
    const time = clock();
    const stream = createStream<Node>({ ...fresh, firstSyncIsBackfill: true }, time.now);
    time.advance(BACKFILL_WINDOW_MS + 1_000);
    // The chat container only appears now (a slow page): what it shows at once is still history.
    stream.attached();
    time.advance(100);
    expect(stream.sync([read('ann', 'old')], 'mutation')[0]).toMatchObject({ type: 'rows', reason: 'backfill' });
  });

  test('a resumed session (not the first sync) reports nothing as backfill', () => {
    const stream = createStream<Node>(fresh, clock().now);
    expect(rowsOf(stream.sync([read('ann', 'hi')], 'mutation')).map((r) => r.backfill)).toEqual([false]);
  });

  test('a deleted row with a platform id is reported once, and never as a message', () => {
    const stream = createStream<Node>(fresh, clock().now);
    stream.sync([read('ann', 'spam', { pid: 'p1' })], 'mutation');
    const deleted = [read('ann', '[removed]', { pid: 'p1', deleted: true })];
    expect(stream.sync(deleted, 'mutation')).toEqual([{ type: 'deleted', pids: ['p1'], positions: [] }]);
    expect(stream.sync(deleted, 'sweep')).toEqual([]);
  });

  test('an id-less row deleted in place is reported by its position once', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const rows = [read('ann', 'hi'), read('bob', 'spam'), read('cat', 'ok')];
    stream.sync(rows, 'mutation');
    const afterDeletion = [rows[0]!, { ...rows[1]!, text: '', sig: 'bob\u0000', deleted: true }, rows[2]!];
    expect(stream.sync(afterDeletion, 'mutation')).toEqual([{ type: 'deleted', pids: [], positions: [1] }]);
    expect(stream.sync(afterDeletion, 'sweep')).toEqual([]);
  });

  test('a row that is already deleted when first seen is neither a message nor a deletion', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const reports = stream.sync([read('ann', 'hi'), read('bob', 'gone', { deleted: true }), read('cat', 'ok')], 'mutation');
    expect(reports).toEqual([{ type: 'rows', reason: 'mutation', rows: [expect.objectContaining({ pos: 0, text: 'hi' }), expect.objectContaining({ pos: 1, text: 'ok' })] }]);
  });

  test('new rows and deletions of one sync: rows first, then the deletions', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const first = [read('ann', 'spam', { pid: 'p1' })];
    stream.sync(first, 'mutation');
    const reports = stream.sync([read('ann', 'spam', { pid: 'p1', deleted: true }), read('bob', 'hi', { pid: 'p2' })], 'mutation');
    expect(reports.map((r) => r.type)).toEqual(['rows', 'deleted']);
  });

  test('state carries the stream forward: a stream seeded with it repeats nothing of the same page', () => {
    const stream = createStream<Node>(fresh, clock().now);
    const page = [read('ann', 'a'), read('bob', 'sold'), read('bob', 'sold')];
    stream.sync(page, 'mutation');
    const state = stream.state();
    expect(state).toEqual({ nextPos: 3, tail: [
      { pos: 0, sig: 'ann\u0000a' },
      { pos: 1, sig: 'bob\u0000sold' },
      { pos: 2, sig: 'bob\u0000sold' },
    ] });
    const resumed = createStream<Node>({ ...fresh, tail: state.tail, nextPos: state.nextPos }, clock().now);
    const reloaded = [read('ann', 'a'), read('bob', 'sold'), read('bob', 'sold'), read('bob', 'sold')];
    expect(rowsOf(resumed.sync(reloaded, 'mutation')).map((r) => [r.pos, r.text])).toEqual([[3, 'sold']]);
  });
});
