/**
 * Sanitized text round-trips through every store Earshot writes: real PostgreSQL and the embedded
 * PGlite, `text` and `jsonb` columns, as a query parameter and as JSON.stringify'd jsonb (how the shared
 * core writes batches). Arbitrary full-Unicode strings with lone surrogates and NUL (fast-check) go in;
 * what comes back equals what went in. Then the same through the shared core itself: messages, names,
 * sellers and documents of hostile text are stored, none refused, none taking its batch with it, by the
 * embedded core and by the edge function under Deno alike.
 */
import fc from 'fast-check';
import { databaseUrlBackend, type EmbeddedBackend } from '../src/backend/embedded.ts';
import { buildChatMessage } from '../src/capture/message.ts';
import { loadConfig } from '../src/config.ts';
import type { ChatMessage } from '../src/domain/message.ts';
import { createKnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { MAX_AUTHOR_LENGTH, MAX_ID_LENGTH, sanitizeText, scrubText } from '../supabase/functions/_shared/text.ts';
import { openEmbedded, sessionInfo } from './support/backend.ts';
import { hostileText } from './support/hostile-text.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';

/** Cases per database: enough to meet every kind of piece many times, bounded on a busy machine. */
const RUNS = 300;

let server: RealPostgres;
const engines: Record<'PostgreSQL' | 'PGlite', EmbeddedBackend> = {} as never;

beforeAll(async () => {
  server = await startPostgres({ migrate: false });
  const config = loadConfig({ DATABASE_URL: server.url, DATA_DIR: '/tmp/unused', LOG_LEVEL: 'silent' });
  engines.PostgreSQL = databaseUrlBackend(config, config.databaseUrl!, {});
  await engines.PostgreSQL.init();
  engines.PGlite = await openEmbedded();
  for (const backend of Object.values(engines)) {
    await backend.sql.query('create table public.text_roundtrip (id serial primary key, plain text not null, doc jsonb not null)');
  }
}, 120_000);

afterAll(async () => {
  for (const backend of Object.values(engines)) await backend?.close();
  await server?.stop();
});

let sessionCounter = 0;

describe.each(['PostgreSQL', 'PGlite'] as const)('%s', (engine) => {
  const db = () => engines[engine];

  test('every sanitized string comes back equal from a text column and from jsonb', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (raw) => {
        const values = [sanitizeText(raw), sanitizeText(raw, MAX_AUTHOR_LENGTH), sanitizeText(raw, 7), scrubText(raw)];
        for (const value of values) {
          const [row] = await db().sql.query<{ plain: string; doc: { v: string; list: string[] } }>(
            'insert into public.text_roundtrip (plain, doc) values ($1, $2::text::jsonb) returning plain, doc',
            [value, JSON.stringify({ v: value, list: [value] })],
          );
          expect(row!.plain).toBe(value);
          expect(row!.doc).toEqual({ v: value, list: [value] });
          // And read back by value: the stored text is the same text, not merely one that prints alike.
          const [same] = await db().sql.query<{ n: number }>(
            `select count(*)::int as n from public.text_roundtrip where plain = $1 and doc->>'v' = $1`,
            [value],
          );
          expect(same!.n).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('hostile messages built by capture are stored whole by the shared core, none refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(hostileText, hostileText, hostileText), { minLength: 1, maxLength: 8 }), async (rows) => {
        const sessionId = `s-text-${engine}-${(sessionCounter += 1)}`;
        await db().upsertSession(sessionInfo(sessionId, { sellers: [sanitizeText(`host${rows[0]![0]}`, 100)] }));
        const messages = rows
          .map(([name, text, id], i) =>
            buildChatMessage({
              platform: 'whatnot',
              id: `m${i}-${id}`.slice(0, MAX_ID_LENGTH),
              author: { name, id, badges: [name] },
              text,
              capturedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString(),
            }),
          )
          .filter((m): m is ChatMessage => m !== undefined);
        const unique = [...new Map(messages.map((m) => [m.id, m])).values()];
        const results = await db().ingest(sessionId, unique);
        expect(results.filter((r) => r.error)).toEqual([]);
        expect(results.every((r) => r.stored)).toBe(true);
        const page = await db().listMessages(sessionId, { limit: 50 });
        const stored = new Map(page.messages.map((m) => [m.id, m]));
        for (const message of unique) {
          expect(stored.get(message.id)).toMatchObject({ text: message.text, author: { name: message.author.name } });
        }
      }),
      { numRuns: 40 },
    );
  });

  test('a 1,999-character text and a 199-character name ending in an emoji are stored, not refused with their batch', async () => {
    const sessionId = `s-emoji-${engine}`;
    await db().upsertSession(sessionInfo(sessionId));
    const capturedAt = '2026-01-01T12:00:00.000Z';
    const long = buildChatMessage({ platform: 'whatnot', id: 'long', author: { name: `${'n'.repeat(199)}😀` }, text: `${'x'.repeat(1_999)}😀`, capturedAt })!;
    const fits = buildChatMessage({ platform: 'whatnot', id: 'fits', author: { name: 'amy😀' }, text: `${'y'.repeat(1_998)}😀`, capturedAt })!;
    // A message that reached the backend with a lone half (sent by an older service, or by anyone).
    const half = { ...long, id: 'half', author: { name: 'bob\ud83d', badges: [] }, text: `hi \ud83d there` };
    const neighbour = buildChatMessage({ platform: 'whatnot', id: 'next', author: { name: 'cy' }, text: 'sold A1', capturedAt })!;
    const results = await db().ingest(sessionId, [long, fits, half, neighbour]);
    expect(results.map((r) => [r.messageId, r.stored, r.error])).toEqual([
      ['long', true, undefined],
      ['fits', true, undefined],
      ['half', true, undefined],
      ['next', true, undefined],
    ]);
    const page = await db().listMessages(sessionId, { limit: 10 });
    const byId = new Map(page.messages.map((m) => [m.id, m]));
    expect(byId.get('long')).toMatchObject({ text: 'x'.repeat(1_999), author: { name: 'n'.repeat(199) } });
    expect(byId.get('fits')).toMatchObject({ text: `${'y'.repeat(1_998)}😀`, author: { name: 'amy😀' } });
    expect(byId.get('half')).toMatchObject({ text: 'hi there', author: { name: 'bob' } });
  });

  test('a seller named with NUL is stored scrubbed and the show still stores its messages', async () => {
    const sessionId = `s-seller-${engine}`;
    await db().upsertSession(sessionInfo(sessionId, { sellers: [scrubText('x\u0000y\ud800')] }));
    const host = buildChatMessage({ platform: 'whatnot', id: 'h1', author: { name: 'xy' }, text: 'A1 denim jacket $20', capturedAt: '2026-01-01T12:00:00.000Z' })!;
    const results = await db().ingest(sessionId, [host]);
    expect(results[0]).toMatchObject({ stored: true });
    expect((await db().listLots(sessionId)).map((lot) => lot.code)).toEqual(['A1']);
  });

  test('a document with NUL and lone surrogates in its title and text is stored and found', async () => {
    const kb = createKnowledgeBase(db().sql);
    const { document } = await kb.addDocument({
      title: `FAQ\u0000 😀 \ud800${'t'.repeat(400)}`,
      sourceType: 'txt',
      text: 'Shipping\n\nWe ship\u0000 to Canada \ud83d within 3 days.\n',
      byteSize: 60,
    });
    expect(document.title.startsWith('FAQ 😀 ttt')).toBe(true);
    expect(document.title.length).toBeLessThanOrEqual(300);
    const hits = await kb.search('do you ship to canada?');
    expect(hits[0]?.content).toContain('We ship to Canada within 3 days.');
  });
});

describe('the edge function under Deno', () => {
  const KEY = 'test-service-role-key';
  let fn: RunningFunction;
  let endpoint: string;

  beforeAll(async () => {
    fn = await startDenoFunction('monitor-realtime-stream', { SUPABASE_DB_URL: server.url, SUPABASE_SERVICE_ROLE_KEY: KEY, DB_POOL_MAX: '2' });
    endpoint = `${fn.url}/functions/v1/monitor-realtime-stream`;
  }, 180_000);
  afterAll(async () => {
    await fn?.stop();
  });

  /** Sends raw JSON, so escapes of NUL and lone surrogates reach the function as an attacker writes them. */
  async function send(method: 'GET' | 'POST', body?: string, query = ''): Promise<{ status: number; body: any }> {
    const res = await fetch(`${endpoint}${query}`, { method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  test('stores what the embedded core stores: a session, a batch and a query full of NUL and lone surrogates', async () => {
    // JSON.stringify writes NUL and lone surrogates as \u escapes: the body an attacker would send.
    const session = await send(
      'POST',
      JSON.stringify({ action: 'upsert_session', session: { sessionId: 'fn-text', platform: 'whatnot', status: 'live', sellers: ['hann\u0000ah\ud800'], detail: 'a\u0000' } }),
    );
    expect(session).toEqual({ status: 200, body: { ok: true } });
    const capturedAt = '2026-01-01T12:00:00.000Z';
    const messages = [
      { id: 'd1\u0000', platform: 'whatnot', author: { name: `${'n'.repeat(199)}😀`, badges: ['mod\u0000'] }, text: `${'x'.repeat(1_999)}😀`, capturedAt },
      { id: 'd2', platform: 'whatnot', author: { name: 'bob\ud83d', id: '\udc00' }, text: 'hi \u0000there \ud83d', capturedAt },
      { id: 'd3', platform: 'whatnot', author: { name: 'hannah' }, text: 'A1 denim jacket $20', capturedAt },
    ];
    const raw = JSON.stringify({ streamSessionId: 'fn-text', messages });
    expect(raw).toContain('\\ud83d"');
    const batch = await send('POST', raw);
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { messageId: string; stored: boolean }) => [r.messageId, r.stored])).toEqual([
      ['d1', true],
      ['d2', true],
      ['d3', true],
    ]);
    const history = await send('GET', undefined, '?streamSessionId=fn-text&q=den%00im&limit=10');
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: { text: string }) => m.text)).toEqual(['A1 denim jacket $20']);
    const all = await send('GET', undefined, '?streamSessionId=fn-text&limit=10');
    expect(all.body.messages.map((m: { id: string; author: { name: string }; text: string }) => [m.id, m.author.name, m.text]).sort()).toEqual([
      ['d1', 'n'.repeat(199), 'x'.repeat(1_999)],
      ['d2', 'bob', 'hi there'],
      ['d3', 'hannah', 'A1 denim jacket $20'],
    ]);
  });
});
