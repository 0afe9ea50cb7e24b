/**
 * DATABASE_URL: the shared core in-process over a PostgreSQL server the user runs, shared by several
 * instances. Real PostgreSQL (a plain cluster with nothing of Supabase in it: the backends prepare it),
 * real service and Chromium for the outage.
 */
import postgres from 'postgres';
import { databaseUrlBackend, type EmbeddedBackend } from '../src/backend/embedded.ts';
import { listMigrations, findSupabaseDir, migrateServer } from '../src/backend/migrations.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import type { Forwarder } from '../src/pipeline/forwarder.ts';
import { createKnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { chat, sessionInfo } from './support/backend.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { startTestService, post, Subscriber } from './support/service.ts';

const VERSIONS = listMigrations(findSupabaseDir()).map((m) => m.version);

/** A backend as one instance would build it from its environment. */
function instanceBackend(url: string): EmbeddedBackend {
  const config = loadConfig({ DATABASE_URL: url, DATA_DIR: '/tmp/unused', LOG_LEVEL: 'silent' });
  return databaseUrlBackend(config, config.databaseUrl!, {});
}

async function createDatabase(server: RealPostgres, name: string): Promise<string> {
  const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}

describe('DATABASE_URL configuration', () => {
  test('reads a postgres connection string and names the backend by it', () => {
    const config = loadConfig({ DATABASE_URL: ' postgresql://earshot:s3cret@db.example:5432/earshot ' });
    expect(config.databaseUrl).toBe('postgresql://earshot:s3cret@db.example:5432/earshot');
    expect(loadConfig({}).databaseUrl).toBeUndefined();
  });

  test('refuses a URL that is not PostgreSQL, without showing its password', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://earshot:s3cret@db.example/earshot' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/DATABASE_URL/);
    expect((error as Error).message).not.toContain('s3cret');
  });

  test('refuses DATABASE_URL together with Supabase settings: one store only', () => {
    const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1/db', SUPABASE_URL: 'https://x.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/DATABASE_URL and SUPABASE_URL are both set: pick one/);
  });
});

describe('two instances on one PostgreSQL', () => {
  let server: RealPostgres;
  let a: EmbeddedBackend;
  let b: EmbeddedBackend;

  beforeAll(async () => {
    server = await startPostgres({ migrate: false });
    a = instanceBackend(server.url);
    b = instanceBackend(server.url);
    // Started at the same moment, as two instances deployed together are.
    await Promise.all([a.init(), b.init()]);
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  test('concurrent starts migrate a plain PostgreSQL once', async () => {
    const rows = await a.sql.query<{ version: string }>('select version from supabase_migrations.schema_migrations order by version');
    expect(rows.map((r) => r.version)).toEqual(VERSIONS);
    expect(a.kind).toBe('postgres');

    const url = await createDatabase(server, 'race');
    const applied = await Promise.all([migrateServer(url), migrateServer(url), migrateServer(url)]);
    // Each version applied by exactly one of the three: the others waited on the lock and found it done.
    expect(applied.flat().sort()).toEqual(VERSIONS);
    expect(applied.filter((list) => list.length > 0)).toHaveLength(1);
    // The prelude runs again at every start without touching what exists.
    expect(await migrateServer(url)).toEqual([]);
  });

  test('the same batch ingested by both instances is stored once, and each sees what the other stored', async () => {
    await Promise.all([a.upsertSession(sessionInfo('s-shared')), b.upsertSession(sessionInfo('s-shared'))]);
    const batch = [chat('sold AA 10', 'ann'), chat('what size is it?', 'bob'), chat('love it', 'cy'), chat('mine!', 'dee')];
    const [fromA, fromB] = await Promise.all([a.ingest('s-shared', batch), b.ingest('s-shared', batch)]);

    // Every message stored by exactly one of them.
    expect(fromA.map((r, i) => Number(r.stored) + Number(fromB[i]!.stored))).toEqual([1, 1, 1, 1]);
    expect(fromA.map((r) => r.intent)).toEqual(fromB.map((r) => r.intent));
    const pageA = await a.listMessages('s-shared', { limit: 50 });
    const pageB = await b.listMessages('s-shared', { limit: 50 });
    expect(pageA.messages.map((m) => m.id).sort()).toEqual(batch.map((m) => m.id).sort());
    expect(pageB.messages).toEqual(pageA.messages);

    const buyersA = await a.listBuyers('s-shared', 10);
    expect(buyersA.map((x) => x.buyer.username)).toEqual(['ann', 'dee']);
    expect(await b.listBuyers('s-shared', 10)).toEqual(buyersA);
    const [row] = await b.sql.query<{ message_count: number; buyer_count: number }>(
      `select message_count, buyer_count from public.stream_sessions where id = 's-shared'`,
    );
    expect(row).toEqual({ message_count: 4, buyer_count: 2 });
  });

  test('a seller owning a show is added to the auth stand-in once, from either instance', async () => {
    const owner = '00000000-0000-4000-8000-0000000000c3';
    await Promise.all([a.upsertSession(sessionInfo('s-owned', { ownerId: owner })), b.upsertSession(sessionInfo('s-owned', { ownerId: owner }))]);
    const users = await a.sql.query<{ id: string }>('select id::text from auth.users where id = $1', [owner]);
    expect(users).toEqual([{ id: owner }]);
    const [show] = await b.sql.query<{ owner_id: string }>(`select owner_id::text from public.stream_sessions where id = 's-owned'`);
    expect(show).toEqual({ owner_id: owner });
  });

  test('the claims ledger one instance builds is the one the other corrects', async () => {
    await a.upsertSession(sessionInfo('s-lots'));
    const host = chat("A1 Levi's 501 jeans $45", 'host_hannah', { author: { name: 'host_hannah', badges: ['owner'] } });
    const amy = chat('sold', 'amy');
    const results = await a.ingest('s-lots', [host, amy]);
    expect(results[1]!.buyer).toMatchObject({ username: 'amy', lot: 'A1', price: 45 });

    const corrected = await b.correctLot('s-lots', 'A1', { price: 40, paid: true });
    expect(corrected).toMatchObject({ code: 'A1', price: 40, paid: true, winner: { username: 'amy' } });
    expect((await a.listLots('s-lots')).map((l) => [l.code, l.price, l.paid])).toEqual([['A1', 40, true]]);
  });

  test('a TXT document uploaded through one instance answers a viewer captured by the other', async () => {
    const kb = createKnowledgeBase(a.sql, {});
    const text = 'We ship to Canada and the US. Returns are accepted within 30 days.';
    await kb.addDocument({ title: 'shipping.txt', sourceType: 'txt', text, byteSize: text.length });
    expect((await createKnowledgeBase(b.sql, {}).answer('do you ship to Canada?'))?.text).toContain('Canada');

    await b.upsertSession(sessionInfo('s-kb'));
    const [asked] = await b.ingest('s-kb', [chat('@earshot do you ship to Canada?', 'ann')]);
    expect(asked!.answer).toMatchObject({ answer: expect.stringContaining('Canada') });
  });
});

/** Waits until the outbox is empty; flush() alone gives up while the forwarder backs off after a failure. */
async function drained(forwarder: Forwarder, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await forwarder.flush(Math.max(1, deadline - Date.now())))) {
    if (Date.now() >= deadline) throw new Error(`outbox not drained: ${JSON.stringify(forwarder.backlog())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('service over DATABASE_URL while PostgreSQL goes away', () => {
  let server: RealPostgres;

  beforeAll(async () => {
    server = await startPostgres({ migrate: false });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  test('is not ready during the outage, ready after it, and stores every message captured meanwhile', async () => {
    const service = await startTestService({
      DATABASE_URL: server.url,
      FORWARD_BATCH_DELAY_MS: '20',
      FORWARD_RETRY_INITIAL_MS: '100',
      FORWARD_RETRY_MAX_MS: '1000',
    });
    try {
      const health = (await (await fetch(`${service.url}/health`)).json()) as { backend: string };
      expect(health.backend).toBe('postgres');
      const ready = async (): Promise<{ ready: boolean; checks: { backend: boolean } }> =>
        (await (await fetch(`${service.url}/health/ready`)).json()) as { ready: boolean; checks: { backend: boolean } };
      expect((await ready()).checks.backend).toBe(true);

      const started = await post(service.url, '/api/start-monitoring', { url: `${service.url}/demo/live` });
      expect(started.status).toBe(201);
      const sessionId = started.body.sessionId as string;
      const sub = await Subscriber.connect(service.url, sessionId);
      try {
        await sub.waitFor(() => sub.messages(sessionId).length >= 3, 45_000);
        await server.halt();
        await expect(service.backend.ping()).rejects.toThrow();
        const down = await ready();
        expect(down.ready).toBe(false);
        expect(down.checks.backend).toBe(false);
        // Capture carries on while the database is away; these messages wait in the outbox.
        const before = sub.messages(sessionId).length;
        await sub.waitFor(() => sub.messages(sessionId).length >= before + 3, 45_000);
        expect(service.forwarder.backlog().messages).toBeGreaterThan(0);

        await server.resume();
        expect((await ready()).checks.backend).toBe(true);
      } finally {
        sub.close();
      }
      await post(service.url, `/api/stop-monitoring`, { sessionId });
      await drained(service.forwarder, 60_000);
      const seen = [...new Set(sub.messages(sessionId).map((e) => e.message.id))];
      const page = (await (await fetch(`${service.url}/api/sessions/${sessionId}/messages?limit=500`)).json()) as {
        messages: Array<{ id: string }>;
      };
      const stored = new Set(page.messages.map((m) => m.id));
      expect(seen.filter((id) => !stored.has(id))).toEqual([]);
      expect(page.messages).toHaveLength(stored.size);
    } finally {
      await service.close();
    }
  }, 180_000);
});
