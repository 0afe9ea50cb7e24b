/** `earshot replay`: a chat log through the same classify-and-store path, one JSON line out per line in. */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runReplay } from '../src/replay.ts';
import { PGLITE_TEMPLATE_DIR, tempDir } from './support/backend.ts';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

async function replay(lines: string[], args: string[] = []): Promise<{ code: number; out: string[]; err: string }> {
  const file = path.join(tempDir('earshot-replay-in-'), 'chat.jsonl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const out = new Collect();
  const err = new Collect();
  const code = await runReplay([file, ...args], out, err, { env: { PGLITE_TEMPLATE_DIR } });
  return { code, out: out.text.split('\n').filter(Boolean), err: err.text };
}

describe('earshot replay', () => {
  test('prints one line per input line, in order, with intent, confidence and buyer; bad lines get an error code', async () => {
    const { code, out, err } = await replay([
      JSON.stringify({ author: 'ann', text: 'SOLD A1 size 30', sentAt: '2026-01-01T20:00:00Z' }),
      JSON.stringify({ author: 'bob', text: 'is that sold?' }),
      '{"author": "cy", "text": ',
      JSON.stringify({ author: { name: 'dee' }, text: 'love this!!' }),
      '',
      JSON.stringify({ text: 42 }),
      JSON.stringify({ username: 'eve', message: 'dibs on B7' }),
      // A live-shopping show: claims have something to claim (issue 16: no buyer without an offer).
    ], ['--platform', 'whatnot']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const rows = out.map((l) => JSON.parse(l));
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.id)).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5', 'line-6', 'line-7']);
    expect(rows[0]).toMatchObject({ author: 'ann', text: 'SOLD A1 size 30', intent: 'purchase', buyer: { username: 'ann', message: 'SOLD A1 size 30' } });
    expect(rows[0].confidence).toBeGreaterThanOrEqual(0.7);
    expect(rows[1]).toMatchObject({ author: 'bob', intent: 'question' });
    expect(rows[1].buyer).toBeUndefined();
    expect(rows[2]).toEqual({ id: 'line-3', line: 3, error: { code: 'invalid_json', message: 'Line is not valid JSON' } });
    expect(rows[3]).toMatchObject({ author: 'dee', text: 'love this!!', intent: 'other' });
    expect(rows[4].error.code).toBe('empty_line');
    expect(rows[5].error.code).toBe('invalid_line');
    expect(rows[6]).toMatchObject({ author: 'eve', intent: 'purchase' });
  });

  test('refuses bad arguments with a usage message, and missing --kb documents', async () => {
    const out = new Collect();
    const err = new Collect();
    expect(await runReplay([], out, err)).toBe(64);
    expect(err.text).toMatch(/Missing <chat.jsonl>/);
    expect(await runReplay(['a.jsonl', '--platform', 'myspace'], out, err)).toBe(64);
    expect(await runReplay(['/no/such/file.jsonl'], out, err, { env: {} })).toBe(66);
    expect(await runReplay(['x.jsonl', '--kb', 'faq.md'], out, err, { env: {} })).toBe(66);
  });
});
