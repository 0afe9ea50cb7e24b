/**
 * Bot settings carry over to a seller's next show (issue 28), on the embedded backend (PGlite, and over
 * a real PostgreSQL server): a show with no settings of its own takes the ones its seller saved last on
 * another show, through the API's read, a partial PUT and the ingest hook; another seller's (or
 * owner-less shows') settings never do.
 */
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import { createKbHook, createKnowledgeBase, type KnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { chat, openEmbedded, sessionInfo } from './support/backend.ts';

const AMY = '11111111-1111-4111-8111-111111111111';
const BEN = '22222222-2222-4222-8222-222222222222';

describe.each(['PGlite', 'PostgreSQL'] as const)('bot settings carry over (%s)', (engine) => {
  let server: RealPostgres | undefined;
  let backend: EmbeddedBackend;
  let kb: KnowledgeBase;
  let t = Date.parse('2026-03-10T18:00:00Z');
  const now = (): number => t;
  const hook = createKbHook({ trigger: '@earshot', now, maxRepliesPerMinute: 50 });

  beforeAll(async () => {
    if (engine === 'PostgreSQL') server = await startPostgres({ migrate: false });
    backend = await openEmbedded({ ...(server ? { databaseUrl: server.url } : {}), answer: (sql, sessionId, questions) => hook(sql, sessionId, questions) });
    kb = createKnowledgeBase(backend.sql, { now });
  }, 120_000);
  const FAQ = 'We ship to Canada within 2 business days.';
  afterAll(async () => {
    await backend?.close();
    await server?.stop();
  });

  test("a seller's second show starts in the mode saved on the first; another seller's show does not", async () => {
    await backend.upsertSession(sessionInfo('amy-1', { ownerId: AMY }));
    await backend.upsertSession(sessionInfo('ben-1', { ownerId: BEN }));
    await kb.putSettings('amy-1', { autoAnswer: true, delivery: 'send', trigger: '@shopbot' });
    t += 1_000;
    await kb.putSettings('ben-1', { autoAnswer: true, delivery: 'suggest' });
    t += 1_000;

    await backend.upsertSession(sessionInfo('amy-2', { ownerId: AMY }));
    await backend.upsertSession(sessionInfo('ben-2', { ownerId: BEN }));
    await backend.upsertSession(sessionInfo('cat-1', { ownerId: '33333333-3333-4333-8333-333333333333' }));

    expect(await kb.getSettings('amy-2')).toMatchObject({
      sessionId: 'amy-2',
      autoAnswer: true,
      delivery: 'send',
      trigger: '@shopbot',
      inheritedFrom: 'amy-1',
    });
    // Ben saved later than Amy, but his settings are his own.
    expect(await kb.getSettings('ben-2')).toMatchObject({ autoAnswer: true, delivery: 'suggest', trigger: null, inheritedFrom: 'ben-1' });
    // A seller with no saved settings anywhere gets the defaults, not the newest seller's.
    expect(await kb.getSettings('cat-1')).toMatchObject({ autoAnswer: false, delivery: 'suggest', inheritedFrom: null, updatedAt: null });
    // The first show's own settings stay its own.
    expect(await kb.getSettings('amy-1')).toMatchObject({ delivery: 'send', inheritedFrom: null });
  });

  test('the ingest hook answers every question on the inherited show, in its delivery mode', async () => {
    await backend.upsertSession(sessionInfo('amy-3', { ownerId: AMY }));
    await backend.upsertSession(sessionInfo('cat-2', { ownerId: '33333333-3333-4333-8333-333333333333' }));
    // Each seller answers from their own documents.
    for (const ownerId of [AMY, '33333333-3333-4333-8333-333333333333']) {
      await createKnowledgeBase(backend.sql, { ownerId, now }).addDocument({ title: 'faq.txt', sourceType: 'txt', text: FAQ, byteSize: FAQ.length });
    }
    const [amy] = await backend.ingest('amy-3', [chat('do you ship to Canada?', 'zoe')]);
    // Send automatically, from amy-1: answered without the trigger, and queued for delivery.
    expect(amy!.answer).toMatchObject({ status: 'pending', answer: expect.stringContaining('Canada') });
    const [cat] = await backend.ingest('cat-2', [chat('do you ship to Canada?', 'zoe')]);
    // Off by default: a question that does not address the bot gets no answer.
    expect(cat!.answer).toBeUndefined();
  });

  test('a partial save on the new show keeps the rest of what it inherited', async () => {
    t += 1_000;
    await backend.upsertSession(sessionInfo('amy-4', { ownerId: AMY }));
    const saved = await kb.putSettings('amy-4', { delivery: 'suggest' });
    expect(saved).toMatchObject({ autoAnswer: true, delivery: 'suggest', trigger: '@shopbot', inheritedFrom: null });
    // Now the newest of Amy's: her next show starts from it.
    t += 1_000;
    await backend.upsertSession(sessionInfo('amy-5', { ownerId: AMY }));
    expect(await kb.getSettings('amy-5')).toMatchObject({ autoAnswer: true, delivery: 'suggest', inheritedFrom: 'amy-4' });
    // Ben's show is untouched by all of Amy's saves.
    expect(await kb.getSettings('ben-2')).toMatchObject({ inheritedFrom: 'ben-1', delivery: 'suggest' });
  });

  test('without accounts, owner-less shows carry over among themselves and never take a seller\'s', async () => {
    t += 1_000;
    await backend.upsertSession(sessionInfo('open-1'));
    // Before any owner-less show saved anything: defaults, although sellers have saved settings.
    expect(await kb.getSettings('open-1')).toMatchObject({ autoAnswer: false, inheritedFrom: null });
    // A show not started yet (no row, so no owner) is owner-less too.
    expect(await kb.getSettings('not-started')).toMatchObject({ autoAnswer: false, inheritedFrom: null });
    await kb.putSettings('open-1', { autoAnswer: true, delivery: 'send' });
    t += 1_000;
    await backend.upsertSession(sessionInfo('open-2'));
    expect(await kb.getSettings('open-2')).toMatchObject({ autoAnswer: true, delivery: 'send', inheritedFrom: 'open-1' });
    expect(await kb.getSettings('not-started')).toMatchObject({ autoAnswer: true, delivery: 'send', inheritedFrom: 'open-1' });
    // And Amy's next show still follows Amy, not the newer owner-less save.
    await backend.upsertSession(sessionInfo('amy-6', { ownerId: AMY }));
    expect(await kb.getSettings('amy-6')).toMatchObject({ delivery: 'suggest', inheritedFrom: 'amy-4' });
  });
});
