/** `earshot replay --kb`: documents (Markdown, a hand-made PDF) loaded first, then questions answered from them. */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runReplay } from '../src/replay.ts';
import { PGLITE_TEMPLATE_DIR, tempDir } from './support/backend.ts';
import { makePdf } from './support/pdf.ts';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

test('earshot replay --kb answers the log\'s questions from the loaded documents, and only those it can', async () => {
  const dir = tempDir('earshot-kb-replay-');
  const faq = path.join(dir, 'faq.md');
  fs.writeFileSync(faq, '# FAQ\n\n## Shipping\n\nWe ship to the US and Canada within 2 business days.\n\n## Returns\n\nReturns are accepted within 30 days.\n');
  const sizing = path.join(dir, 'sizing.pdf');
  fs.writeFileSync(sizing, makePdf([['Sizing', 'Our vintage jeans run small, so size up one.']]));
  const log = path.join(dir, 'chat.jsonl');
  const lines = [
    { author: 'ann', text: 'do you ship to Canada?' },
    { author: 'bob', text: '@earshot do the jeans run small?' },
    { author: 'cy', text: "what's your favorite color?" },
    { author: 'dee', text: 'SOLD A1 size 30' },
  ];
  fs.writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);

  const out = new Collect();
  const err = new Collect();
  // A live-shopping show, so the claim has something on offer (issue 16: no buyer without an offer).
  const code = await runReplay([log, '--kb', faq, '--kb', sizing, '--platform', 'whatnot'], out, err, { env: { PGLITE_TEMPLATE_DIR } });
  expect(err.text).toBe('');
  expect(code).toBe(0);
  const rows = out.text.trim().split('\n').map((l) => JSON.parse(l));
  expect(rows.map((r) => r.answer?.answer)).toEqual([
    expect.stringContaining('Canada'),
    expect.stringContaining('size up one'),
    undefined,
    undefined,
  ]);
  expect(rows[0].answer).toMatchObject({ question: 'do you ship to Canada?', status: 'suggested', sources: [expect.objectContaining({ title: 'faq.md' })] });
  expect(rows[1].answer.sources[0].title).toBe('sizing.pdf');
  expect(rows[3]).toMatchObject({ intent: 'purchase', buyer: { username: 'dee' } });

  // A document that is not text, PDF or Markdown stops the replay with a clear message.
  const bad = path.join(dir, 'photo.png');
  fs.writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const err2 = new Collect();
  expect(await runReplay([log, '--kb', bad], new Collect(), err2, { env: { PGLITE_TEMPLATE_DIR } })).toBe(70);
  expect(err2.text).toMatch(/Unsupported document type/);
});
