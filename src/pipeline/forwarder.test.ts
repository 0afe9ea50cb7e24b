import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IngestResult } from '../backend/types.ts';
import type { SessionEventBody } from '../domain/events.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { backoffDelay, Forwarder, type ForwarderOptions } from './forwarder.ts';
import { Outbox } from './outbox.ts';
import { settleLot } from '../../supabase/functions/_shared/ledger/corrections.ts';
import { applyMessages, emptyLedger } from '../../supabase/functions/_shared/ledger/rules.ts';

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

async function setup(
  overrides: Partial<ForwarderOptions> & { ingest?: (sessionId: string, messages: ChatMessage[]) => Promise<IngestResult[]> } = {},
): Promise<{ forwarder: Forwarder; calls: Calls; dir: string; outbox: Outbox }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-fwd-'));
  const calls: Calls = { ingest: [], deleted: [], sessions: [], order: [], published: [] };
  const outbox = await Outbox.open(path.join(dir, 'outbox'), { logger });
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
      },
      upsertSession: async (info) => {
        calls.sessions.push(`${info.sessionId}:${info.status}`);
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
