/**
 * The knowledge base in Supabase mode: the service's knowledge base over postgres.js (SUPABASE_DB_URL)
 * and the monitor-realtime-stream edge function under real Deno answering from it, against a real
 * PostgreSQL server (no pgvector: full-text search alone). Hybrid search with embeddings through
 * postgres.js runs against PGlite's vector over pglite-socket, as Supabase (which has pgvector) would.
 */
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { vectorSearchAvailable } from '../supabase/functions/_shared/kb/capabilities.ts';
import type { EmbeddedBackend } from '../src/backend/embedded.ts';
import { SupabaseBackend } from '../src/backend/supabase.ts';
import { createKnowledgeBase, type KnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { connectPostgres } from '../supabase/functions/_shared/postgres.ts';
import { fakeEmbedding } from './fakes/openai-server.ts';
import { chat, openEmbedded } from './support/backend.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { startTestService } from './support/service.ts';

const SERVICE_KEY = 'kb-test-service-role-key';

describe('knowledge base over Supabase Postgres and the edge function', () => {
  let pgServer: RealPostgres;
  let pg: ReturnType<typeof connectPostgres>;
  let kb: KnowledgeBase;
  let fn: RunningFunction;
  let supabase: SupabaseBackend;

  beforeAll(async () => {
    pgServer = await startPostgres();
    const dbUrl = pgServer.url;
    pg = connectPostgres(dbUrl, { max: 1 });
    fn = await startDenoFunction('monitor-realtime-stream', { SUPABASE_DB_URL: dbUrl, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY, DB_POOL_MAX: '1' });
    // The service's knowledge base is the backend's, over SUPABASE_DB_URL.
    supabase = new SupabaseBackend({ url: fn.url, serviceRoleKey: SERVICE_KEY, timeoutMs: 20_000, dbUrl });
    kb = await supabase.knowledge!.open();
  }, 180_000);

  afterAll(async () => {
    await supabase?.close();
    await fn?.stop();
    await pg?.close();
    await pgServer?.stop();
  });

  test('documents, commands and settings written through postgres.js are answered by the function under Deno', async () => {
    const { document } = await kb.addDocument({
      title: 'faq.md',
      sourceType: 'md',
      text: '## Shipping\n\nWe ship to the US and Canada within 2 business days.\n\n## Returns\n\nReturns are accepted within 30 days.',
      byteSize: 100,
    });
    expect((await kb.search('shipping to Canada?'))[0]).toMatchObject({ documentId: document.id, heading: 'Shipping' });
    await kb.createCommand({ name: 'hours', response: 'Live Fridays at 7pm, {user}!', allowedUsers: ['Ann'], allowedRoles: ['vip'] });
    expect(await kb.putSettings('fn-kb', { delivery: 'send' })).toMatchObject({ delivery: 'send', autoAnswer: false });

    const results = await supabase.ingest('fn-kb', [
      chat('@earshot do you ship to Canada?', 'bob'),
      chat('!hours', 'ann'),
      chat('!hours', 'cy'),
      chat('@earshot what is your favorite color?', 'dee'),
    ]);
    expect(results.map((r) => r.answer?.answer)).toEqual([expect.stringContaining('Canada'), 'Live Fridays at 7pm, ann!', undefined, undefined]);
    expect(results[0]!.answer).toMatchObject({ status: 'pending', sources: [expect.objectContaining({ title: 'faq.md' })] });

    const replies = await kb.listReplies('fn-kb');
    expect(replies.map((r) => [r.kind, r.status])).toEqual([
      ['command', 'pending'],
      ['answer', 'pending'],
    ]);
    const claim = { now: Date.now(), limit: 5, leaseMs: 30_000, maxAgeMs: 60_000, maxAttempts: 3 };
    // Only the shows an instance runs (cluster mode): none of another show's replies.
    expect((await kb.claimDueReplies({ ...claim, sessionIds: ['not-this-show'] })).claimed).toEqual([]);
    const { claimed } = await kb.claimDueReplies(claim);
    expect(claimed.map((r) => r.kind)).toEqual(['answer', 'command']);
    expect(await kb.markSent(claimed[0]!.id, 'p-1')).toMatchObject({ status: 'sent', platformReplyId: 'p-1' });
  });

  test('without SUPABASE_DB_URL the backend has no knowledge base; with it, close() ends its pool', async () => {
    expect(new SupabaseBackend({ url: fn.url, serviceRoleKey: SERVICE_KEY }).knowledge).toBeUndefined();
    const own = new SupabaseBackend({ url: fn.url, serviceRoleKey: SERVICE_KEY, dbUrl: pgServer.url });
    const base = await own.knowledge!.open();
    expect(await own.knowledge!.vectorSearch()).toBe(false);
    expect((await base.listDocuments()).map((d) => d.title)).toContain('faq.md');
    await own.close();
    await expect(base.listDocuments()).rejects.toThrow();
  });

  test('a service on that database says so in /health (vectorSearch: false)', async () => {
    const service = await startTestService({ SUPABASE_URL: fn.url, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY, SUPABASE_DB_URL: pgServer.url });
    try {
      const health = (await (await fetch(`${service.url}/health`)).json()) as { backend: string; vectorSearch: boolean };
      expect(health).toMatchObject({ backend: 'supabase', vectorSearch: false });
    } finally {
      await service.close();
    }
  });

  test('without pgvector, documents with embeddings are stored and searched by full text', async () => {
    expect(await vectorSearchAvailable(pg)).toBe(false);
    const withVectors = createKnowledgeBase(pg, { embedder: { model: 'fake-embedding', embed: async (texts) => texts.map((t) => fakeEmbedding(t)) } });
    const { document } = await withVectors.addDocument({ title: 'wash.txt', sourceType: 'txt', text: 'Wash the wool sweater by hand in cold water.', byteSize: 44 });
    const [hit] = await withVectors.search('how do I wash the sweater?');
    expect(hit).toMatchObject({ documentId: document.id, similarity: null });
    expect(hit!.ftsRank).toBeGreaterThan(0);
  });
});

describe('hybrid search through postgres.js where pgvector exists', () => {
  let backend: EmbeddedBackend;
  let server: PGLiteSocketServer;
  let pg: ReturnType<typeof connectPostgres>;

  beforeAll(async () => {
    backend = await openEmbedded();
    server = new PGLiteSocketServer({ db: backend.db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    pg = connectPostgres(`postgres://postgres:postgres@${server.getServerConn()}/postgres`, { max: 1 });
  });

  afterAll(async () => {
    await pg?.close();
    await server?.stop();
    await backend?.close();
  });

  test('embeddings go in and hybrid search comes back through postgres.js', async () => {
    expect(await vectorSearchAvailable(pg)).toBe(true);
    const withVectors = createKnowledgeBase(pg, { embedder: { model: 'fake-embedding', embed: async (texts) => texts.map((t) => fakeEmbedding(t)) } });
    const { document } = await withVectors.addDocument({ title: 'care.txt', sourceType: 'txt', text: 'Wash the denim cold and hang it dry.', byteSize: 36 });
    expect(document.embeddingModel).toBe('fake-embedding');
    // Misspelled: no full-text match, found by the vector half.
    const [hit] = await withVectors.search('wassh denimm');
    expect(hit).toMatchObject({ documentId: document.id, ftsRank: 0 });
    expect(hit!.similarity).toBeGreaterThan(0);
  });
});
