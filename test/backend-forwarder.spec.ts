/**
 * The way from capture to storage under failure: the backend is down for a while (one batch is even
 * stored but its answer lost), the service restarts in the middle, and afterwards every message is
 * stored exactly once and every buyer announced exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import type { Backend } from '../src/backend/types.ts';
import type { SessionEventBody } from '../src/domain/events.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { EarshotError } from '../src/errors.ts';
import { silentLogger } from '../src/log.ts';
import { Forwarder } from '../src/pipeline/forwarder.ts';
import { Outbox } from '../src/pipeline/outbox.ts';
import { chat, openEmbedded, tempDir } from './support/backend.ts';

const logger = silentLogger();

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Sink = Pick<Backend, 'ingest' | 'markDeleted' | 'upsertSession'>;

async function openForwarder(dataDir: string, backend: Sink, published: Array<{ sessionId: string; body: SessionEventBody }>) {
  return new Forwarder({
    backend,
    outbox: await Outbox.open(path.join(dataDir, 'outbox'), { logger }),
    publisher: { publish: (sessionId, body) => published.push({ sessionId, body }) },
    logger,
    batchSize: 25,
    batchDelayMs: 5,
    deadLetterFile: path.join(dataDir, 'dead-letter.jsonl'),
    retry: { initialDelayMs: 5, maxDelayMs: 40 },
  });
}

describe('forwarder with the embedded backend', () => {
  let backend: EmbeddedBackend;
  beforeAll(async () => {
    backend = await openEmbedded();
  });
  afterAll(async () => {
    await backend.close();
  });

  test('backend down for a while with a service restart in the middle still delivers every message exactly once', async () => {
    const dataDir = tempDir('earshot-forwarder-');
    const sessions = ['show-1', 'show-2'];
    const sent = new Map<string, ChatMessage[]>(sessions.map((s) => [s, []]));
    const buyers = new Set<string>();
    const capture = (sessionId: string, count: number) => {
      const batch = Array.from({ length: count }, (_, i) => {
        const claim = i % 7 === 0;
        const m = chat(claim ? `sold ${1 + (i % 3)} size M` : `chatter ${i} in ${sessionId}`, claim ? `buyer${i}` : `viewer${i}`);
        if (claim) buyers.add(m.id);
        return m;
      });
      sent.get(sessionId)!.push(...batch);
      return batch;
    };

    // Phase 1: the first request reaches the database but its answer is lost; then the backend is down.
    let attempts = 0;
    const published1: Array<{ sessionId: string; body: SessionEventBody }> = [];
    const down: Sink = {
      ingest: async (sessionId, messages) => {
        attempts++;
        if (attempts === 1) await backend.ingest(sessionId, messages);
        throw new EarshotError('backend_unavailable', 'connection refused');
      },
      markDeleted: async () => {
        throw new EarshotError('backend_unavailable', 'connection refused');
      },
      upsertSession: async () => {
        throw new EarshotError('backend_unavailable', 'connection refused');
      },
    };
    const first = await openForwarder(dataDir, down, published1);
    first.start();
    for (let round = 0; round < 4; round++) {
      for (const s of sessions) first.accept(s, capture(s, 30));
    }
    await first.durable();
    await until(() => attempts >= 4);
    expect(first.backlog().messages).toBe(240);
    expect(published1).toEqual([]);
    // The service stops while the backend is still down: nothing could be delivered.
    await first.close({ flushTimeoutMs: 100 });

    // Phase 2: the service starts again over the same DATA_DIR and the backend is back.
    const published2: Array<{ sessionId: string; body: SessionEventBody }> = [];
    const second = await openForwarder(dataDir, backend, published2);
    expect(second.backlog().messages).toBe(240);
    second.start();
    for (const s of sessions) second.accept(s, capture(s, 10));
    await until(() => second.backlog().entries === 0);
    await second.close();

    for (const s of sessions) {
      const rows = await backend.sql.query<{ message_key: string }>(
        'select message_key from public.chat_messages where stream_session_id = $1 order by id',
        [s],
      );
      const expected = sent.get(s)!.map((m) => m.id);
      expect(rows).toHaveLength(expected.length);
      expect(new Set(rows.map((r) => r.message_key))).toEqual(new Set(expected));
    }
    const announced = published2.filter((e) => e.body.type === 'buyer_detected').map((e) => (e.body as { messageId: string }).messageId);
    expect(announced.sort()).toEqual([...buyers].sort());
    const sales = await backend.sql.query<{ n: number }>(
      `select count(*)::int as n from public.sales_captured where stream_session_id = any ('{show-1,show-2}')`,
    );
    expect(sales[0]!.n).toBe(buyers.size);
    expect(fs.existsSync(path.join(dataDir, 'dead-letter.jsonl'))).toBe(false);
  });
});
