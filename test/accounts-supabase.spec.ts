/**
 * Accounts in Supabase mode, end to end with real processes: the service (sellers verified against the
 * local stand-in for Supabase Auth) posts to the real edge function under Deno, which writes to a real
 * PostgreSQL. Each show's row belongs to the seller who started it (over SUPABASE_OWNER_ID, the
 * single-owner default), and the authorization queries Supabase runs for PostgREST and Realtime (role
 * authenticated with the seller's claims) give each seller their own rows only.
 */
import postgres from 'postgres';
import { startFakeSupabaseAuth, type FakeAuthUser, type FakeSupabaseAuth } from './fakes/supabase-auth-server.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { startTestService } from './support/service.ts';

const SERVICE_KEY = 'service-role-key-for-tests';
const SIGNING_SECRET = 'signing-secret-for-tests-0123456789';
const DEFAULT_OWNER = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

let pg: RealPostgres;
let sql: postgres.Sql;
let fn: RunningFunction;
let auth: FakeSupabaseAuth;
let service: Awaited<ReturnType<typeof startTestService>>;
let alice: FakeAuthUser;
let bob: FakeAuthUser;

async function call(method: string, route: string, user: FakeAuthUser, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${service.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${await auth.tokenFor(user)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** What `select` returns to a seller through PostgREST or Realtime: role authenticated with their claims. */
async function asSeller(user: FakeAuthUser, query: string): Promise<Array<Record<string, any>>> {
  return sql.begin(async (tx) => {
    await tx.unsafe('set local role authenticated');
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: user.id, role: 'authenticated' })}, true)`;
    return [...(await tx.unsafe(query))];
  }) as Promise<Array<Record<string, any>>>;
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = postgres(pg.url, { max: 2, onnotice: () => undefined });
  auth = await startFakeSupabaseAuth();
  alice = auth.addUser('alice@example.test', 'a');
  bob = auth.addUser('bob@example.test', 'b');
  // Supabase Auth keeps its users in auth.users; owner_id columns reference them.
  for (const [id, email] of [[alice.id, alice.email], [bob.id, bob.email], [DEFAULT_OWNER, 'owner@example.test']]) {
    await sql`insert into auth.users (id, email) values (${id}, ${email})`;
  }
  fn = await startDenoFunction('monitor-realtime-stream', {
    SUPABASE_DB_URL: pg.url,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    INGEST_SIGNING_SECRET: SIGNING_SECRET,
    DB_POOL_MAX: '2',
  });
  service = await startTestService({
    SUPABASE_URL: fn.url,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    INGEST_SIGNING_SECRET: SIGNING_SECRET,
    SUPABASE_DB_URL: pg.url,
    SUPABASE_OWNER_ID: DEFAULT_OWNER,
    AUTH_URL: auth.url,
    SUPABASE_ANON_KEY: 'anon-key-for-tests',
  });
}, 180_000);

afterAll(async () => {
  await service?.close();
  await fn?.stop();
  await auth?.close();
  await sql?.end({ timeout: 5 });
  await pg?.stop();
});

test('each seller\u2019s show is stored as theirs, and each seller\u2019s authorization queries return only their rows', async () => {
  expect((await fetch(`${service.url}/api/config`).then((r) => r.json())) as unknown).toMatchObject({ accounts: true, realtime: true });
  const url = `${service.url}/demo/live`;
  const aliceShow = (await call('POST', '/api/start-monitoring', alice, { url })).body.sessionId as string;
  const bobShow = (await call('POST', '/api/start-monitoring', bob, { url })).body.sessionId as string;
  expect(aliceShow).not.toBe(bobShow);

  // Wait until both shows have messages stored by the function.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await service.forwarder.flush(10_000);
    const rows = await sql`select stream_session_id, count(*)::int as n from public.chat_messages group by 1`;
    if (rows.length === 2 && rows.every((r) => r.n > 0)) break;
    if (Date.now() > deadline) throw new Error(`messages not stored: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const owners = await sql`select id, owner_id from public.stream_sessions order by id`;
  expect(Object.fromEntries(owners.map((r) => [r.id, r.owner_id]))).toEqual({ [aliceShow]: alice.id, [bobShow]: bob.id });

  for (const [user, own, other] of [
    [alice, aliceShow, bobShow],
    [bob, bobShow, aliceShow],
  ] as const) {
    const sessions = await asSeller(user, 'select id from public.stream_sessions');
    expect(sessions.map((r) => r.id)).toEqual([own]);
    const messages = await asSeller(user, 'select distinct stream_session_id as id from public.chat_messages');
    expect(messages.map((r) => r.id)).toEqual([own]);
    // What Realtime would deliver for a subscription to the other show's rows: nothing.
    expect(await asSeller(user, `select id from public.chat_messages where stream_session_id = '${other}'`)).toEqual([]);
  }

  // Documents are stored under the seller too, and only they can read them.
  expect((await call('POST', '/api/kb/documents', alice, { title: 'Alice FAQ', text: 'We ship on Fridays.' })).status).toBe(201);
  const [doc] = await sql`select owner_id from public.kb_documents where title = 'Alice FAQ'`;
  expect(doc!.owner_id).toBe(alice.id);
  expect(await asSeller(bob, 'select id from public.kb_documents')).toEqual([]);
  expect(await asSeller(alice, 'select title from public.kb_documents')).toEqual([{ title: 'Alice FAQ' }]);
});
