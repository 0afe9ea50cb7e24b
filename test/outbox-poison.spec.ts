/**
 * Poison in the outbox, against real storage: the embedded backend on its worker thread (as the service
 * runs it), PostgreSQL through DATABASE_URL, and the edge function under Deno (Supabase mode). The journal is written by hand, poison first, as a
 * previous run could have left it whatever the sanitizers at the edges let through: a session update
 * whose seller holds a NUL (it once made the outbox retry forever and hold back every show), a message
 * with a lone surrogate, messages whose time PostgreSQL cannot hold (year 0), one of them among 100.
 * Every other message is stored, only the refused ones are dead-lettered with their reason, and a
 * restart over the same outbox keeps it so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sql } from '../supabase/functions/_shared/db.ts';
import { EmbeddedBackend } from '../src/backend/embedded.ts';
import { SupabaseBackend } from '../src/backend/supabase.ts';
import type { Backend } from '../src/backend/types.ts';
import { WorkerBackend } from '../src/backend/worker/worker-backend.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { Forwarder } from '../src/pipeline/forwarder.ts';
import { Outbox, type OutboxEntry, type OutboxItem } from '../src/pipeline/outbox.ts';
import { chat, PGLITE_TEMPLATE_DIR, sessionInfo, tempDir } from './support/backend.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { connectPostgres } from '../supabase/functions/_shared/postgres.ts';

const logger = silentLogger();

async function until(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the forwarder writes to, and the database under it (to look at what was stored). */
type Storage = Pick<Backend, 'ingest' | 'markDeleted' | 'upsertSession'>;

async function openForwarder(dataDir: string, backend: Storage): Promise<Forwarder> {
  const forwarder = new Forwarder({
    backend,
    outbox: await Outbox.open(path.join(dataDir, 'outbox'), { logger }),
    publisher: { publish: () => undefined },
    logger,
    batchSize: 100,
    batchDelayMs: 5,
    deadLetterFile: path.join(dataDir, 'dead-letter.jsonl'),
    retry: { initialDelayMs: 5, maxDelayMs: 40 },
  });
  forwarder.start();
  return forwarder;
}

/** Writes the outbox journal as a previous run would have left it (one `add` line per entry). */
function writeJournal(dataDir: string, items: OutboxItem[]): void {
  fs.mkdirSync(path.join(dataDir, 'outbox'), { recursive: true });
  const lines = items.map((item, i) => JSON.stringify({ op: 'add', entry: { ...item, seq: i + 1, at: Date.now() } as OutboxEntry }));
  fs.writeFileSync(path.join(dataDir, 'outbox', 'journal.jsonl'), `${lines.join('\n')}\n`);
}

function deadLetters(dataDir: string): Array<{ reason: string; code: string; item: { kind: string; sessionId: string; messages?: ChatMessage[] } }> {
  const file = path.join(dataDir, 'dead-letter.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

async function storedTexts(sql: Sql, sessionId: string): Promise<string[]> {
  const rows = await sql.query<{ message: string }>('select message from public.chat_messages where stream_session_id = $1 order by id', [sessionId]);
  return rows.map((r) => r.message);
}

/** PostgreSQL's timestamptz has no year 0; the contract's ISO check and every text sanitizer let it pass. */
const YEAR_ZERO = '0000-01-01T00:00:00Z';

async function poisonFirst(backend: Storage, sql: Sql): Promise<void> {
  const dataDir = tempDir('earshot-poison-');
  const tag = Math.random().toString(36).slice(2, 8);
  const [p, a, b] = ['p', 'a', 'b'].map((s) => `${s}-${tag}`) as [string, string, string];
  const badTime = chat(`bad time in ${p}`, 'viewer', { sentAt: YEAR_ZERO });
  const halfEmoji = chat('half an emoji \ud83d', 'viewer');
  const showA = [chat('a one'), chat('a two'), chat('a three')];
  const laterP = [chat('p after the poison'), chat('p deleted later')];
  const hundred = Array.from({ length: 100 }, (_, i) => (i === 37 ? chat(`bad time ${i}`, 'viewer', { sentAt: YEAR_ZERO }) : chat(`b chat ${i}`)));
  writeJournal(dataDir, [
    { kind: 'session', sessionId: p, session: sessionInfo(p, { sellers: ['x\u0000y'] }) },
    { kind: 'messages', sessionId: p, messages: [badTime] },
    { kind: 'messages', sessionId: p, messages: [halfEmoji] },
    { kind: 'messages', sessionId: a, messages: showA },
    { kind: 'session', sessionId: a, session: sessionInfo(a) },
    { kind: 'messages', sessionId: p, messages: laterP },
    { kind: 'messages', sessionId: b, messages: hundred },
    { kind: 'deleted', sessionId: p, messageIds: [laterP[1]!.id] },
  ]);

  const first = await openForwarder(dataDir, backend);
  await until(() => first.backlog().entries === 0);

  expect(await storedTexts(sql, a)).toEqual(showA.map((m) => m.text));
  expect(await storedTexts(sql, b)).toEqual(hundred.filter((_, i) => i !== 37).map((m) => m.text));
  const inP = await storedTexts(sql, p);
  expect(inP.filter((t) => !t.startsWith('half an emoji'))).toEqual(laterP.map((m) => m.text));
  const [deleted] = await sql.query<{ deleted: boolean }>('select deleted from public.chat_messages where stream_session_id = $1 and message = $2', [
    p,
    laterP[1]!.text,
  ]);
  expect(deleted?.deleted).toBe(true);
  // The refused session update was stored scrubbed: the row is there, with its seller, without the NUL.
  const [row] = await sql.query<{ status: string; sellers: string[] | null }>('select status, sellers from public.stream_sessions where id = $1', [p]);
  expect(row?.status).toBe('live');
  expect(row?.sellers?.some((s) => s.includes('\u0000'))).toBe(false);

  const letters = deadLetters(dataDir);
  const timeLetters = letters.filter((l) => l.item.messages?.some((m) => m.sentAt === YEAR_ZERO));
  expect(timeLetters.map((l) => [l.item.sessionId, l.item.messages!.map((m) => m.id)])).toEqual([
    [p, [badTime.id]],
    [b, [hundred[37]!.id]],
  ]);
  for (const letter of timeLetters) expect(letter).toMatchObject({ code: 'backend_rejected', reason: expect.stringMatching(/out of range|SQLSTATE 22008/) });
  // The lone surrogate: refused and dead-lettered alone, or stored cleaned where a sanitizer got to it first.
  const surrogateLetters = letters.filter((l) => l.item.messages?.some((m) => m.id === halfEmoji.id));
  const surrogateStored = inP.some((t) => t.startsWith('half an emoji'));
  expect(surrogateLetters.length + (surrogateStored ? 1 : 0)).toBe(1);
  expect(letters).toHaveLength(2 + surrogateLetters.length);
  expect(letters.every((l) => l.item.kind === 'messages' && l.item.messages!.length === 1)).toBe(true);

  expect(first.backlog()).toMatchObject({ deadLettered: letters.length, lastDeadLetter: expect.objectContaining({ code: 'backend_rejected' }) });
  expect(first.sessionReport(b)).toMatchObject({ deadLettered: 1, lastDeadLetter: { sessionId: b, reason: expect.stringMatching(/out of range|SQLSTATE 22008/) } });
  expect(first.sessionReport(a)).toBeUndefined();
  await first.close();

  // A restart over the same outbox: nothing comes back, nothing more is dead-lettered, new work flows.
  const second = await openForwarder(dataDir, backend);
  expect(second.backlog().entries).toBe(0);
  const after = chat('p after the restart');
  second.accept(p, [after]);
  await until(() => second.backlog().delivered === 1);
  expect(await storedTexts(sql, p)).toEqual([...inP, after.text]);
  expect(deadLetters(dataDir)).toHaveLength(letters.length);
  await second.close();
}

describe('a poisoned outbox with the embedded backend on its worker thread', () => {
  let backend: WorkerBackend;
  beforeAll(async () => {
    backend = new WorkerBackend({
      dataDir: tempDir(),
      templateDir: PGLITE_TEMPLATE_DIR,
      buyerThreshold: 0.7,
      botTrigger: '@earshot',
      repliesPerMinute: 6,
      logLevel: 'silent',
      logger,
    });
    await backend.init();
  }, 120_000);
  afterAll(async () => {
    await backend?.close();
  });

  test('poison first: every other message is stored, only the refused ones are dead-lettered, also after a restart', async () => {
    await poisonFirst(backend, backend.sql);
  });

  test('a NUL in a seller is scrubbed before storage; a value the database still refuses is refused as data across the thread (it once came back as a retry forever)', async () => {
    await backend.upsertSession(sessionInfo('nul-seller', { sellers: ['x\u0000y'] }));
    expect(await backend.sql.query<{ sellers: string[] }>(`select sellers from public.stream_sessions where id = $1`, ['nul-seller'])).toEqual([{ sellers: ['xy'] }]);
    await expect(backend.upsertSession(sessionInfo('year-zero', { startedAt: '0000-01-01T00:00:00.000Z' }))).rejects.toMatchObject({
      code: 'backend_rejected',
      context: { code: '22008' },
    });
  });
});

describe('a poisoned outbox with PostgreSQL through DATABASE_URL', () => {
  let server: RealPostgres;
  let backend: EmbeddedBackend;
  beforeAll(async () => {
    server = await startPostgres({ migrate: false });
    backend = new EmbeddedBackend({ databaseUrl: server.url, buyerThreshold: 0.7, poolSize: 2 });
    await backend.init();
  }, 120_000);
  afterAll(async () => {
    await backend?.close();
    await server?.stop();
  });

  test('poison first: every other message is stored, only the refused ones are dead-lettered, also after a restart', async () => {
    await poisonFirst(backend, backend.sql);
  });

  test('a NUL in a seller or a detail is scrubbed; a value the database still refuses is refused as data, with its SQLSTATE', async () => {
    await backend.upsertSession(sessionInfo('nul-seller', { sellers: ['x\u0000y'], detail: 'x\u0000y' }));
    expect(await backend.sql.query<{ sellers: string[]; detail: string }>(`select sellers, detail from public.stream_sessions where id = $1`, ['nul-seller'])).toEqual([
      { sellers: ['xy'], detail: 'xy' },
    ]);
    await expect(backend.upsertSession(sessionInfo('year-zero', { startedAt: '0000-01-01T00:00:00.000Z' }))).rejects.toMatchObject({ code: 'backend_rejected' });
  });
});

describe('a poisoned outbox with the edge function under Deno (Supabase mode)', () => {
  let server: RealPostgres;
  let db: Sql & { close(): Promise<void> };
  let fn: RunningFunction;
  beforeAll(async () => {
    server = await startPostgres();
    db = connectPostgres(server.url, { max: 2 });
    fn = await startDenoFunction('monitor-realtime-stream', { SUPABASE_DB_URL: server.url, SUPABASE_SERVICE_ROLE_KEY: 'poison-key', DB_POOL_MAX: '2' });
  }, 180_000);
  afterAll(async () => {
    await fn?.stop();
    await db?.close();
    await server?.stop();
  });

  test('poison first: every other message is stored, only the refused ones are dead-lettered, also after a restart', async () => {
    await poisonFirst(new SupabaseBackend({ url: fn.url, serviceRoleKey: 'poison-key', timeoutMs: 20_000 }), db);
  });
});
