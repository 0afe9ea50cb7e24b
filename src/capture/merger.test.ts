import type { ChatMessage, SessionStatus } from '../domain/message.ts';
import { MessageMerger } from './merger.ts';
import type { Scheduler } from './network/reconcile.ts';
import type { SourceSink } from './source.ts';

/** A sink that records every call, in order. */
function recordingSink() {
  const calls: Array<[string, unknown]> = [];
  const sink: SourceSink = {
    messages: (batch) => calls.push(['messages', batch.map((m) => m.id)]),
    deleted: (ids) => calls.push(['deleted', ids]),
    status: (status: SessionStatus, detail?: string) => calls.push(['status', [status, detail]]),
    show: (showId) => calls.push(['show', showId]),
  };
  return { sink, calls };
}

/** The reconciler keeps at most one timer: the test holds it and fires it by hand after moving time on. */
function handTimer() {
  let now = 1_000;
  let timer: (() => void) | null = null;
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (fn) => ((timer = fn), 1),
    clearTimeout: () => (timer = null),
  };
  return {
    scheduler,
    armed: () => timer !== null,
    advance(ms: number) {
      now += ms;
      const fire = timer;
      timer = null;
      fire?.();
    },
  };
}

const msg = (id: string, author: string, text: string): ChatMessage => ({
  id,
  platform: 'whatnot',
  author: { name: author, badges: [] },
  text,
  capturedAt: '2026-01-01T00:00:00.000Z',
  backfill: false,
});

describe('MessageMerger', () => {
  it('passes DOM rows and deletions straight through when no network path reads chat', () => {
    const { sink, calls } = recordingSink();
    const merger = new MessageMerger(sink);
    expect(merger.reconciling).toBe(false);
    merger.rows([msg('p-0', 'Ann', 'hi'), msg('p-1', 'Ann', 'hi')], 'p');
    merger.deleted(['p-0']);
    merger.deleted(['p-0']);
    merger.rows([], 'p');
    expect(calls).toEqual([
      ['messages', ['p-0', 'p-1']],
      ['deleted', ['p-0']],
      ['deleted', ['p-0']],
    ]);
    expect(merger.describe()).toEqual({});
  });

  it('delivers each message once when both paths capture it, network first', () => {
    const clock = handTimer();
    const { sink, calls } = recordingSink();
    const merger = new MessageMerger(sink, { reconcile: { scheduler: clock.scheduler, holdMs: 1_000 } });
    expect(merger.network([msg('n1', 'Ann', 'sold'), msg('n2', 'Bob', 'hi')])).toBe(2);
    // The DOM rows of the same chat (no ids: positions), and one the network never carried.
    merger.rows([msg('p-0', 'ann', 'SOLD'), msg('p-1', 'Bob', 'hi'), msg('p-2', 'Cat', 'only on the page')], 'p');
    expect(calls).toEqual([['messages', ['n1', 'n2']]]);
    clock.advance(1_000);
    expect(calls).toEqual([
      ['messages', ['n1', 'n2']],
      ['messages', ['p-2']],
    ]);
    // A late network twin of a row the DOM delivered is not delivered again.
    expect(merger.network([msg('n3', 'Cat', 'only on the page')])).toBe(0);
    expect(calls).toHaveLength(2);
    expect(merger.describe()).toMatchObject({ messages: 2, networkSuppressed: 1, domDelivered: 1, domDropped: 2 });
  });

  it('reports a deletion once, under the id the message went out with, whichever path names it', () => {
    const clock = handTimer();
    const { sink, calls } = recordingSink();
    const merger = new MessageMerger(sink, { reconcile: { scheduler: clock.scheduler } });
    merger.network([msg('n1', 'Ann', 'bad words')]);
    merger.rows([msg('p-0', 'Ann', 'bad words')], 'p');
    merger.deleted(['p-0']);
    merger.deleted(['n1']);
    expect(calls).toEqual([
      ['messages', ['n1']],
      ['deleted', ['n1']],
    ]);
  });

  it('runs the hook before network messages reach the sink, and not for messages it drops', () => {
    const clock = handTimer();
    const { sink, calls } = recordingSink();
    const merger = new MessageMerger(sink, { reconcile: { scheduler: clock.scheduler } });
    let hooked = 0;
    const hook = () => {
      hooked++;
      merger.status('live');
    };
    merger.network([msg('n1', 'Ann', 'hi')], hook);
    // The socket was quiet, so the DOM row goes at once; its network twin then comes too late.
    clock.advance(60_000);
    merger.rows([msg('p-0', 'Bob', 'page first')], 'p');
    expect(merger.network([msg('n2', 'Bob', 'page first')], hook)).toBe(0);
    expect(hooked).toBe(1);
    expect(calls).toEqual([
      ['status', ['live', undefined]],
      ['messages', ['n1']],
      ['messages', ['p-0']],
    ]);
  });

  it('hands nothing to the sink once closed, not even rows it was holding back', () => {
    const clock = handTimer();
    const { sink, calls } = recordingSink();
    const merger = new MessageMerger(sink, { reconcile: { scheduler: clock.scheduler, holdMs: 1_000 } });
    merger.network([msg('n1', 'Ann', 'warm up')]);
    merger.rows([msg('p-0', 'Bob', 'held')], 'p');
    merger.show('show-1');
    merger.close();
    expect(clock.armed()).toBe(false);
    clock.advance(5_000);
    merger.network([msg('n2', 'Cat', 'late')]);
    merger.rows([msg('p-1', 'Dan', 'late')], 'p');
    merger.deleted(['n1']);
    merger.status('ended');
    merger.show('show-2');
    expect(calls).toEqual([
      ['messages', ['n1']],
      ['show', 'show-1'],
    ]);
  });
});
