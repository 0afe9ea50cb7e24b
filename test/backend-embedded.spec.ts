/**
 * The shared core over the embedded PGlite: idempotent storage, classification and buyer capture,
 * history with full-text search and paging, deletions, sessions, migrations, row level security.
 */
import { EmbeddedBackend } from '../src/backend/embedded.ts';
import type { SessionInfo } from '../src/domain/message.ts';
import { silentLogger } from '../src/log.ts';
import { Housekeeper } from '../src/pipeline/housekeeping.ts';
import { chat, openEmbedded, PGLITE_TEMPLATE_DIR, sessionInfo, tempDir } from './support/backend.ts';

const USER_A = '00000000-0000-4000-8000-00000000000a';
const USER_B = '00000000-0000-4000-8000-00000000000b';

function session(sessionId: string, status: SessionInfo['status'] = 'live'): SessionInfo {
  return sessionInfo(sessionId, { status });
}

async function count(backend: EmbeddedBackend, table: string, sessionId: string): Promise<number> {
  const rows = await backend.sql.query<{ n: number }>(`select count(*)::int as n from public.${table} where stream_session_id = $1`, [sessionId]);
  return rows[0]!.n;
}

describe('embedded backend', () => {
  let backend: EmbeddedBackend;

  beforeAll(async () => {
    backend = await openEmbedded();
  });
  afterAll(async () => {
    await backend.close();
  });

  test('stores the same batch sent twice once, and answers the second time with what is stored', async () => {
    const batch = [chat('SOLD AA 10 blue small', 'ann'), chat('what size is the jacket?', 'bob'), chat('love this show', 'cy')];
    const first = await backend.ingest('s-dup', batch);
    const second = await backend.ingest('s-dup', batch);

    expect(first.map((r) => r.stored)).toEqual([true, true, true]);
    expect(second.map((r) => r.stored)).toEqual([false, false, false]);
    expect(await count(backend, 'chat_messages', 's-dup')).toBe(3);
    expect(await count(backend, 'sales_captured', 's-dup')).toBe(1);
    expect(first.map((r) => r.intent)).toEqual(['purchase', 'question', 'other']);
    expect(second.map((r) => [r.intent, r.confidence])).toEqual(first.map((r) => [r.intent, r.confidence]));
    // The buyer comes back on the duplicate too: a retry after a lost answer still announces it.
    expect(first[0]!.buyer).toMatchObject({ username: 'ann', message: 'SOLD AA 10 blue small' });
    expect(second[0]!.buyer).toMatchObject({ username: 'ann', confidence: first[0]!.buyer!.confidence });
    const [sale] = await backend.sql.query<Record<string, unknown>>(
      `select buyer_username, message_text, item_description, size from public.sales_captured where stream_session_id = 's-dup'`,
    );
    expect(sale).toMatchObject({ buyer_username: 'ann', message_text: 'SOLD AA 10 blue small' });
    const [row] = await backend.sql.query<{ message_count: number; buyer_count: number }>(
      `select message_count, buyer_count from public.stream_sessions where id = 's-dup'`,
    );
    expect(row).toEqual({ message_count: 3, buyer_count: 1 });
  });

  test('captures a purchase as a buyer only at or above the confidence threshold, never a look-alike', async () => {
    const results = await backend.ingest('s-buyers', [
      chat('mine #14', 'dee'),
      chat('sold out?', 'eve'),
      chat('is that sold?', 'fay'),
      chat('I sold mine last year', 'gus'),
    ]);
    expect(results[0]!.buyer).toBeDefined();
    expect(results[0]!.confidence).toBeGreaterThanOrEqual(0.7);
    expect(results.slice(1).map((r) => r.buyer)).toEqual([undefined, undefined, undefined]);
    expect(await count(backend, 'sales_captured', 's-buyers')).toBe(1);
  });

  test('rejects one malformed message without losing the rest of its batch', async () => {
    const good = chat('claiming AA 3', 'hal');
    const bad = { ...chat('x'), capturedAt: 'yesterday' };
    const results = await backend.ingest('s-mixed', [good, bad as never, { nonsense: true } as never]);
    expect(results[0]).toMatchObject({ messageId: good.id, stored: true });
    expect(results[1]).toMatchObject({ messageId: bad.id, stored: false, error: { code: 'invalid_message' } });
    expect(results[2]).toMatchObject({ messageId: '', stored: false, error: { code: 'invalid_message' } });
    expect(await count(backend, 'chat_messages', 's-mixed')).toBe(1);
  });

  test('caps hostile text and stores it verbatim as data', async () => {
    const long = `<script>alert(1)</script> ignore previous instructions ${'a'.repeat(5000)}`;
    const [result] = await backend.ingest('s-hostile', [chat(long, '<b>x</b>')]);
    expect(result!.stored).toBe(true);
    const page = await backend.listMessages('s-hostile', { limit: 5 });
    expect(page.messages[0]!.text.startsWith('<script>alert(1)</script>')).toBe(true);
    expect(page.messages[0]!.text).toHaveLength(2000);
    expect(page.messages[0]!.author.name).toBe('<b>x</b>');
  });

  test('lists history newest first with full-text search and a cursor that skips nothing', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 1, 1, 10, 0, s)).toISOString();
    const same = at(30);
    const messages = [
      chat('first blue jacket', 'a1', { capturedAt: at(1) }),
      chat('red shoes please', 'a2', { capturedAt: at(2) }),
      chat('blue hat', 'a3', { capturedAt: same }),
      chat('Blue scarf', 'a4', { capturedAt: same }),
      chat('green blue stripes', 'a5', { capturedAt: at(40) }),
    ];
    await backend.ingest('s-history', messages);

    const all = await backend.listMessages('s-history', { limit: 50 });
    expect(all.messages.map((m) => m.text)).toEqual(['green blue stripes', 'Blue scarf', 'blue hat', 'red shoes please', 'first blue jacket']);
    expect(all.nextCursor).toBeNull();
    expect(all.messages[0]).toMatchObject({ sessionId: 's-history', platform: 'whatnot', author: { name: 'a5', badges: [] }, deleted: false });

    const seen: string[] = [];
    let before: string | undefined;
    do {
      const page = await backend.listMessages('s-history', { q: 'blue', limit: 2, before });
      seen.push(...page.messages.map((m) => m.text));
      before = page.nextCursor ?? undefined;
    } while (before);
    expect(seen).toEqual(['green blue stripes', 'Blue scarf', 'blue hat', 'first blue jacket']);

    const byAuthor = await backend.listMessages('s-history', { q: 'a2', limit: 10 });
    expect(byAuthor.messages.map((m) => m.text)).toEqual(['red shoes please']);
    const older = await backend.listMessages('s-history', { limit: 10, before: at(30) });
    expect(older.messages.map((m) => m.text)).toEqual(['red shoes please', 'first blue jacket']);
    const phrase = await backend.listMessages('s-history', { q: '"blue hat" -scarf', limit: 10 });
    expect(phrase.messages.map((m) => m.text)).toEqual(['blue hat']);
    await expect(backend.listMessages('s-history', { limit: 10, before: 'no-such-message' })).rejects.toMatchObject({ code: 'invalid_body' });
  });

  test('marks deleted messages and keeps them listed as deleted', async () => {
    const [keep, drop] = [chat('keep me'), chat('spam link')];
    await backend.ingest('s-del', [keep, drop]);
    await backend.markDeleted('s-del', [drop.id, 'unknown-id']);
    const page = await backend.listMessages('s-del', { limit: 10 });
    expect(Object.fromEntries(page.messages.map((m) => [m.text, m.deleted]))).toEqual({ 'keep me': false, 'spam link': true });
  });

  test('upserts sessions: ended_at set once a session is over, counters kept', async () => {
    await backend.upsertSession(session('s-life'));
    await backend.ingest('s-life', [chat('hello')]);
    await backend.upsertSession(session('s-life', 'stopped'));
    const [row] = await backend.sql.query<Record<string, unknown>>(
      `select status, platform, url, message_count, ended_at is not null as ended from public.stream_sessions where id = 's-life'`,
    );
    expect(row).toEqual({ status: 'stopped', platform: 'whatnot', url: 'https://www.whatnot.com/live/s-life', message_count: 1, ended: true });
  });

  test('row level security: a user reads only rows of their own sessions, and cannot write', async () => {
    await backend.sql.query(`insert into auth.users (id) values ($1), ($2) on conflict do nothing`, [USER_A, USER_B]);
    for (const [id, owner] of [['s-owned-a', USER_A], ['s-owned-b', USER_B]] as const) {
      await backend.ingest(id, [chat(`sold 1 for ${id}`, 'buyer'), chat('hello', 'viewer')]);
      await backend.sql.query(`update public.stream_sessions set owner_id = $2 where id = $1`, [id, owner]);
    }
    const asUser = (user: string | null, query: string) =>
      backend.sql.transaction(async (tx) => {
        if (user) await tx.query(`select set_config('request.jwt.claim.sub', $1, true)`, [user]);
        await tx.query('set local role authenticated');
        return tx.query<Record<string, unknown>>(query);
      });

    const sessionsA = await asUser(USER_A, 'select id from public.stream_sessions order by id');
    expect(sessionsA.map((r) => r.id)).toEqual(['s-owned-a']);
    const messagesA = await asUser(USER_A, 'select distinct stream_session_id from public.chat_messages');
    expect(messagesA.map((r) => r.stream_session_id)).toEqual(['s-owned-a']);
    const salesB = await asUser(USER_B, 'select stream_session_id from public.sales_captured');
    expect(salesB.map((r) => r.stream_session_id)).toEqual(['s-owned-b']);
    expect(await asUser(null, 'select id from public.chat_messages')).toEqual([]);
    await expect(
      asUser(USER_A, `insert into public.chat_messages (stream_session_id, message_key, username, message, platform) values ('s-owned-a', 'x', 'u', 'm', 'generic')`),
    ).rejects.toThrow(/permission denied|row-level security/);
    const anon = await backend.sql.transaction(async (tx) => {
      await tx.query('set local role anon');
      return tx.query('select 1 from public.chat_messages').then(
        () => 'read',
        (error: Error) => error.message,
      );
    });
    expect(anon).toMatch(/permission denied/);
  });

  test('the tables are in the supabase_realtime publication', async () => {
    const rows = await backend.sql.query<{ tablename: string }>(
      `select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by tablename`,
    );
    expect(rows.map((r) => r.tablename)).toEqual(expect.arrayContaining(['chat_messages', 'sales_captured', 'stream_sessions']));
  });
});

describe("the embedded backend's knowledge base", () => {
  test('exists before init and after close, and then fails backend_unavailable like every call', async () => {
    const backend = new EmbeddedBackend({ dataDir: tempDir(), templateDir: PGLITE_TEMPLATE_DIR, buyerThreshold: 0.7 });
    await expect(backend.knowledge.vectorSearch()).rejects.toMatchObject({ code: 'backend_unavailable' });
    await backend.init();
    const kb = await backend.knowledge.open({ ownerId: USER_A });
    await kb.createCommand({ name: 'hours', response: 'Live Fridays at 7pm, {user}!' });
    expect((await kb.listCommands()).map((c) => c.name)).toEqual(['hours']);
    // Another owner's (or the service's own) commands are another knowledge base's.
    expect(await (await backend.knowledge.open()).listCommands()).toEqual([]);
    await backend.close();
    await expect(kb.listCommands()).rejects.toMatchObject({ code: 'backend_unavailable' });
  });
});

describe('embedded backend persistence', () => {
  test('keeps data under DATA_DIR across restarts and applies each migration once', async () => {
    const dataDir = tempDir();
    const first = await openEmbedded({ dataDir });
    await first.ingest('s-persist', [chat('sold 2', 'ivy')]);
    await first.close();

    const second = await openEmbedded({ dataDir });
    try {
      const page = await second.listMessages('s-persist', { limit: 10 });
      expect(page.messages.map((m) => m.text)).toEqual(['sold 2']);
      const applied = await second.sql.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
      expect(applied.map((r) => r.version)).toContain('0001');
      expect(new Set(applied.map((r) => r.version)).size).toBe(applied.length);
    } finally {
      await second.close();
    }
  });
});

describe('housekeeping', () => {
  test('deletes messages past retention and ends sessions silent past the limit, by the injected clock', async () => {
    const backend = await openEmbedded();
    try {
      const now = Date.UTC(2026, 5, 1, 12, 0, 0);
      const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
      await backend.upsertSession({ ...session('s-stale'), startedAt: ago(100 * 24) });
      await backend.upsertSession({ ...session('s-fresh'), startedAt: ago(30) });
      await backend.upsertSession({ ...session('s-quiet-start'), startedAt: ago(2) });
      await backend.upsertSession({ ...session('s-done', 'stopped'), startedAt: ago(100 * 24) });
      const old = chat('sold 1 long ago', 'old', { capturedAt: ago(91 * 24) });
      await backend.ingest('s-stale', [old, chat('still kept', 'mid', { capturedAt: ago(89 * 24) }), chat('last words', 'x', { capturedAt: ago(25) })]);
      await backend.ingest('s-fresh', [chat('recent', 'y', { capturedAt: ago(1) })]);

      const stale: string[][] = [];
      const housekeeper = new Housekeeper({
        backend,
        logger: silentLogger(),
        retentionDays: 90,
        staleSessionHours: 24,
        intervalMs: 3_600_000,
        clock: () => now,
        onStaleSessions: (ids) => {
          stale.push(ids);
        },
      });
      const report = await housekeeper.runOnce();
      expect(report).toEqual({ deletedMessages: 1, closedSessions: ['s-stale'] });
      expect(stale).toEqual([['s-stale']]);

      const statuses = await backend.sql.query<{ id: string; status: string }>('select id, status from public.stream_sessions order by id');
      expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({
        's-done': 'stopped',
        's-fresh': 'live',
        's-quiet-start': 'live',
        's-stale': 'ended',
      });
      const left = await backend.listMessages('s-stale', { limit: 10 });
      expect(left.messages.map((m) => m.text)).toEqual(['last words', 'still kept']);
      // The sale outlives the chat message it came from.
      const sales = await backend.sql.query<{ buyer_username: string; chat_message_id: number | null }>(
        `select buyer_username, chat_message_id from public.sales_captured where stream_session_id = 's-stale'`,
      );
      expect(sales).toEqual([{ buyer_username: 'old', chat_message_id: null }]);

      // A second pass has nothing left to do.
      expect(await housekeeper.runOnce()).toEqual({ deletedMessages: 0, closedSessions: [] });
    } finally {
      await backend.close();
    }
  });
});
