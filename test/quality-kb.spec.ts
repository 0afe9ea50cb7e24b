/**
 * Issue 16: knowledge-base answers a seller can trust, without an LLM (the extractive path), through the
 * real search on the embedded PGlite. Floors on hand-written policy pages and questions (test/fixtures/kb):
 * >= 95% right and no wrong answer; a burst of questions loses no answer (past the send rate they stay
 * suggestions), and `replay --kb` prints every one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import { runReplay } from '../src/replay.ts';
import { createKbHook, createKnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { evaluateKb, judgeKbAnswer, KB_SETS, readKbCases, type KbQuality } from '../bench/quality.ts';
import { chat, openEmbedded, PGLITE_TEMPLATE_DIR, tempDir } from './support/backend.ts';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

const wrongOnes = (q: KbQuality) => q.results.filter((r) => r.verdict === 'wrong').map((r) => `${r.question} -> ${r.answer}`);

describe('knowledge-base answers on sellers\' policy pages', () => {
  let backend: EmbeddedBackend;
  const results = new Map<string, KbQuality>();
  beforeAll(async () => {
    backend = await openEmbedded();
    // One database: each set loads the same sellers under the same owners (adding a page twice is a no-op).
    for (const file of KB_SETS) {
      const { dir, cases } = readKbCases(undefined, file);
      results.set(file, await evaluateKb(backend.sql, dir, cases));
    }
  });
  afterAll(async () => {
    await backend.close();
  });

  test('the sets hold >= 3 sellers and >= 40 questions, with off-topic, one-shared-word and injection questions', () => {
    const { cases } = readKbCases();
    expect(new Set(cases.map((c) => c.seller)).size).toBeGreaterThanOrEqual(3);
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.expect === 'none').length).toBeGreaterThanOrEqual(10);
    expect(cases.map((c) => c.question)).toEqual(expect.arrayContaining(['can you show the back?', 'do you ship to Australia?', 'what is your return policy']));
  });

  test.each(['questions.jsonl', 'questions-heldout.jsonl'])('%s: >= 95%% right and no wrong answer', (file) => {
    const q = results.get(file)!;
    expect(wrongOnes(q)).toEqual([]);
    expect(q.right / q.questions).toBeGreaterThanOrEqual(0.95);
  });

  test('questions-blind.jsonl (never used to change the answerer): no wrong answer, >= 85% right', () => {
    const q = results.get('questions-blind.jsonl')!;
    expect(wrongOnes(q)).toEqual([]);
    expect(q.right / q.questions).toBeGreaterThanOrEqual(0.85);
  });

  test('all sets together: >= 95% right', () => {
    const all = [...results.values()];
    const right = all.reduce((n, q) => n + q.right, 0);
    const total = all.reduce((n, q) => n + q.questions, 0);
    expect(right / total).toBeGreaterThanOrEqual(0.95);
  });

  test('the issue\'s three cases: the back is not shipping, the policy is not its title, Australia gets the "no"', () => {
    const main = results.get('questions.jsonl')!.results;
    const of = (q: string) => main.find((r) => r.question === q)!;
    expect(of('can you show the back?').answer).toBeNull();
    expect(of('what is your return policy').answer).toMatch(/returns within 14 days/);
    expect(of('do you ship to Australia?').answer).toContain('We do not ship outside the US and Canada');
  });

  test('the judge is not vacuous: an answer to everything, or to nothing, fails', () => {
    const { cases } = readKbCases();
    const always = cases.filter((c) => judgeKbAnswer(c, 'We ship to the US and Canada only.') === 'right').length;
    const never = cases.filter((c) => judgeKbAnswer(c, null) === 'right').length;
    expect(always / cases.length).toBeLessThan(0.2);
    expect(never / cases.length).toBeLessThan(0.5);
  });
});

describe('a burst of questions', () => {
  test('every question of a 15-question batch is answered; past the send rate the answers stay suggestions', async () => {
    const hook = createKbHook({ trigger: '@earshot', maxRepliesPerMinute: 3 });
    const backend = await openEmbedded({ answer: (sql, sessionId, questions) => hook(sql, sessionId, questions) });
    try {
      const kb = createKnowledgeBase(backend.sql);
      const dir = path.join(__dirname, 'fixtures', 'kb');
      const text = fs.readFileSync(path.join(dir, 'hannahs-vintage.md'), 'utf8');
      await kb.addDocument({ title: 'hannahs-vintage.md', sourceType: 'md', text, byteSize: text.length });
      await kb.putSettings('burst', { autoAnswer: true, delivery: 'send' });
      const asks = Array.from({ length: 15 }, (_, i) => chat(`do you ship to Canada? (${i + 1})`, `viewer${i}`));
      const results = await backend.ingest('burst', asks);
      const answers = results.map((r) => r.answer);
      expect(answers.every((a) => a !== undefined && a.answer.includes('Canada'))).toBe(true);
      const statuses = answers.map((a) => a!.status);
      expect(statuses.filter((s) => s === 'pending').length).toBeLessThanOrEqual(3);
      expect(statuses.filter((s) => s === 'suggested').length).toBeGreaterThanOrEqual(12);
    } finally {
      await backend.close();
    }
  });

  test('replay --kb prints an answer for every one of 14 questions in a row', async () => {
    const dir = tempDir('earshot-quality-kb-');
    const log = path.join(dir, 'chat.jsonl');
    const questions = [
      'do you ship to Canada?', 'how much is shipping?', 'do you take paypal?', 'does it run small?', 'when will my order ship?',
      'do you combine shipping?', 'how long do refunds take?', 'will I get a tracking number?', 'what is your return policy',
      'how do I enter the giveaway?', 'do you ship to Australia?', 'can I return it if it does not fit?', 'shipping to the UK?',
      'when is the next show?',
    ];
    fs.writeFileSync(log, `${questions.map((q, i) => JSON.stringify({ author: `v${i}`, text: q })).join('\n')}\n`);
    const out = new Collect();
    const err = new Collect();
    const doc = path.join(__dirname, 'fixtures', 'kb', 'hannahs-vintage.md');
    expect(await runReplay([log, '--kb', doc], out, err, { env: { PGLITE_TEMPLATE_DIR } })).toBe(0);
    expect(err.text).toBe('');
    const rows = out.text.trim().split('\n').map((l) => JSON.parse(l) as { answer?: { answer: string } });
    expect(rows).toHaveLength(questions.length);
    expect(rows.filter((r) => r.answer === undefined).map((_, i) => questions[i])).toEqual([]);
  });
});
