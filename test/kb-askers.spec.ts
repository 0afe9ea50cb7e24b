/**
 * The same question from many viewers is one suggestion (issue 28), on the embedded backend (PGlite, and
 * over a real PostgreSQL server):
 * later askers join the waiting suggestion (same answer, or the same question), their names come back
 * with every answer, the window closes after ten minutes, a reply the session sends is never merged,
 * and Reply to all stores one reply @mentioning them.
 */
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import { createKbHook, createKnowledgeBase, MERGE_WINDOW_MS, type KnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { chat, openEmbedded } from './support/backend.ts';

const FAQ = `## Shipping
We ship every Monday and Thursday from Austin.

## Returns
Returns are accepted within 30 days of delivery.
`;

describe.each(['PGlite', 'PostgreSQL'] as const)('one suggestion for many askers (%s)', (engine) => {
  let server: RealPostgres | undefined;
  let backend: EmbeddedBackend;
  let kb: KnowledgeBase;
  let t = Date.parse('2026-03-10T18:00:00Z');
  const now = (): number => t;
  const hook = createKbHook({ trigger: '@earshot', now, maxRepliesPerMinute: 6 });

  beforeAll(async () => {
    if (engine === 'PostgreSQL') server = await startPostgres({ migrate: false });
    backend = await openEmbedded({ ...(server ? { databaseUrl: server.url } : {}), answer: (sql, sessionId, questions) => hook(sql, sessionId, questions) });
    kb = createKnowledgeBase(backend.sql, { now });
    await kb.addDocument({ title: 'faq.md', sourceType: 'md', text: FAQ, byteSize: FAQ.length });
  }, 120_000);
  afterAll(async () => {
    await backend?.close();
    await server?.stop();
  });

  test('viewers asking the same while it waits join one suggestion, each named once', async () => {
    await kb.putSettings('busy', { autoAnswer: true, delivery: 'suggest' });
    // One batch each: the order of answers within a batch is the engine's.
    const first = [...(await backend.ingest('busy', [chat('when do you ship?', 'amy')])), ...(await backend.ingest('busy', [chat('When do you SHIP??', 'Bob_99')]))];
    t += 30_000;
    const later = await backend.ingest('busy', [chat('when do you ship?', 'amy'), chat('what is your returns policy?', 'cy')]);

    const replyId = first[0]!.answer!.replyId;
    expect(first[0]!.answer).toMatchObject({ status: 'suggested', answer: expect.stringContaining('Monday'), askers: ['amy'] });
    // Bob's answer is Amy's suggestion, now for both: every dashboard that gets it shows one suggestion.
    expect(first[1]!.answer).toMatchObject({ replyId, status: 'suggested', askers: ['amy', 'Bob_99'] });
    // Amy asking again is not a third asker.
    expect(later[0]!.answer).toMatchObject({ replyId, askers: ['amy', 'Bob_99'] });
    // Another question gets its own suggestion.
    expect(later[1]!.answer).toMatchObject({ status: 'suggested', answer: expect.stringContaining('30 days'), askers: ['cy'] });
    expect(later[1]!.answer!.replyId).not.toBe(replyId);

    const replies = await kb.listReplies('busy');
    expect(replies.map((r) => [r.text.includes('Monday') ? 'ship' : 'returns', r.askers])).toEqual([
      ['returns', ['cy']],
      ['ship', ['amy', 'Bob_99']],
    ]);
  });

  test('after the window a new asker gets a new suggestion', async () => {
    t += MERGE_WINDOW_MS + 1;
    const [dee] = await backend.ingest('busy', [chat('when do you ship?', 'dee')]);
    expect(dee!.answer).toMatchObject({ status: 'suggested', askers: ['dee'] });
    expect((await kb.listReplies('busy')).filter((r) => r.text.includes('Monday')).length).toBe(2);
  });

  test('Reply to all stores one pending reply mentioning every asker; Send once keeps the answer as it is', async () => {
    const [merged, single] = [...(await kb.listReplies('busy'))].reverse().filter((r) => r.text.includes('Monday'));
    expect(merged!.askers).toEqual(['amy', 'Bob_99']);
    const all = await kb.sendToAll(merged!.id);
    expect(all).toMatchObject({ status: 'pending', text: `@amy @Bob_99 ${merged!.text}`, askers: ['amy', 'Bob_99'] });
    // Sent (pending) is final for both ways of sending.
    expect(await kb.sendToAll(merged!.id)).toBeNull();
    // Failed, and sent to all again: the same mentions, not doubled.
    await kb.markFailed(merged!.id, 'no_chat_input');
    expect(await kb.sendToAll(merged!.id)).toMatchObject({ status: 'pending', text: `@amy @Bob_99 ${merged!.text}` });
    const once = await kb.setStatus(single!.id, 'pending');
    expect(once).toMatchObject({ status: 'pending', text: single!.text });
  });

  test('an answer the session sends is never parked behind a suggestion; repeats of it are', async () => {
    await kb.putSettings('sends', { autoAnswer: true, delivery: 'send' });
    const [amy] = await backend.ingest('sends', [chat('when do you ship?', 'amy')]);
    expect(amy!.answer).toMatchObject({ status: 'pending', askers: ['amy'] });
    t += 5_000;
    // Said a moment ago: held as a suggestion (duplicate), which the next asker joins.
    const [bob] = await backend.ingest('sends', [chat('when do you ship?', 'bob')]);
    const [cy] = await backend.ingest('sends', [chat('When do you ship?!', 'cy')]);
    expect(bob!.answer).toMatchObject({ status: 'suggested', askers: ['bob'] });
    expect(cy!.answer).toMatchObject({ status: 'suggested', askers: ['bob', 'cy'] });
    expect(cy!.answer!.replyId).toBe(bob!.answer!.replyId);
    expect(bob!.answer!.replyId).not.toBe(amy!.answer!.replyId);
  });
});
