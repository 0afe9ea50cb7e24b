/**
 * Row level security on a real PostgreSQL server, enforced the way Supabase enforces it: PostgREST
 * switches to the `authenticated` (or `anon`) role and sets `request.jwt.claims` for the transaction;
 * auth.uid() reads the `sub` claim. Every table in `public` is covered: a new table without a seed
 * row here fails the first test, so its policies get tested too.
 */
import postgres from 'postgres';
import { startPostgres, type RealPostgres } from './support/postgres.ts';

const USER_A = '00000000-0000-4000-8000-0000000000a1';
const USER_B = '00000000-0000-4000-8000-0000000000b2';

/** One row per owner in each table (as the service, which bypasses RLS, would write them). */
const SEEDS: Record<string, (owner: string, tag: string) => string> = {
  stream_sessions: (owner, tag) => `insert into public.stream_sessions (id, owner_id, platform) values ('s-${tag}', '${owner}', 'whatnot')`,
  chat_messages: (_owner, tag) =>
    `insert into public.chat_messages (stream_session_id, message_key, username, message, platform) values ('s-${tag}', 'k-${tag}', 'ann', 'sold 1', 'whatnot')`,
  sales_captured: (_owner, tag) =>
    `insert into public.sales_captured (stream_session_id, message_key, buyer_username, message_text, confidence) values ('s-${tag}', 'k-${tag}', 'ann', 'sold 1', 0.9)`,
  kb_documents: (owner, tag) =>
    `insert into public.kb_documents (id, owner_id, title, source_type, content_hash) values ('${docId(tag)}', '${owner}', 'faq ${tag}', 'txt', 'h-${tag}')`,
  kb_chunks: (owner, tag) =>
    `insert into public.kb_chunks (document_id, owner_id, ordinal, content) values ('${docId(tag)}', '${owner}', 0, 'We ship to Canada (${tag}).')`,
  bot_commands: (owner, tag) => `insert into public.bot_commands (owner_id, name, response) values ('${owner}', 'hours-${tag}', 'Fridays')`,
  bot_settings: (_owner, tag) => `insert into public.bot_settings (stream_session_id, auto_answer) values ('s-${tag}', true)`,
  bot_replies: (_owner, tag) =>
    `insert into public.bot_replies (stream_session_id, kind, text, status) values ('s-${tag}', 'answer', 'We ship to Canada.', 'suggested')`,
  lots: (_owner, tag) =>
    `insert into public.lots (stream_session_id, code, base_code, ord, title, price, winner) values ('s-${tag}', 'L${tag}', 'L${tag}', 1, 'jacket ${tag}', 45, '{"username":"ann","messageId":"k-${tag}","at":"2026-01-01T00:00:00Z"}')`,
  lot_history: (_owner, tag) =>
    `insert into public.lot_history (stream_session_id, code, at, actor, message_key, action, after) values ('s-${tag}', 'L${tag}', '2026-01-01T00:00:00Z', '{"kind":"message","messageId":"k-${tag}","username":"ann"}', 'k-${tag}', 'claim', '{"code":"L${tag}"}')`,
  webhook_endpoints: (owner, tag) =>
    `insert into public.webhook_endpoints (id, owner_id, url, events, secret) values ('${hookId(tag)}', '${owner}', 'https://hooks.example/${tag}', '{lot.sold}', 'whsec_${tag}')`,
  webhook_deliveries: (_owner, tag) =>
    `insert into public.webhook_deliveries (endpoint_id, event_id, event_type, session_id, payload) values ('${hookId(tag)}', 'evt_${tag}', 'lot.sold', 's-${tag}', '{"type":"lot.sold"}')`,
  show_overlays: (owner, tag) =>
    `insert into public.show_overlays (stream_session_id, owner_id, token_hash, token_created_at, featured) values ('s-${tag}', '${owner}', '${tag.repeat(64)}', now(), '{"messageId":"k-${tag}","author":"ann","text":"sold 1 (${tag})","platform":"whatnot","featuredAt":"2026-01-01T00:00:00Z"}')`,
};

/** What a seller may select of a table: everything, except an endpoint's signing secret. */
const READABLE: Record<string, string> = {
  webhook_endpoints: 'id, owner_id, url, events, enabled, description, disabled_reason, created_at',
  show_overlays: 'stream_session_id, owner_id, token_created_at, featured, updated_at',
};

function hookId(tag: string): string {
  return tag === 'a' ? '20000000-0000-4000-8000-00000000000a' : '20000000-0000-4000-8000-00000000000b';
}

function docId(tag: string): string {
  return tag === 'a' ? '10000000-0000-4000-8000-00000000000a' : '10000000-0000-4000-8000-00000000000b';
}

describe('row level security on a real PostgreSQL', () => {
  let server: RealPostgres;
  let sql: postgres.Sql;

  beforeAll(async () => {
    server = await startPostgres();
    sql = postgres(server.url, { max: 2, onnotice: () => undefined });
    await sql.unsafe(`insert into auth.users (id) values ('${USER_A}'), ('${USER_B}')`);
    for (const [owner, tag] of [[USER_A, 'a'], [USER_B, 'b']] as const) {
      for (const seed of Object.values(SEEDS)) await sql.unsafe(seed(owner, tag));
    }
  });

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await server?.stop();
  });

  /** Runs `query` as PostgREST would for a request: a role, the JWT's claims, one transaction. */
  async function as(role: 'anon' | 'authenticated' | 'service_role', sub: string | null, query: string): Promise<Array<Record<string, unknown>>> {
    return sql.begin(async (tx) => {
      await tx.unsafe(`set local role ${role}`);
      const claims = sub ? { sub, role, aud: 'authenticated' } : { role };
      await tx.unsafe(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
      return [...(await tx.unsafe(query))] as Array<Record<string, unknown>>;
    }) as Promise<Array<Record<string, unknown>>>;
  }

  test('every table in public has row level security and is covered here', async () => {
    const tables = await sql<{ tablename: string; rowsecurity: boolean }[]>`
      select tablename, rowsecurity from pg_tables where schemaname = 'public' order by tablename`;
    expect(tables.map((t) => t.tablename).sort()).toEqual(Object.keys(SEEDS).sort());
    expect(tables.filter((t) => !t.rowsecurity)).toEqual([]);
  });

  test("a seller's own webhook secret is not readable with their token: the API shows it once", async () => {
    const denied = await as('authenticated', USER_A, 'select secret from public.webhook_endpoints').then(
      () => 'read',
      (error: Error) => error.message,
    );
    expect(denied).toMatch(/permission denied/);
  });

  test("a seller's overlay link hash is not readable with their token either", async () => {
    const denied = await as('authenticated', USER_A, 'select token_hash from public.show_overlays').then(
      () => 'read',
      (error: Error) => error.message,
    );
    expect(denied).toMatch(/permission denied/);
  });

  test("auth.uid() is the sub claim of request.jwt.claims, as on Supabase", async () => {
    const [row] = await as('authenticated', USER_A, 'select auth.uid()::text as uid');
    expect(row).toEqual({ uid: USER_A });
    const [none] = await as('anon', null, 'select auth.uid() as uid');
    expect(none).toEqual({ uid: null });
  });

  test.each(Object.keys(SEEDS))('%s: a seller reads only their own rows', async (table) => {
    const rowsOf = async (user: string) => (await as('authenticated', user, `select count(*)::int as n from public.${table}`))[0]!.n;
    expect(await rowsOf(USER_A)).toBe(1);
    expect(await rowsOf(USER_B)).toBe(1);
    const [a] = await as('authenticated', USER_A, `select ${READABLE[table] ?? '*'} from public.${table}`);
    const [b] = await as('authenticated', USER_B, `select ${READABLE[table] ?? '*'} from public.${table}`);
    expect(JSON.stringify(a)).not.toEqual(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toMatch(/-b\b|b2'|\(b\)/);
  });

  test.each(Object.keys(SEEDS))('%s: anon sees nothing, service_role sees everything', async (table) => {
    const anon = await as('anon', null, `select count(*)::int as n from public.${table}`).then(
      (rows) => rows[0]!.n,
      (error: Error) => error.message,
    );
    expect(anon === 0 || /permission denied/.test(String(anon))).toBe(true);
    const [all] = await as('service_role', null, `select count(*)::int as n from public.${table}`);
    expect(all!.n).toBe(2);
  });

  test("a seller cannot write into another seller's show, nor read it by guessing its id", async () => {
    await expect(
      as('authenticated', USER_A, `insert into public.chat_messages (stream_session_id, message_key, username, message, platform) values ('s-b', 'forged', 'x', 'y', 'whatnot')`),
    ).rejects.toThrow(/permission denied|row-level security/);
    expect(await as('authenticated', USER_A, `select id from public.stream_sessions where id = 's-b'`)).toEqual([]);
    expect(await as('authenticated', USER_A, `update public.kb_documents set title = 'mine now' where owner_id = '${USER_B}' returning id`)).toEqual([]);
  });

  test('the realtime publication carries the tables the dashboard subscribes to', async () => {
    const rows = await sql<{ tablename: string }[]>`
      select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by tablename`;
    expect(rows.map((r) => r.tablename)).toEqual(expect.arrayContaining(['bot_replies', 'chat_messages', 'sales_captured', 'stream_sessions']));
  });
});
