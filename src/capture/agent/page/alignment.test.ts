import { createAlignment, TAIL_MAX, type WindowRow } from './alignment.ts';

/** A row node as the page would hold it; only its identity matters to the alignment. */
type Node = { label: string };

function row(sig: string, node: Node = { label: sig }, deleted = false): WindowRow<Node> {
  return { node, sig, deleted };
}

/** A fresh render of the given contents: every node is new (a full re-render). */
function render(...sigs: string[]): Array<WindowRow<Node>> {
  return sigs.map((sig) => row(sig));
}

function freshSigs(fresh: Array<{ row: WindowRow<Node>; pos: number }>): string[] {
  return fresh.map((f) => `${f.pos}:${f.row.sig}`);
}

describe('alignment of the visible window with the stream', () => {
  test('rows past the known end are new, at consecutive positions', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    const first = render('ann:hi', 'bob:sold');
    expect(freshSigs(alignment.align(first))).toEqual(['0:ann:hi', '1:bob:sold']);
    const second = [...first, row('cat:nice')];
    expect(freshSigs(alignment.align(second))).toEqual(['2:cat:nice']);
    expect(alignment.nextPos()).toBe(3);
    expect(alignment.tail()).toEqual([
      { pos: 0, sig: 'ann:hi' },
      { pos: 1, sig: 'bob:sold' },
      { pos: 2, sig: 'cat:nice' },
    ]);
  });

  test('syncing the same window again adds nothing', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    const window = render('a', 'b', 'c');
    alignment.align(window);
    expect(alignment.align(window)).toEqual([]);
    expect(alignment.nextPos()).toBe(3);
  });

  test('a full re-render (every node new, same content) adds nothing', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    alignment.align(render('a', 'b', 'c', 'd'));
    expect(alignment.align(render('a', 'b', 'c', 'd'))).toEqual([]);
    // ... and a re-render that also shows one new row adds just that row
    expect(freshSigs(alignment.align(render('b', 'c', 'd', 'e')))).toEqual(['4:e']);
  });

  test('the same text twice by one viewer is two rows at two positions', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    const window: Array<WindowRow<Node>> = [row('bob:sold')];
    expect(freshSigs(alignment.align(window))).toEqual(['0:bob:sold']);
    window.push(row('bob:sold'));
    expect(freshSigs(alignment.align(window))).toEqual(['1:bob:sold']);
    window.push(row('bob:sold'), row('ann:nice'), row('bob:sold'));
    expect(freshSigs(alignment.align(window))).toEqual(['2:bob:sold', '3:ann:nice', '4:bob:sold']);
    // A re-render of all five repeats none of them.
    expect(alignment.align(render('bob:sold', 'bob:sold', 'bob:sold', 'ann:nice', 'bob:sold'))).toEqual([]);
  });

  test('identical rows arriving in one batch are each new', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    expect(freshSigs(alignment.align(render('bob:sold', 'bob:sold', 'bob:sold')))).toEqual(['0:bob:sold', '1:bob:sold', '2:bob:sold']);
  });

  test('a virtualized window that slides (rows leave at the top, nodes survive) reports only the new rows', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    let window = render('m0', 'm1', 'm2', 'm3');
    alignment.align(window);
    const seen: string[] = [];
    for (let i = 4; i < 20; i++) {
      window = [...window.slice(1), row(`m${i}`)];
      seen.push(...freshSigs(alignment.align(window)));
    }
    expect(seen).toEqual(Array.from({ length: 16 }, (_, k) => `${k + 4}:m${k + 4}`));
  });

  test('a window that slides by several rows at once still reports each new row once', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    const window = render('m0', 'm1', 'm2', 'm3');
    alignment.align(window);
    const next = [...window.slice(3), row('m4'), row('m5'), row('m6')];
    expect(freshSigs(alignment.align(next))).toEqual(['4:m4', '5:m5', '6:m6']);
  });

  test('recycled nodes (a slot reused for a later row) realign by the nodes whose content is unchanged', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    // Kick-style: a fixed set of slot nodes; the list rotates content through them.
    const slots: Node[] = [{ label: 'slot0' }, { label: 'slot1' }, { label: 'slot2' }];
    alignment.align([row('a', slots[0]), row('b', slots[1]), row('c', slots[2])]);
    // Scrolled by one: slot0 now shows the new row at the bottom, the others move up unchanged.
    const fresh = alignment.align([row('b', slots[1]), row('c', slots[2]), row('d', slots[0])]);
    expect(freshSigs(fresh)).toEqual(['3:d']);
    // Every slot rewritten with other content (the window moved by a whole page): no anchor survives, so
    // content alignment takes over and finds the overlap.
    const rewritten = alignment.align([row('c', slots[2]), row('d', slots[1]), row('e', slots[0])]);
    expect(freshSigs(rewritten)).toEqual(['4:e']);
  });

  test('a node that moved is outvoted by the nodes that kept their place', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    const nodes: Node[] = Array.from({ length: 4 }, (_, i) => ({ label: `n${i}` }));
    alignment.align(nodes.map((node, i) => row(`m${i}`, node)));
    // n0 is reused at the bottom still holding its old text (a viewer repeating m0), while n1..n3 keep
    // their place: the majority's offset wins, so the bottom row is a new message, not old history.
    const fresh = alignment.align([row('m1', nodes[1]), row('m2', nodes[2]), row('m3', nodes[3]), row('m0', nodes[0])]);
    expect(freshSigs(fresh)).toEqual(['4:m0']);
  });

  test('a re-render while scrolled up (the window is older history) adds nothing', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    alignment.align(render('m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'));
    const scrolledUp = render('m2', 'm3', 'm4');
    expect(alignment.align(scrolledUp)).toEqual([]);
    // Those nodes now anchor the window: scrolling down from there repeats nothing.
    expect(alignment.align([...scrolledUp.slice(1), row('m5'), row('m6')])).toEqual([]);
    expect(alignment.nextPos()).toBe(8);
  });

  test('a window that matches nothing known is new from the end', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    alignment.align(render('a', 'b'));
    expect(freshSigs(alignment.align(render('x', 'y')))).toEqual(['2:x', '3:y']);
  });

  test('resuming from a tail: the reloaded page realigns with it, new rows continue the positions', () => {
    const before = createAlignment<Node>({ tail: [], nextPos: 0 });
    before.align(render('m0', 'm1', 'm2', 'm3', 'm4'));
    const resumed = createAlignment<Node>({ tail: before.tail(), nextPos: before.nextPos() });
    // The reloaded page shows the last three rows of its history plus two sent during the outage.
    expect(freshSigs(resumed.align(render('m2', 'm3', 'm4', 'm5', 'm6')))).toEqual(['5:m5', '6:m6']);
  });

  test('resuming from a tail that does not start at position 0', () => {
    const tail = [
      { pos: 40, sig: 'ann:x' },
      { pos: 41, sig: 'bob:sold' },
      { pos: 42, sig: 'bob:sold' },
    ];
    const resumed = createAlignment<Node>({ tail, nextPos: 43 });
    expect(freshSigs(resumed.align(render('bob:sold', 'bob:sold', 'bob:sold')))).toEqual(['43:bob:sold']);
  });

  test('resuming where the reloaded page no longer overlaps the tail: its rows are new from the next position', () => {
    const resumed = createAlignment<Node>({ tail: [{ pos: 9, sig: 'old' }], nextPos: 10 });
    expect(freshSigs(resumed.align(render('n0', 'n1')))).toEqual(['10:n0', '11:n1']);
  });

  test('a deleted row keeps its place, so the rows after it are not taken for new ones', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    const window = render('a', 'b', 'c');
    alignment.align(window);
    const withDeletion = [window[0]!, { ...window[1]!, sig: 'b:[deleted]', deleted: true }, window[2]!];
    expect(alignment.align(withDeletion)).toEqual([]);
    expect(alignment.positionOf(window[1]!.node)).toBe(1);
  });

  test('the tail keeps the latest TAIL_MAX rows', () => {
    const alignment = createAlignment<Node>({ tail: [], nextPos: 0 });
    alignment.align(Array.from({ length: TAIL_MAX + 10 }, (_, i) => row(`m${i}`)));
    const tail = alignment.tail();
    expect(tail).toHaveLength(TAIL_MAX);
    expect(tail[0]).toEqual({ pos: 10, sig: 'm10' });
    expect(tail[tail.length - 1]).toEqual({ pos: TAIL_MAX + 9, sig: `m${TAIL_MAX + 9}` });
  });
});
