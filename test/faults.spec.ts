/**
 * Fault suite, real processes, exact counts afterwards: every message that was on the page is stored,
 * none twice. The service is SIGKILLed mid-show (with its Chromium) and restarted on the same DATA_DIR;
 * then its Chromium alone is killed. Along the way: one structured log line per session transition and
 * GET /metrics from the running process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post } from './support/service.ts';
import {
  buildServer,
  chromiumOf,
  exactlyOnce,
  getJson,
  killGroup,
  mountShows,
  sleep,
  startServiceProcess,
  storedMessages,
  until,
  type ServiceProcess,
  type Shows,
} from './faults-support.ts';

let fixtures: FixtureServer;
let shows: Shows;
/** A second fixture origin whose shows keep only 20 messages of history (a fast chat). */
let shortFixtures: FixtureServer;
let shortShows: Shows;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  buildServer();
  fixtures = await startFixtureServer();
  shows = mountShows(fixtures);
  shortFixtures = await startFixtureServer();
  shortShows = mountShows(shortFixtures, 20);
}, 180_000);

afterAll(async () => {
  for (const service of running) await service.killHard().catch(() => undefined);
  shows?.close();
  shortShows?.close();
  await fixtures?.close();
  await shortFixtures?.close();
});

async function start(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startServiceProcess(env);
  running.push(service);
  return service;
}

interface SessionRow {
  sessionId: string;
  status: string;
  messageCount: number;
}

const session = (service: ServiceProcess, id: string): Promise<SessionRow> => getJson(`${service.url}/api/sessions/${id}`);

test('SIGKILL mid-show and a restart on the same DATA_DIR, then a killed Chromium: every message stored exactly once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-faults-'));
  const env = { DATA_DIR: dataDir, ALLOW_PRIVATE_URLS: fixtures.url };
  const pageUrl = shows.url('fault-show');
  const sent = Array.from({ length: 120 }, (_, i) => ({ author: `viewer${i % 7}`, text: `show line ${i}` }));

  const first = await start(env);
  const started = await post(first.url, '/api/start-monitoring', { url: pageUrl, sessionId: 'show', platform: 'whatnot' });
  expect(started.status).toBe(201);
  // 5 messages a second for 24 s, whatever happens to the service meanwhile.
  const show = shows.run('fault-show', sent, 5);

  await until(async () => (await session(first, 'show')).messageCount >= 25, 30_000);
  await first.killHard();
  expect((await first.exited).signal).toBe('SIGKILL');

  const second = await start(env);
  await until(async () => (await session(second, 'show')).status === 'live', 60_000, () => second.output().slice(-2000));
  const beforeBrowserKill = (await session(second, 'show')).messageCount;
  await until(async () => (await session(second, 'show')).messageCount >= beforeBrowserKill + 10, 30_000);

  const browser = chromiumOf(second.child.pid!);
  expect(browser).toBeDefined();
  killGroup(browser!);
  await until(
    () => second.logLines().some((l) => l.msg === 'session recovering' && l.sessionId === 'show'),
    30_000,
    () => second.output().slice(-2000),
  );

  await show;
  // Kept beside the data for whoever debugs a failure.
  fs.writeFileSync(path.join(dataDir, 'first.log'), first.output());
  fs.writeFileSync(path.join(dataDir, 'second.log'), second.output());
  const expected = sent.map((m) => m.text);
  let stored: Array<{ id: string; text: string }> = [];
  await until(
    async () => {
      stored = await storedMessages(second.url, 'show');
      return exactlyOnce(expected, stored.map((m) => m.text)).missing.length === 0;
    },
    45_000,
    () => JSON.stringify(exactlyOnce(expected, stored.map((m) => m.text))),
  );
  // Late duplicates would arrive within a sweep or two.
  await sleep(2_500);
  stored = await storedMessages(second.url, 'show');
  expect(exactlyOnce(expected, stored.map((m) => m.text))).toEqual({ missing: [], repeated: [], unexpected: [] });
  expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
  expect(stored).toHaveLength(sent.length);

  // Operations: a structured line per transition, with sessionId and platform.
  const transitions = [...first.logLines(), ...second.logLines()].filter((l) => l.event === 'session_status' && l.sessionId === 'show');
  expect(transitions.every((l) => l.platform === 'whatnot')).toBe(true);
  const statuses = transitions.map((l) => l.status);
  expect(statuses).toEqual(expect.arrayContaining(['starting', 'live', 'recovering']));
  expect(transitions.find((l) => l.status === 'recovering')?.reason).toBeTruthy();

  // GET /metrics of the second process: its own counts in Prometheus text.
  const metricsRes = await fetch(`${second.url}/metrics`);
  expect(metricsRes.headers.get('content-type')).toMatch(/^text\/plain/);
  const metrics = await metricsRes.text();
  const value = (pattern: RegExp): number => Number(pattern.exec(metrics)?.[1] ?? NaN);
  expect(value(/^earshot_recoveries_total\{platform="whatnot"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
  expect(value(/^earshot_messages_total\{platform="whatnot"\} (\d+)$/m)).toBeGreaterThan(0);
  expect(value(/^earshot_capture_latency_seconds_count\{platform="whatnot"\} (\d+)$/m)).toBeGreaterThan(0);
  expect(metrics).toMatch(/^earshot_active_sessions 1$/m);
  expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
  const health = (await getJson(`${second.url}/health`)) as { activeSessions: number; capture: { recoveries: number; messages: number } };
  expect(health.activeSessions).toBe(1);
  expect(health.capture.recoveries).toBe(value(/^earshot_recoveries_total\{platform="whatnot"\} (\d+)$/m));
  expect(health.capture.messages).toBe(value(/^earshot_messages_total\{platform="whatnot"\} (\d+)$/m));

  expect(await second.stop()).toEqual({ code: 0, signal: null });
}, 240_000);

// Regression: the stream state behind position ids reached sessions.json only every 2 s. A service killed
// in between resumed from a tail missing its last positions; when the reloaded page no longer overlapped
// that tail, the first new rows got positions already handed out (ids already stored) and were dropped as
// duplicates. Positions are now journaled per batch (src/capture/browser/stream-journal.ts).
test('SIGKILL right after a burst, with the chat moving on while the service is down: the restarted page loses nothing', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-faults-journal-'));
  const env = { DATA_DIR: dataDir, ALLOW_PRIVATE_URLS: shortFixtures.url };
  const line = (i: number) => ({ author: `viewer${i % 5}`, text: `fast line ${i}` });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k));

  const first = await start(env);
  const started = await post(first.url, '/api/start-monitoring', { url: shortShows.url('fast'), sessionId: 'fast', platform: 'whatnot' });
  expect(started.status).toBe(201);
  await until(async () => (await session(first, 'fast')).status === 'live', 60_000, () => first.output().slice(-2000));
  await shortShows.run('fast', range(0, 40), 20);
  // Killed the moment the burst is captured: the last 2 s of positions are not in sessions.json yet.
  await until(async () => (await session(first, 'fast')).messageCount >= 40, 30_000);
  await first.killHard();

  // While it is down the chat moves on by more than the page keeps: 40-44 scroll away unseen, and the
  // reloaded page (45-64) shares no row with what was captured before.
  await shortShows.run('fast', range(40, 65), 100);
  const second = await start(env);
  await until(async () => (await session(second, 'fast')).status === 'live', 60_000, () => second.output().slice(-2000));
  // (Counted in storage: the session's messageCount restarts from the last save, see the closing note of #17.)
  await until(async () => (await storedMessages(second.url, 'fast')).length >= 60, 30_000, () => second.output().slice(-2000));
  await shortShows.run('fast', range(65, 85), 10);

  const expected = [...range(0, 40), ...range(45, 85)].map((m) => m.text);
  const seen = (stored: Array<{ text: string }>) => exactlyOnce(expected, stored.map((m) => m.text).filter((t) => !/^fast line 4[0-4]$/.test(t)));
  let stored: Array<{ id: string; text: string }> = [];
  await until(
    async () => {
      stored = await storedMessages(second.url, 'fast');
      return seen(stored).missing.length === 0;
    },
    45_000,
    () => JSON.stringify(seen(stored)),
  );
  await sleep(2_500);
  stored = await storedMessages(second.url, 'fast');
  expect(seen(stored)).toEqual({ missing: [], repeated: [], unexpected: [] });
  expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
  expect(await second.stop()).toEqual({ code: 0, signal: null });
}, 240_000);
