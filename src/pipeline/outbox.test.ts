import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChatMessage } from '../domain/message.ts';
import { silentLogger } from '../log.ts';
import { Outbox } from './outbox.ts';

function message(id: string): ChatMessage {
  return { id, platform: 'generic', author: { name: 'a', badges: [] }, text: `text ${id}`, capturedAt: '2026-01-01T00:00:00.000Z', backfill: false };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-outbox-'));
}

const logger = silentLogger();

describe('outbox journal', () => {
  test('what was appended survives a reopen until it is acked', async () => {
    const dir = tempDir();
    const first = await Outbox.open(dir, { logger });
    const a = first.append({ kind: 'messages', sessionId: 's', messages: [message('1'), message('2')] });
    first.append({ kind: 'deleted', sessionId: 's', messageIds: ['1'] });
    await first.flushed();
    // No close: the process "dies" here; what flushed() promised is on disk.
    const second = await Outbox.open(dir, { logger });
    expect([...second.pending()].map((e) => e.kind)).toEqual(['messages', 'deleted']);
    expect(second.size).toEqual({ entries: 2, messages: 2 });
    second.ack([a.seq]);
    await second.close();
    // Closing compacts: only what is still pending is left in the journal.
    expect(fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);

    const third = await Outbox.open(dir, { logger });
    expect([...third.pending()].map((e) => e.kind)).toEqual(['deleted']);
    // Sequence numbers keep rising across restarts, so an old ack never hits a new entry.
    expect(third.append({ kind: 'deleted', sessionId: 's', messageIds: ['2'] }).seq).toBeGreaterThan(a.seq + 1);
    await third.close();
  });

  test('skips a line torn by a crash mid-write and keeps the rest', async () => {
    const dir = tempDir();
    const outbox = await Outbox.open(dir, { logger });
    outbox.append({ kind: 'messages', sessionId: 's', messages: [message('1')] });
    await outbox.close();
    fs.appendFileSync(path.join(dir, 'journal.jsonl'), '{"op":"add","entry":{"seq":99,"kind":"mess');
    const reopened = await Outbox.open(dir, { logger });
    expect([...reopened.pending()].map((e) => e.seq)).toEqual([1]);
    reopened.append({ kind: 'messages', sessionId: 's', messages: [message('2')] });
    await reopened.close();
    const again = await Outbox.open(dir, { logger });
    expect(again.size).toEqual({ entries: 2, messages: 2 });
    await again.close();
  });

  test('compacts the journal so its size follows the backlog, not the history', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    const outbox = await Outbox.open(dir, { logger, compactAfterBytes: 20_000 });
    for (let i = 0; i < 300; i++) {
      const entry = outbox.append({ kind: 'messages', sessionId: 's', messages: [message(String(i))] });
      await outbox.flushed();
      if (i < 299) outbox.ack([entry.seq]);
    }
    await outbox.flushed();
    expect(fs.statSync(file).size).toBeLessThan(30_000);
    await outbox.close();
    const reopened = await Outbox.open(dir, { logger });
    expect([...reopened.pending()].map((e) => (e.kind === 'messages' ? e.messages[0]!.id : ''))).toEqual(['299']);
    await reopened.close();
  });
});
