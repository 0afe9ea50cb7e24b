import { consecutiveTail, parseSavedState, StreamState } from './stream-state.ts';

describe("the source's mirror of the agent's stream", () => {
  it('starts a new stream under the run prefix, its first rows backfill', () => {
    const stream = StreamState.fresh('mk1');
    expect(stream.seed()).toEqual({ tail: [], nextPos: 0, seenIds: [], firstSyncIsBackfill: true });
    stream.record([{ pos: 0, sig: 'a' }, { pos: 1, sig: 'b' }], ['yt-1']);
    expect(stream.position).toBe(2);
    expect(stream.seed()).toEqual({ tail: [{ pos: 0, sig: 'a' }, { pos: 1, sig: 'b' }], nextPos: 2, seenIds: ['yt-1'], firstSyncIsBackfill: false });
    // An empty report still means the agent synced: later rows are not backfill.
    const quiet = StreamState.fresh('mk1');
    quiet.record([], []);
    expect(quiet.seed().firstSyncIsBackfill).toBe(false);
  });

  it('saves and resumes with its own prefix, continued with the journaled positions', () => {
    const stream = StreamState.fresh('old');
    stream.record([{ pos: 0, sig: 'a' }], ['p1']);
    const saved = parseSavedState(JSON.parse(JSON.stringify(stream.save())))!;
    expect(saved).toEqual({ v: 1, idPrefix: 'old', nextPos: 1, tail: [{ pos: 0, sig: 'a' }], seenIds: ['p1'] });
    const resumed = StreamState.resume(saved, [{ pos: 1, sig: 'b' }, { pos: 0, sig: 'a' }]);
    expect(resumed.idPrefix).toBe('old');
    expect(resumed.position).toBe(2);
    expect(resumed.seed()).toMatchObject({ tail: [{ pos: 0, sig: 'a' }, { pos: 1, sig: 'b' }], firstSyncIsBackfill: false });
  });

  it('keeps memory and saves bounded', () => {
    const stream = StreamState.fresh('p');
    for (let pos = 0; pos < 4_001; pos++) stream.record([{ pos, sig: String(pos) }], [`id${pos}`]);
    expect(stream.seed().tail).toHaveLength(2_000);
    expect(stream.seed().tail[0]).toEqual({ pos: 2_001, sig: '2001' });
    expect(stream.position).toBe(4_001);
    expect(stream.save().tail).toHaveLength(300);
    expect(stream.save().seenIds).toHaveLength(1_000);
  });

  it('reads back only states it can use', () => {
    expect(parseSavedState(undefined)).toBeUndefined();
    expect(parseSavedState({ v: 2, idPrefix: 'p', nextPos: 0, tail: [], seenIds: [] })).toBeUndefined();
    expect(parseSavedState({ v: 1, idPrefix: 'p', nextPos: 0, tail: {}, seenIds: [] })).toBeUndefined();
    expect(parseSavedState({ v: 1, idPrefix: 'p', nextPos: 3, tail: [{ pos: 1, sig: 's' }, { pos: 'x' }, null], seenIds: ['a', 7] })).toEqual({
      v: 1,
      idPrefix: 'p',
      nextPos: 3,
      tail: [{ pos: 1, sig: 's' }],
      seenIds: ['a'],
    });
  });

  it('seeds a fresh page with the tail after its last gap (rows the agent dropped unsent)', () => {
    const stream = StreamState.fresh('p');
    stream.record([{ pos: 0, sig: 'a' }, { pos: 1, sig: 'b' }, { pos: 5, sig: 'f' }, { pos: 6, sig: 'g' }], []);
    expect(stream.seed()).toMatchObject({ tail: [{ pos: 5, sig: 'f' }, { pos: 6, sig: 'g' }], nextPos: 7 });
    expect(consecutiveTail([])).toEqual([]);
    expect(consecutiveTail([{ pos: 3, sig: 'x' }])).toEqual([{ pos: 3, sig: 'x' }]);
  });
});
