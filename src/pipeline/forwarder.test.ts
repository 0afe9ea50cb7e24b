import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IngestResult } from '../backend/types.ts';
import type { SessionEventBody } from '../domain/events.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { backoffDelay, bisect, classifyFailure, Forwarder, publicReason, REASON_MAX, sessionFallbacks, type ForwarderOptions } from './forwarder.ts';
import { Outbox } from './outbox.ts';
import { settleLot } from '../../supabase/functions/_shared/ledger/corrections.ts';
import { applyMessages, emptyLedger } from '../../supabase/functions/_shared/ledger/rules.ts';
import { sessionInfo } from '../../test/support/builders.ts';

const logger = silentLogger();
let n = 0;

function message(text = 'hello'): ChatMessage {
  n++;
  return { id: `m${n}`, platform: 'generic', author: { name: `u${n}`, badges: [] }, text, capturedAt: new Date().toISOString(), backfill: false };
}

function ok(messages: ChatMessage[]): IngestResult[] {
  return messages.map((m) => ({ messageId: m.id, stored: true, intent: 'other', confidence: 0.1 }));
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Calls {
  ingest: Array<{ sessionId: string; ids: string[] }>;
  deleted: Array<{ sessionId: string; ids: string[] }>;
  sessions: string[];
  order: string[];
  published: Array<{ sessionId: string; body: SessionEventBody }>;
}

interface FakeBackend {
  ingest?: (sessionId: string, messages: ChatMessage[]) => Promise<IngestResult[]>;
  markDeleted?: (sessionId: string, ids: string[]) => Promise<void>;
  upsertSession?: (info: SessionInfo) => Promise<void>;
  /** Reuse this folder (a restart over the same outbox and dead-letter file). */
  dir?: string;
  /** Entries in the outbox before the forwarder starts (a previous run's backlog). */
  before?: (outbox: Outbox) => void;
}

async function setup(
  overrides: Partial<ForwarderOptions> & FakeBackend = {},
): Promise<{ forwarder: Forwarder; calls: Calls; dir: string; outbox: Outbox }> {
  const dir = overrides.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-fwd-'));
  const calls: Calls = { ingest: [], deleted: [], sessions: [], order: [], published: [] };
  const outbox = await Outbox.open(path.join(dir, 'outbox'), { logger });
  overrides.before?.(outbox);
  const forwarder = new Forwarder({
    backend: {
      ingest: async (sessionId, messages) => {
        calls.ingest.push({ sessionId, ids: messages.map((m) => m.id) });
        calls.order.push(`ingest:${messages.map((m) => m.id).join(',')}`);
        return overrides.ingest ? overrides.ingest(sessionId, messages) : ok(messages);
      },
      markDeleted: async (sessionId, ids) => {
        calls.deleted.push({ sessionId, ids });
        calls.order.push(`deleted:${ids.join(',')}`);
        await overrides.markDeleted?.(sessionId, ids);
      },
      upsertSession: async (info) => {
        calls.sessions.push(`${info.sessionId}:${info.status}`);
        await overrides.upsertSession?.(info);
      },
    },
    outbox,
    publisher: { publish: (sessionId, body) => calls.published.push({ sessionId, body }) },
    logger,
    batchSize: 3,
    batchDelayMs: 10_000,
    deadLetterFile: path.join(dir, 'dead-letter.jsonl'),
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
  forwarder.start();
  return { forwarder, calls, dir, outbox };
}

describe('forwarder', () => {
  test('sends full batches at once and the rest when the delay is up', async () => {
    const { forwarder, calls } = await setup({ batchDelayMs: 200 });
    const messages = Array.from({ length: 7 }, () => message());
    for (const m of messages) forwarder.accept('s', [m]);
    await until(() => calls.ingest.length === 3);
    expect(calls.ingest.map((c) => c.ids.length)).toEqual([3, 3, 1]);
    expect(calls.ingest.flatMap((c) => c.ids)).toEqual(messages.map((m) => m.id));
    expect(forwarder.backlog()).toMatchObject({ messages: 0, entries: 0, delivered: 7 });
    await forwarder.close();
  });

  test('delivers what is accepted right after start (regression: lost wake-up while the first loop ended)', async () => {
    const { forwarder, calls } = await setup({ batchSize: 2 });
    // start() again and accept in the same tick: the empty first loop has not finished yet.
    await until(() => true);
    forwarder.start();
    forwarder.accept('s', [message(), message()]);
    await until(() => calls.ingest.length === 1);
    await forwarder.close();
  });

  test('flush sends a partial batch without waiting for the delay', async () => {
    const { forwarder, calls } = await setup();
    forwarder.accept('s', [message(), message()]);
    expect(await forwarder.flush(2_000)).toBe(true);
    expect(calls.ingest.map((c) => c.ids.length)).toEqual([2]);
    await forwarder.close();
  });

  test('publishes buyer_detected and answer events from the results', async () => {
    const { forwarder, calls } = await setup({
      ingest: async (_s, messages) => [
        { messageId: messages[0]!.id, stored: true, intent: 'purchase', confidence: 0.9, buyer: { username: 'ann', message: 'sold', confidence: 0.9 } },
        {
          messageId: messages[1]!.id,
          stored: true,
          intent: 'question',
          confidence: 0.8,
          answer: { question: 'ship?', answer: 'Yes', status: 'suggested', sources: [] },
        },
      ],
    });
    const [buyer, question] = [message('sold'), message('ship?')];
    forwarder.accept('s', [buyer, question]);
    await forwarder.flush(2_000);
    expect(calls.published).toEqual([
      { sessionId: 's', body: { type: 'buyer_detected', messageId: buyer.id, buyer: { username: 'ann', message: 'sold', confidence: 0.9 } } },
      { sessionId: 's', body: { type: 'answer', messageId: question.id, question: 'ship?', answer: 'Yes', status: 'suggested', sources: [] } },
    ]);
    await forwarder.close();
  });

  test('a show that stops or ends settles its lots after its last batch, once, and announces them with the counts', async () => {
    const shown = applyMessages(emptyLedger(), [
      { id: 'h1', author: 'host', text: 'A1 mug $10, A2 cup $7', at: new Date().toISOString(), host: true },
      { id: 'v1', author: 'amy', text: 'A1 pls', at: new Date().toISOString(), host: false },
    ]).state;
    let lots = shown.lots;
    const order: string[] = [];
    const { forwarder, calls } = await setup({
      batchDelayMs: 0,
      backend: {
        ingest: async (_s, messages) => {
          order.push('ingest');
          return ok(messages);
        },
        markDeleted: async () => undefined,
        upsertSession: async (info) => {
          order.push(`session:${info.status}`);
        },
        settleLots: async () => {
          order.push('settle');
          const closed = lots.map((l) => settleLot(l, new Date().toISOString())?.lot).filter((l) => l !== undefined);
          lots = lots.map((l) => closed.find((c) => c.code === l.code) ?? l);
          return closed;
        },
        listLots: async () => lots,
        listInterested: async () => [],
      },
    });
    forwarder.accept('s', [message('A1 pls')]);
    forwarder.sessionChanged({ sessionId: 's', status: 'live' } as SessionInfo);
    forwarder.sessionChanged({ sessionId: 's', status: 'stopped' } as SessionInfo);
    forwarder.sessionChanged({ sessionId: 's', status: 'ended' } as SessionInfo);
    await forwarder.flush(2_000);
    expect(order).toEqual(['ingest', 'session:live', 'session:stopped', 'settle', 'session:ended', 'settle']);
    const updates = calls.published.filter((p) => p.body.type === 'lot_update').map((p) => p.body as Extract<SessionEventBody, { type: 'lot_update' }>);
    expect(updates.map((u) => [u.lot.code, u.lot.status])).toEqual([
      ['A1', 'sold'],
      ['A2', 'unsold'],
    ]);
    expect(updates[0]!.summary).toMatchObject({ sold: 1, pending: 0, buyers: 1, revenueCents: 1000, interested: 0 });
    await forwarder.close();
  });

  test('retries a failing backend with backoff and loses nothing', async () => {
    let failures = 3;
    const { forwarder, calls } = await setup({
      batchDelayMs: 0,
      ingest: async (_s, messages) => {
        if (failures-- > 0) throw new EarshotError('backend_unavailable', 'down');
        return ok(messages);
      },
    });
    const m = message();
    forwarder.accept('s', [m]);
    await until(() => forwarder.backlog().consecutiveFailures === 3);
    expect(forwarder.backlog()).toMatchObject({ messages: 1, lastError: 'down' });
    await until(() => forwarder.backlog().messages === 0);
    expect(calls.ingest.map((c) => c.ids)).toEqual([[m.id], [m.id], [m.id], [m.id]]);
    expect(forwarder.backlog().consecutiveFailures).toBe(0);
    await forwarder.close();
  });

  test('dead-letters a batch the backend rejects for good, with the reason, and moves on', async () => {
    const { forwarder, dir } = await setup({
      batchDelayMs: 0,
      ingest: async (_s, messages) => {
        if (messages.some((m) => m.text === 'poison')) throw new EarshotError('backend_rejected', 'Supabase function answered 400: bad');
        return ok(messages);
      },
    });
    const poison = message('poison');
    forwarder.accept('s', [poison]);
    await until(() => forwarder.backlog().entries === 0);
    forwarder.accept('s', [message('fine')]);
    await until(() => forwarder.backlog().delivered === 1);
    const letters = fs.readFileSync(path.join(dir, 'dead-letter.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(letters).toEqual([
      expect.objectContaining({ reason: 'Supabase function answered 400: bad', code: 'backend_rejected', item: { kind: 'messages', sessionId: 's', messages: [poison] } }),
    ]);
    expect(forwarder.backlog().deadLettered).toBe(1);
    await forwarder.close();
  });

  test('dead-letters single messages the backend refused inside an accepted batch', async () => {
    const { forwarder, dir } = await setup({
      batchDelayMs: 0,
      ingest: async (_s, messages) =>
        messages.map((m) =>
          m.text === 'bad'
            ? { messageId: m.id, stored: false, intent: 'other' as const, confidence: 0, error: { code: 'invalid_message' as const, message: 'capturedAt: invalid' } }
            : { messageId: m.id, stored: true, intent: 'other' as const, confidence: 0 },
        ),
    });
    const bad = message('bad');
    forwarder.accept('s', [message('good'), bad]);
    await until(() => forwarder.backlog().entries === 0 && fs.existsSync(path.join(dir, 'dead-letter.jsonl')));
    const letters = fs.readFileSync(path.join(dir, 'dead-letter.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(letters).toEqual([expect.objectContaining({ reason: 'capturedAt: invalid', item: { kind: 'messages', sessionId: 's', messages: [bad] } })]);
    await forwarder.close();
  });

  test('a deletion never overtakes the message it deletes; sessions are forwarded too', async () => {
    const { forwarder, calls } = await setup({ batchDelayMs: 50 });
    const m = message();
    forwarder.sessionChanged({ sessionId: 's', status: 'live' } as SessionInfo);
    forwarder.accept('s', [m]);
    forwarder.deleted('s', [m.id]);
    await until(() => calls.deleted.length === 1);
    expect(calls.order).toEqual([`ingest:${m.id}`, `deleted:${m.id}`]);
    expect(calls.sessions).toEqual(['s:live']);
    await forwarder.close();
  });

  test('backoff grows exponentially, stays under the cap and is jittered', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200]);
  });
});

/** A backend that refuses, as PostgreSQL does, any text holding a NUL or a lone surrogate. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const refused = (): EarshotError => new EarshotError('backend_rejected', 'invalid input syntax for type json', { code: '22P02' });
const poisoned = (...texts: Array<string | undefined>): boolean =>
  texts.some((t) => t !== undefined && (t.includes('\u0000') || LONE_SURROGATE.test(t)));

function strictIngest(messages: ChatMessage[]): Promise<IngestResult[]> {
  if (messages.some((m) => poisoned(m.text, m.author.name))) return Promise.reject(refused());
  return Promise.resolve(ok(messages));
}

function letters(dir: string): Array<{ reason: string; code: string; item: { kind: string; sessionId: string; messages?: ChatMessage[]; messageIds?: string[] } }> {
  const file = path.join(dir, 'dead-letter.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

const info = sessionInfo;

describe('forwarder and poison', () => {
  test('classifies refusals of the data as invalid and the way there as transient', () => {
    expect(classifyFailure(new EarshotError('backend_rejected', 'Supabase function answered 400'))).toBe('invalid');
    expect(classifyFailure(new EarshotError('invalid_body', 'bad'))).toBe('invalid');
    // A raw PostgreSQL error that crossed a thread unmapped: SQLSTATE 22 data exception, 23 integrity.
    expect(classifyFailure(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }))).toBe('invalid');
    expect(classifyFailure(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe('invalid');
    expect(classifyFailure(Object.assign(new Error('violates check constraint'), { code: '23514' }))).toBe('invalid');
    expect(classifyFailure(new EarshotError('backend_unavailable', 'Supabase function answered 503'))).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe('transient');
    expect(classifyFailure(new TypeError('x is undefined'))).toBe('transient');
  });

  test('a public reason keeps the why and drops the quoted value, within its cap', () => {
    expect(publicReason('date/time field value out of range: "sold to \\"ann\\" 0000-01-01"')).toBe('date/time field value out of range: "…"');
    expect(publicReason('invalid input syntax for type json')).toBe('invalid input syntax for type json');
    expect(publicReason('x'.repeat(1_000))).toHaveLength(REASON_MAX);
  });

  test('bisect isolates the one refused item of 100 in order, and throws a transient failure whole', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const sent: number[][] = [];
    const result = await bisect(items, async (part) => {
      sent.push(part);
      if (part.includes(41)) throw refused();
      return part.map((i) => `ok ${i}`);
    });
    expect(result.refused.map((r) => r.item)).toEqual([41]);
    expect(result.results).toEqual(items.filter((i) => i !== 41).map((i) => `ok ${i}`));
    // One bad item costs about two requests per halving, not one per item.
    expect(sent.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(100)) + 1);
    await expect(
      bisect(items, async (part) => {
        if (part.length < 100) throw new EarshotError('backend_unavailable', 'down');
        throw refused();
      }),
    ).rejects.toMatchObject({ code: 'backend_unavailable' });
  });

  test('a session update is scrubbed, then reduced to its identity; the id is never changed', () => {
    const original = info('s', { sellers: ['x\u0000y', 'ok'], detail: 'half \ud800', ownerId: '00000000-0000-4000-8000-000000000001' });
    const [scrubbed, identity] = sessionFallbacks(original);
    expect(scrubbed).toEqual({ session: { ...original, sellers: ['xy', 'ok'], detail: 'half \ufffd' }, dropped: [] });
    expect(identity!.dropped).toEqual(['detail', 'sellers']);
    expect(identity!.session).toEqual({ ...original, sellers: undefined, detail: undefined, platformShowId: undefined });
    expect('sellers' in identity!.session).toBe(false);
    // Nothing to scrub: the identity is the one fallback; nothing to drop either: none at all.
    expect(sessionFallbacks(info('s', { sellers: ['hannah'] })).map((f) => f.dropped)).toEqual([['sellers']]);
    expect(sessionFallbacks(info('s'))).toEqual([]);
    expect(sessionFallbacks(info('s\u0000')).every((f) => f.session.sessionId === 's\u0000')).toBe(true);
  });

  test('a batch with one bad message among 100 stores 99 and dead-letters the one, with its reason', async () => {
    const stored: string[] = [];
    const { forwarder, dir } = await setup({
      batchSize: 100,
      batchDelayMs: 0,
      ingest: async (_s, messages) => {
        const results = await strictIngest(messages);
        stored.push(...messages.map((m) => m.id));
        return results;
      },
    });
    const batch = Array.from({ length: 100 }, (_, i) => message(i === 63 ? 'half an emoji \ud83d' : `chat ${i}`));
    forwarder.accept('s', batch);
    await until(() => forwarder.backlog().entries === 0);
    expect(stored).toEqual(batch.filter((_, i) => i !== 63).map((m) => m.id));
    expect(letters(dir)).toEqual([
      expect.objectContaining({ code: 'backend_rejected', reason: 'invalid input syntax for type json', item: { kind: 'messages', sessionId: 's', messages: [batch[63]] } }),
    ]);
    expect(forwarder.backlog()).toMatchObject({
      delivered: 99,
      deadLettered: 1,
      lastDeadLetter: { sessionId: 's', code: 'backend_rejected', reason: 'invalid input syntax for type json' },
    });
    expect(forwarder.sessionReport('s')).toMatchObject({ deadLettered: 1, lastDeadLetter: { reason: 'invalid input syntax for type json' } });
    expect(forwarder.sessionReport('other')).toBeUndefined();
    await forwarder.close();
  });

  test('a poisoned entry first in the outbox holds back nothing, and a restart keeps it so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-fwd-'));
    const bad = message('half an emoji \ud83d');
    const others = { a: [message('a1'), message('a2')], b: [message('b1')] };
    const same = message('after the poison');
    const stored = new Map<string, string[]>();
    const sessions: SessionInfo[] = [];
    const backend: FakeBackend = {
      ingest: async (sessionId, messages) => {
        const results = await strictIngest(messages);
        stored.set(sessionId, [...(stored.get(sessionId) ?? []), ...messages.map((m) => m.id)]);
        return results;
      },
      upsertSession: async (session) => {
        if (poisoned(...(session.sellers ?? []))) throw refused();
        sessions.push(session);
      },
    };
    // As a raw journal would hold them, bypassing every sanitizer: the poison first.
    const first = await setup({
      ...backend,
      dir,
      batchDelayMs: 0,
      before: (outbox) => {
        outbox.append({ kind: 'session', sessionId: 'p', session: info('p', { sellers: ['x\u0000y'] }) });
        outbox.append({ kind: 'messages', sessionId: 'p', messages: [bad] });
        outbox.append({ kind: 'messages', sessionId: 'a', messages: others.a });
        outbox.append({ kind: 'messages', sessionId: 'p', messages: [same] });
        outbox.append({ kind: 'messages', sessionId: 'b', messages: others.b });
      },
    });
    await until(() => first.forwarder.backlog().entries === 0);
    expect(stored.get('a')).toEqual(others.a.map((m) => m.id));
    expect(stored.get('b')).toEqual(others.b.map((m) => m.id));
    expect(stored.get('p')).toEqual([same.id]);
    // The refused session update was stored scrubbed, before the show's messages.
    expect(sessions).toEqual([expect.objectContaining({ sessionId: 'p', sellers: ['xy'] })]);
    expect(letters(dir).map((l) => l.item)).toEqual([{ kind: 'messages', sessionId: 'p', messages: [bad] }]);
    await first.forwarder.close();

    // A restart over the same outbox: nothing is sent again, nothing more is dead-lettered.
    stored.clear();
    const second = await setup({ ...backend, dir, batchDelayMs: 0 });
    const later = message('later');
    second.forwarder.accept('a', [later]);
    await until(() => second.forwarder.backlog().delivered === 1);
    expect([...stored]).toEqual([['a', [later.id]]]);
    expect(letters(dir)).toHaveLength(1);
    await second.forwarder.close();
  });

  test('a session update refused in every form is dead-lettered and the show is still stored', async () => {
    const { forwarder, calls, dir } = await setup({
      batchDelayMs: 0,
      upsertSession: async () => {
        throw refused();
      },
    });
    forwarder.sessionChanged(info('s', { sellers: ['hannah'] }));
    const m = message();
    forwarder.accept('s', [m]);
    await until(() => forwarder.backlog().entries === 0);
    expect(calls.sessions).toHaveLength(2); // as sent, then its identity alone
    expect(calls.ingest.map((c) => c.ids)).toEqual([[m.id]]);
    expect(letters(dir)).toEqual([expect.objectContaining({ code: 'backend_rejected', item: expect.objectContaining({ kind: 'session', sessionId: 's' }) })]);
    await forwarder.close();
  });

  test('a deletion with one refused id deletes the others and dead-letters that id', async () => {
    const deleted: string[] = [];
    const { forwarder, dir } = await setup({
      batchDelayMs: 0,
      markDeleted: async (_s, ids) => {
        if (ids.some((id) => poisoned(id))) throw refused();
        deleted.push(...ids);
      },
    });
    forwarder.deleted('s', ['d1', 'd\u0000', 'd3', 'd4']);
    await until(() => forwarder.backlog().entries === 0);
    expect(deleted).toEqual(['d1', 'd3', 'd4']);
    expect(letters(dir).map((l) => l.item)).toEqual([{ kind: 'deleted', sessionId: 's', messageIds: ['d\u0000'] }]);
    await forwarder.close();
  });

  test('a show whose delivery keeps failing waits alone: other shows go on, its own order holds', async () => {
    let brokenShow = true;
    const { forwarder, calls } = await setup({
      batchDelayMs: 0,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
      // Not a refusal of the data (an unknown failure): retried, never dead-lettered.
      ingest: async (sessionId, messages) => {
        if (sessionId === 'broken' && brokenShow) throw new Error('lot ledger bug');
        return ok(messages);
      },
    });
    const head = message('first of the broken show');
    forwarder.accept('broken', [head]);
    forwarder.deleted('broken', [head.id]);
    const fine = Array.from({ length: 5 }, () => message());
    for (const m of fine) forwarder.accept('fine', [m]);
    await until(() => forwarder.backlog().delivered === 5);
    expect(calls.ingest.filter((c) => c.sessionId === 'fine').flatMap((c) => c.ids)).toEqual(fine.map((m) => m.id));
    // The deletion of the broken show waits behind its message.
    expect(calls.deleted).toEqual([]);
    await until(() => forwarder.backlog().parkedShows === 1);
    brokenShow = false;
    await until(() => calls.deleted.length === 1);
    const order = calls.order.filter((o) => o.endsWith(head.id));
    expect(order.slice(-2)).toEqual([`ingest:${head.id}`, `deleted:${head.id}`]);
    expect(forwarder.backlog()).toMatchObject({ entries: 0, consecutiveFailures: 0, deadLettered: 0 });
    await forwarder.close();
  });

  test('a refused message whose dead letter cannot be written stays in the outbox, and its show waits alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-fwd-'));
    const deadLetterFile = path.join(dir, 'dead-letter.jsonl');
    fs.mkdirSync(deadLetterFile); // a folder where the file should be: every append fails
    const stored: string[] = [];
    const { forwarder } = await setup({
      dir,
      deadLetterFile,
      batchDelayMs: 0,
      ingest: async (_s, messages) => {
        const results = await strictIngest(messages);
        stored.push(...messages.map((m) => m.text));
        return results;
      },
    });
    const bad = message('half \ud83d');
    forwarder.accept('p', [bad]);
    forwarder.accept('q', [message('fine')]);
    await until(() => stored.includes('fine') && forwarder.backlog().parkedShows === 1);
    expect(forwarder.backlog()).toMatchObject({ entries: 1, messages: 1, deadLettered: 0 });
    fs.rmdirSync(deadLetterFile);
    await until(() => forwarder.backlog().entries === 0);
    expect(letters(dir).map((l) => l.item)).toEqual([{ kind: 'messages', sessionId: 'p', messages: [bad] }]);
    await forwarder.close();
  });

  test('when two shows fail in a row the backend is down: everything backs off together', async () => {
    const { forwarder, calls } = await setup({
      batchDelayMs: 0,
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      ingest: async () => {
        throw new EarshotError('backend_unavailable', 'connect ECONNREFUSED');
      },
    });
    forwarder.accept('a', [message()]);
    forwarder.accept('b', [message()]);
    forwarder.accept('c', [message()]);
    await until(() => forwarder.backlog().consecutiveFailures === 2);
    expect(calls.ingest.map((c) => c.sessionId)).toEqual(['a', 'b']);
    // A new show's message joins the wait instead of knocking on a backend that is down.
    forwarder.accept('d', [message()]);
    expect(calls.ingest).toHaveLength(2);
    expect(await forwarder.flush(1_000)).toBe(false);
    expect(calls.ingest).toHaveLength(2);
    expect(forwarder.backlog()).toMatchObject({ messages: 4, deadLettered: 0 });
    await forwarder.close();
  });
});
