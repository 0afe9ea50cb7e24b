import type { ChatMessage } from '../../domain/message.ts';
import { DomReconciler, type Scheduler } from './reconcile.ts';

/** A clock and timers driven by the test. */
function manualScheduler() {
  let now = 1_000;
  let timers: Array<{ at: number; fn: () => void; handle: number }> = [];
  let next = 1;
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const handle = next++;
      timers.push({ at: now + ms, fn, handle });
      return handle;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.handle !== handle);
    },
  };
  return {
    scheduler,
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        due.fn();
      }
    },
  };
}

const PREFIX = 'abc';
function msg(id: string, author: string, text: string): ChatMessage {
  return { id, platform: 'whatnot', author: { name: author, badges: [] }, text, capturedAt: '2025-01-01T00:00:00.000Z', backfill: false };
}
const dom = (pos: number, author: string, text: string) => msg(`${PREFIX}-${pos}`, author, text);

function setup() {
  const clock = manualScheduler();
  const gate = new DomReconciler({ scheduler: clock.scheduler, holdMs: 1_000, activeWindowMs: 5_000, matchTtlMs: 20_000 });
  const delivered: string[] = [];
  const deliver = (batch: ChatMessage[]) => delivered.push(...batch.map((m) => m.id));
  const deletions: string[] = [];
  const deliverDeleted = (ids: string[]) => deletions.push(...ids);
  return { clock, gate, delivered, deliver, deletions, deliverDeleted };
}

describe('DomReconciler', () => {
  it('drops DOM rows the network already delivered, matching by author and text in order', () => {
    const { gate, delivered, deliver } = setup();
    expect(gate.network(msg('n1', 'Ann', 'sold'))).toBe(true);
    expect(gate.network(msg('n2', 'Ann', 'sold'))).toBe(true);
    gate.rows([dom(0, 'ann', 'SOLD'), dom(1, 'Ann', 'sold')], PREFIX, deliver);
    expect(delivered).toEqual([]);
  });

  it('lets a DOM row through when the network never delivered it, after a short wait while frames flow', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('n1', 'Ann', 'hi'));
    gate.rows([dom(0, 'Ann', 'hi'), dom(1, 'Bob', 'only on the page')], PREFIX, deliver);
    expect(delivered).toEqual([]);
    clock.advance(999);
    expect(delivered).toEqual([]);
    clock.advance(1);
    expect(delivered).toEqual([`${PREFIX}-1`]);
  });

  it('passes DOM rows at once when the socket has been silent for a while (DOM fallback)', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('n1', 'Ann', 'hi'));
    clock.advance(6_000);
    gate.rows([dom(0, 'Cat', 'socket is quiet')], PREFIX, deliver);
    expect(delivered).toEqual([`${PREFIX}-0`]);
  });

  it('prefers the network twin of a waiting DOM row', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('n0', 'Ann', 'warm up'));
    gate.rows([dom(0, 'Bob', 'late frame')], PREFIX, deliver);
    expect(gate.network(msg('n1', 'Bob', 'late frame'))).toBe(true);
    clock.advance(2_000);
    expect(delivered).toEqual([]);
  });

  it('suppresses a network message whose DOM row already went out', () => {
    const { gate, delivered, deliver } = setup();
    gate.rows([dom(0, 'Dan', 'first')], PREFIX, deliver);
    expect(delivered).toEqual([`${PREFIX}-0`]);
    expect(gate.network(msg('n9', 'Dan', 'first'))).toBe(false);
    // A second identical message from the same viewer is a new message on both paths.
    expect(gate.network(msg('n10', 'Dan', 'first'))).toBe(true);
  });

  it('matches DOM rows that carry platform ids by id', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('yt-1', 'Eve', 'hello'));
    gate.rows([msg('yt-1', 'Eve', 'hello'), msg('yt-2', 'Eve', 'hello')], PREFIX, deliver);
    clock.advance(1_000);
    expect(delivered).toEqual(['yt-2']);
  });

  it('forgets network messages whose DOM row never came', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('n1', 'Fay', 'gone'));
    clock.advance(21_000);
    gate.rows([dom(0, 'Fay', 'gone')], PREFIX, deliver);
    expect(delivered).toEqual([`${PREFIX}-0`]);
  });

  it('keeps stream order when rows wait behind earlier waiting rows', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('n1', 'Ann', 'x'));
    gate.rows([dom(0, 'A', 'one')], PREFIX, deliver);
    clock.advance(5_500); // the network is no longer active, but row 0 still waits
    gate.rows([dom(1, 'B', 'two')], PREFIX, deliver);
    expect(delivered).toEqual(['abc-0', 'abc-1']);
  });

  it('reports each deletion once, under the id the message was emitted with', () => {
    const { gate, deliver, deletions, deliverDeleted } = setup();
    gate.network(msg('n1', 'Ann', 'bad words'));
    gate.rows([dom(0, 'Ann', 'bad words')], PREFIX, deliver);
    gate.deleted(['n1'], deliverDeleted);
    gate.deleted([`${PREFIX}-0`], deliverDeleted);
    expect(deletions).toEqual(['n1']);
  });

  it('does not let a re-sent network message swallow a later DOM row', () => {
    const { clock, gate, delivered, deliver } = setup();
    gate.network(msg('n1', 'Gus', 'again'));
    gate.rows([dom(0, 'Gus', 'again')], PREFIX, deliver);
    gate.network(msg('n1', 'Gus', 'again')); // history after a reconnect
    gate.rows([dom(1, 'Gus', 'again')], PREFIX, deliver);
    clock.advance(1_000);
    expect(delivered).toEqual([`${PREFIX}-1`]);
  });
});
