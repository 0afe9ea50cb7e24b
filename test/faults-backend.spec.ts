/**
 * Fault suite: the backend (the monitor-realtime-stream edge function under real Deno, in front of a
 * real PostgreSQL) is down for 60 s mid-show, and the service (a real process, Supabase mode) is
 * restarted inside the outage. When the function is back, every message of the show is in the database
 * exactly once: the outbox kept what could not be delivered, across the restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sql } from '../supabase/functions/_shared/db.ts';
import { connectPostgres } from '../supabase/functions/_shared/postgres.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { startDenoFunction, type RunningFunction } from './support/deno-function.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { post } from './support/service.ts';
import { buildServer, exactlyOnce, getJson, mountShows, sleep, startServiceProcess, until, type ServiceProcess, type Shows } from './faults-support.ts';

const SERVICE_KEY = 'fault-service-role-key';
const SIGNING_SECRET = 'fault-ingest-signing-secret';
const OUTAGE_MS = 60_000;

let fixtures: FixtureServer;
let shows: Shows;
let pg: RealPostgres;
let db: Sql & { close(): Promise<void> };
let fn: RunningFunction | undefined;
const running: ServiceProcess[] = [];

function startFunction(port = 0): Promise<RunningFunction> {
  return startDenoFunction('monitor-realtime-stream', {
    SUPABASE_DB_URL: pg.url,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    INGEST_SIGNING_SECRET: SIGNING_SECRET,
    DB_POOL_MAX: '2',
    EARSHOT_FUNCTION_PORT: String(port),
  });
}

beforeAll(async () => {
  buildServer();
  fixtures = await startFixtureServer();
  shows = mountShows(fixtures);
  pg = await startPostgres();
  db = connectPostgres(pg.url, { max: 2 });
  fn = await startFunction();
}, 240_000);

afterAll(async () => {
  for (const service of running) await service.killHard().catch(() => undefined);
  await fn?.stop();
  await db?.close();
  await pg?.stop();
  shows?.close();
  await fixtures?.close();
});

async function storedTexts(sessionId: string): Promise<string[]> {
  const rows = await db.query<{ message: string }>('select message from public.chat_messages where stream_session_id = $1', [sessionId]);
  return rows.map((r) => r.message);
}

test('the backend down for 60 s with a service restart inside the outage: every message stored exactly once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-outage-'));
  const functionUrl = fn!.url;
  const port = Number(new URL(functionUrl).port);
  const env = {
    DATA_DIR: dataDir,
    ALLOW_PRIVATE_URLS: fixtures.url,
    SUPABASE_URL: functionUrl,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    INGEST_SIGNING_SECRET: SIGNING_SECRET,
    // Retries come often enough that the end of the outage is noticed within seconds.
    FORWARD_RETRY_MAX_MS: '2000',
  };
  const sent = Array.from({ length: 90 }, (_, i) => ({ author: `buyer${i % 5}`, text: `outage line ${i}` }));
  const expected = sent.map((m) => m.text);

  const first = await startServiceProcess(env);
  running.push(first);
  const started = await post(first.url, '/api/start-monitoring', { url: shows.url('outage'), sessionId: 'outage', platform: 'whatnot' });
  expect(started.status).toBe(201);
  // 3 a second for 30 s: the show goes on through the outage and the restart.
  const show = shows.run('outage', sent, 3);
  await until(async () => (await storedTexts('outage')).length >= 10, 30_000);

  // The outage: nothing listens on the function's port any more.
  await fn!.stop();
  fn = undefined;
  const outageStarted = Date.now();
  const storedAtOutage = (await storedTexts('outage')).length;
  await until(async () => (await getJson<{ backlog: { messages: number } }>(`${first.url}/health`)).backlog.messages >= 10, 20_000);

  // A restart inside the outage (a deploy, say): what is undelivered waits in the outbox on disk.
  expect(await first.stop()).toEqual({ code: 0, signal: null });
  const second = await startServiceProcess(env);
  running.push(second);
  await until(async () => (await getJson<{ status: string }>(`${second.url}/api/sessions/outage`)).status === 'live', 60_000);
  const during = await getJson<{ backlog: { messages: number; consecutiveFailures: number } }>(`${second.url}/health`);
  expect(during.backlog.messages).toBeGreaterThan(0);

  await show;
  await sleep(Math.max(0, outageStarted + OUTAGE_MS - Date.now()));
  // The outage was real: nothing reached the database meanwhile.
  expect(await storedTexts('outage')).toHaveLength(storedAtOutage);
  fn = await startFunction(port);
  expect(fn.url).toBe(functionUrl);

  let stored: string[] = [];
  await until(
    async () => {
      stored = await storedTexts('outage');
      return exactlyOnce(expected, stored).missing.length === 0;
    },
    60_000,
    () => JSON.stringify(exactlyOnce(expected, stored)),
  );
  await until(async () => (await getJson<{ backlog: { messages: number } }>(`${second.url}/health`)).backlog.messages === 0, 30_000);
  stored = await storedTexts('outage');
  expect(exactlyOnce(expected, stored)).toEqual({ missing: [], repeated: [], unexpected: [] });
  expect(stored).toHaveLength(sent.length);
  fs.writeFileSync(path.join(dataDir, 'first.log'), first.output());
  fs.writeFileSync(path.join(dataDir, 'second.log'), second.output());
  expect(await second.stop()).toEqual({ code: 0, signal: null });
}, 300_000);
