/**
 * The embedded backend on its worker thread: the same answers as in-process (storage, classification,
 * history, coded errors), SQL and transactions across the thread boundary, and a worker that dies is
 * started again without losing what was stored.
 */
import { EarshotError } from '../src/errors.ts';
import { silentLogger } from '../src/log.ts';
import { WorkerBackend } from '../src/backend/worker/worker-backend.ts';
import { chat, PGLITE_TEMPLATE_DIR, tempDir } from './support/backend.ts';

function open(dataDir = tempDir(), templateDir: string | undefined = PGLITE_TEMPLATE_DIR): WorkerBackend {
  return new WorkerBackend({ dataDir, templateDir, buyerThreshold: 0.7, botTrigger: '@earshot', repliesPerMinute: 6, logLevel: 'silent', logger: silentLogger() });
}

describe('embedded backend on a worker thread', () => {
  let backend: WorkerBackend;

  beforeAll(async () => {
    backend = open();
    await backend.init();
  });
  afterAll(async () => {
    await backend.close();
  });

  test('stores, classifies and lists through the worker, idempotently', async () => {
    const batch = [chat('SOLD B7 size M', 'ann'), chat('shipping to Canada?', 'bob')];
    const first = await backend.ingest('w-1', batch);
    const again = await backend.ingest('w-1', batch);
    expect(first.map((r) => [r.stored, r.intent])).toEqual([
      [true, 'purchase'],
      [true, 'question'],
    ]);
    expect(again.map((r) => r.stored)).toEqual([false, false]);
    const page = await backend.listMessages('w-1', { limit: 10 });
    expect(page.messages.map((m) => m.text).sort()).toEqual(['SOLD B7 size M', 'shipping to Canada?']);
    expect((await backend.listBuyers('w-1', 10)).map((b) => b.buyer.username)).toEqual(['ann']);
  });

  test('errors keep their codes across the thread', async () => {
    await expect(backend.listMessages('w-1', { limit: 10, before: 'no-such-cursor' })).rejects.toMatchObject({ code: 'invalid_body' });
    const failure = await backend.sql.query('select * from no_such_table').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '42P01' });
  });

  test('transactions commit, roll back on error, and nest', async () => {
    await backend.sql.query('create table if not exists public.worker_probe (n int)');
    await backend.sql.transaction(async (tx) => {
      await tx.query('insert into public.worker_probe values (1)');
      await tx
        .transaction(async (inner) => {
          await inner.query('insert into public.worker_probe values (2)');
          throw new Error('inner fails');
        })
        .catch(() => undefined);
    });
    await expect(
      backend.sql.transaction(async (tx) => {
        await tx.query('insert into public.worker_probe values (3)');
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    const rows = await backend.sql.query<{ n: number }>('select n from public.worker_probe order by n');
    expect(rows.map((r) => r.n)).toEqual([1]);
    await backend.sql.query('drop table public.worker_probe');
  });

  test("the knowledge base runs over the worker: a seller's documents answer that seller only", async () => {
    const seller = '00000000-0000-4000-8000-0000000000c1';
    const mine = await backend.knowledge.open({ ownerId: seller });
    await mine.addDocument({ title: 'ship.md', sourceType: 'md', text: 'We ship to Canada within 2 business days.', byteSize: 42 });
    expect((await mine.answer('do you ship to Canada?'))?.text).toContain('Canada');
    // The seller's stand-in auth.users row was added on this thread's request, in the worker's database.
    expect(await backend.sql.query('select id from auth.users where id = $1', [seller])).toHaveLength(1);
    const service = await backend.knowledge.open();
    expect(await service.listDocuments()).toEqual([]);
    expect(await backend.knowledge.vectorSearch()).toBe(true);
  });

  test('a worker that dies is started again with everything stored still there', async () => {
    await backend.ingest('w-crash', [chat('before the crash', 'cy')]);
    await backend.kill();
    const after = await backend.ingest('w-crash', [chat('after the crash', 'cy')]);
    expect(after.map((r) => r.stored)).toEqual([true]);
    const page = await backend.listMessages('w-crash', { limit: 10 });
    expect(page.messages.map((m) => m.text).sort()).toEqual(['after the crash', 'before the crash']);
    expect(backend.restartCount).toBe(1);
  });
});

describe('a new DATA_DIR without a template', () => {
  test('is created and migrated by a worker of its own, then served', async () => {
    const backend = open(tempDir(), undefined);
    try {
      await backend.init();
      const [row] = await backend.sql.query<{ n: number }>('select count(*)::int as n from supabase_migrations.schema_migrations');
      expect(row!.n).toBeGreaterThanOrEqual(2);
      const [conf] = await backend.sql.query<{ setting: string }>(`select setting from pg_settings where name = 'shared_buffers'`);
      expect(Number(conf!.setting) * 8).toBe(16 * 1024); // 16 MB in 8 kB pages
    } finally {
      await backend.close();
    }
    await expect(backend.ping()).rejects.toBeInstanceOf(EarshotError);
  });
});
