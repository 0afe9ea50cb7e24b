/**
 * The monitor-realtime-stream edge function under real Deno (npm packages from node_modules, nothing
 * fetched), against a real PostgreSQL server started for the spec, driven by the service's
 * SupabaseBackend and by raw requests (seed body, HMAC signatures, bad input).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SupabaseBackend } from '../src/backend/supabase.ts';
import { signatureHeaders } from '../supabase/functions/_shared/auth.ts';
import type { Sql } from '../supabase/functions/_shared/db.ts';
import { connectPostgres } from '../supabase/functions/_shared/postgres.ts';
import { chat, sessionInfo } from './support/backend.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';

const SERVICE_KEY = 'test-service-role-key';
const SIGNING_SECRET = 'test-ingest-signing-secret';

describe('monitor-realtime-stream under Deno', () => {
  let pgServer: RealPostgres;
  let db: Sql & { close(): Promise<void> };
  let fn: RunningFunction;
  let supabase: SupabaseBackend;
  let endpoint: string;

  beforeAll(async () => {
    pgServer = await startPostgres();
    db = connectPostgres(pgServer.url, { max: 2 });
    fn = await startDenoFunction('monitor-realtime-stream', {
      SUPABASE_DB_URL: pgServer.url,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
      INGEST_SIGNING_SECRET: SIGNING_SECRET,
      DB_POOL_MAX: '2',
    });
    supabase = new SupabaseBackend({ url: fn.url, serviceRoleKey: SERVICE_KEY, timeoutMs: 20_000 });
    endpoint = `${fn.url}/functions/v1/monitor-realtime-stream`;
  }, 180_000);

  afterAll(async () => {
    await fn?.stop();
    await db?.close();
    await pgServer?.stop();
  });

  test('starts from an empty DENO_DIR with every outbound connection refused, and fetches nothing', () => {
    // The function is already serving (beforeAll); its Deno cache holds no npm package or remote module.
    const cached = (dir: string): string[] =>
      fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(tgz|js|mjs|ts)$/.test(f)) : [];
    expect(cached(path.join(fn.denoDir, 'npm'))).toEqual([]);
    expect(cached(path.join(fn.denoDir, 'remote'))).toEqual([]);
    expect(fn.stderr()).not.toMatch(/Download/);
  });

  test('refuses to start on a bad setting, naming the variable and never a secret', async () => {
    const start = startDenoFunction('monitor-realtime-stream', {
      SUPABASE_DB_URL: pgServer.url,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
      OPENAI_API_KEY: 'sk-never-shown',
      BUYER_CONFIDENCE_THRESHOLD: '7',
      DB_POOL_MAX: '0',
    });
    const error = (await start.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/deno exited with 1/);
    expect(error.message).toMatch(/BUYER_CONFIDENCE_THRESHOLD="7"/);
    expect(error.message).toMatch(/DB_POOL_MAX="0"/);
    expect(error.message).not.toContain(SERVICE_KEY);
    expect(error.message).not.toContain('sk-never-shown');
  });

  test('runs against a real PostgreSQL 15 or newer', async () => {
    expect(pgServer.version).toBeGreaterThanOrEqual(15);
    const [row] = await db.query<{ v: number }>(`select current_setting('server_version_num')::int as v`);
    expect(row!.v).toBeGreaterThanOrEqual(150000);
  });

  async function count(sessionId: string): Promise<number> {
    const rows = await db.query<{ n: number }>('select count(*)::int as n from public.chat_messages where stream_session_id = $1', [sessionId]);
    return rows[0]!.n;
  }

  test('answers a ping through the database', async () => {
    await expect(supabase.ping()).resolves.toBeUndefined();
  });

  test('stores the same batch sent twice once, with per-message results', async () => {
    const batch = [chat('SOLD B7 size M', 'ann'), chat('shipping to Canada?', 'bob'), chat('🔥🔥🔥', 'cy')];
    const first = await supabase.ingest('fn-dup', batch);
    const second = await supabase.ingest('fn-dup', batch);
    expect(first.map((r) => [r.messageId, r.stored, r.intent])).toEqual([
      [batch[0]!.id, true, 'purchase'],
      [batch[1]!.id, true, 'question'],
      [batch[2]!.id, true, 'other'],
    ]);
    expect(first[0]!.buyer).toMatchObject({ username: 'ann', message: 'SOLD B7 size M' });
    expect(second.map((r) => r.stored)).toEqual([false, false, false]);
    expect(await count('fn-dup')).toBe(3);
  });

  test("accepts the seed's single-message body", async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'mine #AA10', username: 'dee', streamSessionId: 'fn-seed', platform: 'whatnot' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<Record<string, unknown>> };
    expect(body.results).toEqual([expect.objectContaining({ stored: true, intent: 'purchase', buyer: expect.objectContaining({ username: 'dee' }) })]);
    const rows = await db.query('select username, message, platform from public.chat_messages where stream_session_id = $1', ['fn-seed']);
    expect(rows).toEqual([{ username: 'dee', message: 'mine #AA10', platform: 'whatnot' }]);
  });

  test('authenticates by HMAC signature with a timestamp, and refuses tampering, replays and no credentials', async () => {
    const body = JSON.stringify({ streamSessionId: 'fn-signed', messages: [chat('hello there')] });
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });

    const signed = await signatureHeaders(SIGNING_SECRET, body);
    expect((await post(signed)).status).toBe(200);
    const tampered = await post(signed, body.replace('hello there', 'sold 99'));
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({ error: { code: 'unauthorized', message: 'Unauthorized: signature mismatch' } });
    const stale = await signatureHeaders(SIGNING_SECRET, body, Date.now() - 10 * 60_000);
    expect((await post(stale)).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong-key' })).status).toBe(401);
    expect(await count('fn-signed')).toBe(1);
  });

  test('answers bad input with coded 4xx errors, which the service treats as permanent', async () => {
    const headers = { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' };
    const notJson = await fetch(endpoint, { method: 'POST', headers, body: '{"messages": [' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const noMessages = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ streamSessionId: 'x', messages: [] }) });
    expect(noMessages.status).toBe(400);
    await expect(supabase.ingest('', [chat('x')])).rejects.toMatchObject({ code: 'backend_rejected' });
    const put = await fetch(endpoint, { method: 'PUT', headers });
    expect(put.status).toBe(405);
  });

  test('serves history, sessions, deletions and housekeeping through the same core', async () => {
    const info = sessionInfo('fn-history', { url: 'https://www.whatnot.com/live/abc', startedAt: '2020-01-01T00:00:00.000Z' });
    await supabase.upsertSession(info);
    const old = chat('old blue jacket', 'eve', { capturedAt: '2020-01-01T00:00:00.000Z' });
    const recent = [chat('blue hat please', 'fay'), chat('red scarf', 'gus'), chat('sold 2 size M', 'hal')];
    await supabase.ingest('fn-history', [old, ...recent]);
    const buyers = await supabase.listBuyers('fn-history', 100);
    expect(buyers.map((b) => [b.messageId, b.buyer.username, b.buyer.quantity, b.buyer.size])).toEqual([[recent[2]!.id, 'hal', 2, 'M']]);
    await supabase.markDeleted('fn-history', [recent[1]!.id]);

    const page = await supabase.listMessages('fn-history', { q: 'blue', limit: 1 });
    expect(page.messages.map((m) => m.text)).toEqual(['blue hat please']);
    const next = await supabase.listMessages('fn-history', { q: 'blue', limit: 1, before: page.nextCursor! });
    expect(next.messages.map((m) => m.text)).toEqual(['old blue jacket']);
    const all = await supabase.listMessages('fn-history', { limit: 10 });
    expect(all.messages.find((m) => m.text === 'red scarf')?.deleted).toBe(true);
    await expect(supabase.listMessages('fn-history', { limit: 10, before: 'nope' })).rejects.toMatchObject({ code: 'invalid_body' });

    // Force the session's last message into the past, then run housekeeping "now".
    await db.query(`update public.stream_sessions set last_message_at = '2020-01-01T00:00:00Z' where id = 'fn-history'`);
    const report = await supabase.housekeep({
      deleteBefore: new Date('2021-01-01T00:00:00Z'),
      staleBefore: new Date('2021-01-01T00:00:00Z'),
      now: new Date(),
    });
    expect(report.deletedMessages).toBe(1);
    expect(report.closedSessions).toContain('fn-history');
    const [row] = await db.query<{ status: string }>(`select status from public.stream_sessions where id = 'fn-history'`);
    expect(row!.status).toBe('ended');
  });
});
