/**
 * Several instances sharing the shows (issue 14): three real service processes, a real redis-server and
 * a real PostgreSQL (DATABASE_URL) on loopback, all started here. Counts are exact: every message that was
 * on the page is stored once, and a /ws client on an instance that does not run the show receives every
 * event once and in seq order, across a SIGKILL of the owner, a SIGTERM hand-over, a Redis restart and an
 * owner paused past its lock (fencing); and the overlay, whose link and featured message work through any instance.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, Subscriber } from './support/service.ts';
import { startPostgres, type RealPostgres } from './support/postgres.ts';
import { startRedis, type RealRedis } from './support/redis.ts';
import {
  buildServer,
  exactlyOnce,
  getJson,
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
let redis: RealRedis;
let pg: RealPostgres;
const instances = new Map<string, ServiceProcess>();
const dataDirs = new Map<string, string>();
const logsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-cluster-logs-'));

interface Row {
  sessionId: string;
  status: string;
  instance: string | null;
  messageCount: number;
}

interface Health {
  cluster: { instance: string; owned: string[]; members: string[] };
}

function envFor(name: string, extra: Record<string, string> = {}): Record<string, string> {
  if (!dataDirs.has(name)) dataDirs.set(name, fs.mkdtempSync(path.join(os.tmpdir(), `earshot-cluster-${name}-`)));
  return {
    DATA_DIR: dataDirs.get(name)!,
    INSTANCE_ID: name,
    REDIS_URL: redis.url,
    DATABASE_URL: pg.url,
    ALLOW_PRIVATE_URLS: fixtures.url,
    CLUSTER_LOCK_MS: '4000',
    CLUSTER_STALLED_MS: '1000',
    MAX_SESSIONS: '2',
    // The shows here post nothing for a while: they must stay live, not turn no_chat_found.
    NO_CHAT_TIMEOUT_MS: '600000',
    ...extra,
  };
}

async function launch(name: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await startServiceProcess(envFor(name, extra));
  instances.set(name, service);
  return service;
}

function saveLog(name: string, service: ServiceProcess): void {
  fs.appendFileSync(path.join(logsDir, `${name}.log`), service.output());
}

const rows = (service: ServiceProcess): Promise<Row[]> => getJson(`${service.url}/api/sessions`);
const row = (service: ServiceProcess, id: string): Promise<Row> => getJson(`${service.url}/api/sessions/${id}`);
const health = (service: ServiceProcess): Promise<Health> => getJson(`${service.url}/health`);

/** The instance running `id`, by what the cluster lists (and that instance's own /health agrees). */
async function ownerOf(id: string, via: ServiceProcess, not?: string): Promise<string> {
  let owner: string | null = null;
  await until(
    async () => {
      const r = await row(via, id);
      owner = r.status === 'live' ? r.instance : null;
      if (!owner || owner === not || !instances.has(owner)) return false;
      return (await health(instances.get(owner)!)).cluster.owned.includes(id);
    },
    60_000,
    () => `no live owner for ${id}`,
  );
  return owner!;
}

/** The session events a subscriber got for `id` (not the subscribed/gap notices). */
function stamped(sub: Subscriber, id: string): Array<{ type: string; seq: number; [key: string]: any }> {
  return sub.events.filter((e) => e.sessionId === id && typeof e.seq === 'number' && e.type !== 'subscribed') as Array<{
    type: string;
    seq: number;
  }>;
}

/** Every event a subscriber got for `id` arrived once, in seq order, and no message twice. */
function expectOrderedOnce(sub: Subscriber, id: string): void {
  const events = stamped(sub, id);
  const seqs = events.map((e) => e.seq as number);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  const ids = sub.messages(id).map((e) => e.message.id);
  expect(new Set(ids).size).toBe(ids.length);
  const texts = sub.texts(id);
  expect(new Set(texts).size).toBe(texts.length);
}

async function expectStoredOnce(via: ServiceProcess, id: string, expected: string[]): Promise<void> {
  let stored: Array<{ id: string; text: string }> = [];
  await until(
    async () => {
      stored = await storedMessages(via.url, id);
      return exactlyOnce(expected, stored.map((m) => m.text)).missing.length === 0;
    },
    60_000,
    () => JSON.stringify(exactlyOnce(expected, stored.map((m) => m.text))),
  );
  // Late duplicates would arrive within a sweep or two.
  await sleep(2_500);
  stored = await storedMessages(via.url, id);
  expect(exactlyOnce(expected, stored.map((m) => m.text))).toEqual({ missing: [], repeated: [], unexpected: [] });
  expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
}

const lines = (prefix: string, n: number): Array<{ author: string; text: string }> =>
  Array.from({ length: n }, (_, i) => ({ author: `viewer${i % 5}`, text: `${prefix} ${i}` }));

interface RunningShow {
  id: string;
  sent: Array<{ author: string; text: string }>;
  owner: string;
  watcherName: string;
  watcher: ServiceProcess;
  /** A /ws client on an instance that does not run the show, subscribed from the first event. */
  sub: Subscriber;
  /** The page's chat: 150 messages at 5 a second. */
  posting: Promise<void>;
}

/** Starts a show through `via`, finds its owner, subscribes on another instance and waits for 25 messages. */
async function beginShow(id: string, via: string): Promise<RunningShow> {
  const sent = lines(`${id} line`, 150);
  const through = instances.get(via)!;
  expect((await post(through.url, '/api/start-monitoring', { url: shows.url(id), sessionId: id, platform: 'whatnot' })).status).toBe(201);
  const owner = await ownerOf(id, through);
  const watcherName = ['a', 'b', 'c'].find((n) => n !== owner)!;
  const watcher = instances.get(watcherName)!;
  const sub = await Subscriber.connect(watcher.url, id, 0);
  const posting = shows.run(id, sent, 5);
  await sub.waitFor(() => sub.messages(id).length >= 25, 60_000);
  return { id, sent, owner, watcherName, watcher, sub, posting };
}

/** Once the chat is over: every message stored once, the watcher got each event once and in order. */
async function finishShow(show: RunningShow): Promise<void> {
  const { id, sent, watcher, sub } = show;
  await show.posting;
  await expectStoredOnce(watcher, id, sent.map((m) => m.text));
  await sub.waitFor(() => sub.messages(id).length >= sent.length, 60_000);
  expect(sub.texts(id).sort()).toEqual(sent.map((m) => m.text).sort());
  expectOrderedOnce(sub, id);
}

beforeAll(async () => {
  buildServer();
  [fixtures, redis, pg] = await Promise.all([startFixtureServer(), startRedis(), startPostgres()]);
  shows = mountShows(fixtures);
  // The first start migrates the shared database; the others find it done (or wait on its lock).
  await Promise.all(['a', 'b', 'c'].map((name) => launch(name)));
}, 240_000);

afterAll(async () => {
  for (const [name, service] of instances) {
    saveLog(name, service);
    await service.killHard().catch(() => undefined);
  }
  shows?.close();
  await fixtures?.close();
  await redis?.stop();
  await pg?.stop();
}, 60_000);

test('any instance starts, lists and stops; a show runs on exactly one instance; MAX_SESSIONS is each instance’s limit', async () => {
  const [a, b, c] = ['a', 'b', 'c'].map((n) => instances.get(n)!);
  await until(async () => (await health(a)).cluster.members.length === 3, 30_000);
  expect((await health(b)).cluster).toEqual(expect.objectContaining({ instance: 'b', members: ['a', 'b', 'c'] }));

  // Seven shows, started through different instances, on 3 instances x MAX_SESSIONS 2: six run, one waits.
  const ids = Array.from({ length: 7 }, (_, i) => `cap-${i}`);
  for (const [i, id] of ids.entries()) {
    const via = [a, b, c][i % 3]!;
    const res = await post(via.url, '/api/start-monitoring', { url: shows.url(id), sessionId: id, platform: 'whatnot' });
    expect(res.status).toBe(201);
  }
  // Starting one again, through another instance, finds it.
  expect((await post(c.url, '/api/start-monitoring', { url: shows.url('cap-0'), sessionId: 'cap-0', platform: 'whatnot' })).status).toBe(200);
  await until(async () => (await rows(c)).filter((r) => ids.includes(r.sessionId) && r.status === 'live').length === 6, 90_000);
  const listed = (await rows(b)).filter((r) => ids.includes(r.sessionId));
  expect(listed).toHaveLength(7);
  const perInstance = new Map<string, number>();
  for (const r of listed.filter((x) => x.status === 'live')) perInstance.set(r.instance!, (perInstance.get(r.instance!) ?? 0) + 1);
  expect([...perInstance.values()]).toEqual([2, 2, 2]);
  const waiting = listed.find((r) => r.status !== 'live')!;
  expect(waiting).toEqual(expect.objectContaining({ status: 'starting', instance: null }));
  // Each instance's own view agrees with the list: it runs exactly the shows listed with its name.
  for (const [name, service] of [['a', a], ['b', b], ['c', c]] as const) {
    const owned = (await health(service)).cluster.owned.filter((id) => ids.includes(id)).sort();
    expect(owned).toEqual(listed.filter((r) => r.instance === name && r.status === 'live').map((r) => r.sessionId).sort());
  }

  // Stopping a show through an instance that does not run it frees its place for the waiting one.
  const running = listed.find((r) => r.status === 'live')!;
  const other = [a, b, c].find((_, i) => ['a', 'b', 'c'][i] !== running.instance)!;
  expect((await post(other.url, '/api/stop-monitoring', { sessionId: running.sessionId })).status).toBe(200);
  await until(async () => (await row(a, running.sessionId)).status === 'stopped', 30_000);
  await until(async () => (await row(a, waiting.sessionId)).status === 'live', 60_000);

  for (const id of ids) await post(a.url, '/api/stop-monitoring', { sessionId: id });
  await until(async () => (await rows(b)).filter((r) => ids.includes(r.sessionId)).every((r) => r.status === 'stopped'), 30_000);
  for (const service of [a, b, c]) expect((await health(service)).cluster.owned.filter((id) => ids.includes(id))).toEqual([]);
}, 240_000);

test('the overlay works on any instance: a message featured through one reaches an overlay page on another, and a new link made on a third closes it', async () => {
  const id = 'overlay-show';
  const a = instances.get('a')!;
  expect((await post(a.url, '/api/start-monitoring', { url: shows.url(id), sessionId: id, platform: 'whatnot' })).status).toBe(201);
  const owner = await ownerOf(id, a);
  const [watcherName, thirdName] = ['a', 'b', 'c'].filter((n) => n !== owner);
  const watcher = instances.get(watcherName!)!;
  const third = instances.get(thirdName!)!;
  await shows.run(id, lines(`${id} line`, 5), 5);
  let stored: Array<{ id: string; text: string }> = [];
  await until(async () => (stored = await storedMessages(watcher.url, id)).length === 5, 60_000);

  // A link made through an instance that does not run the show; the page follows /ws on that instance.
  const link = (await post(watcher.url, `/api/sessions/${id}/overlay-link`, {})).body as { token: string };
  const overlay = new WebSocket(`${watcher.url.replace(/^http/, 'ws')}/ws?overlay_token=${encodeURIComponent(link.token)}`);
  const frames: any[] = [];
  let closed: { code: number; reason: string } | undefined;
  overlay.on('message', (data) => frames.push(JSON.parse(String(data))));
  overlay.on('close', (code, reason) => (closed = { code, reason: String(reason) }));
  await new Promise((resolve, reject) => overlay.once('open', resolve).once('error', reject));
  overlay.send(JSON.stringify({ type: 'subscribe', sessionId: id }));
  await until(() => frames.some((f) => f.type === 'subscribed'), 30_000);

  // Featured through the show's owner: the event goes through the show's stream to the page's instance.
  const featured = await fetch(`${instances.get(owner)!.url}/api/sessions/${id}/featured`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messageId: stored[0]!.id }),
  });
  expect(featured.status).toBe(200);
  await until(
    () => frames.some((f) => f.type === 'featured_message' && f.featured?.messageId === stored[0]!.id),
    30_000,
    () => `(owner ${owner}, watcher ${watcherName}; the overlay saw ${JSON.stringify(frames).slice(0, 600)}; closed ${JSON.stringify(closed)})`,
  );
  expect(frames.filter((f) => f.type === 'new_message')).toEqual([]);
  // Any instance reads the same state with the link (the featured message is stored, not held in memory).
  const state = await fetch(`${third.url}/overlay/${id}/state`, { headers: { 'x-overlay-token': link.token } });
  expect(state.status).toBe(200);
  expect(((await state.json()) as { featured: { text: string } }).featured.text).toBe(stored[0]!.text);

  // A new link made on the third instance closes the page on the watcher, and the old token is refused there.
  expect((await post(third.url, `/api/sessions/${id}/overlay-link`, {})).status).toBe(201);
  await until(() => closed !== undefined, 30_000);
  expect(closed).toEqual({ code: 4401, reason: 'overlay_link_changed' });
  expect((await fetch(`${watcher.url}/overlay/${id}/state`, { headers: { 'x-overlay-token': link.token } })).status).toBe(401);
  await post(a.url, '/api/stop-monitoring', { sessionId: id });
}, 180_000);

test('SIGKILL of the owner: the show is live on another instance by itself; every message stored once, and /ws on a third instance gets each event once, in order, with since', async () => {
  const show = await beginShow('kill-show', 'a');
  const { id, owner, watcherName, watcher, sub } = show;
  const victim = instances.get(owner)!;
  await victim.killHard();
  saveLog(owner, victim);
  instances.delete(owner);

  const next = await ownerOf(id, watcher, owner);
  expect(next).not.toBe(owner);
  await finishShow(show);

  // A client on yet another instance resumes from the middle of the stream: the rest, the same numbers.
  const third = instances.get(['a', 'b', 'c'].find((n) => n !== owner && n !== watcherName)!)!;
  const middle = sub.messages(id)[Math.floor(show.sent.length / 2)]!.seq;
  const late = await Subscriber.connect(third.url, id, middle);
  const expectedAfter = stamped(sub, id).filter((e) => e.seq > middle);
  await late.waitFor(() => stamped(late, id).length >= expectedAfter.length, 30_000);
  const got = stamped(late, id);
  expect(got.map((e) => [e.seq, e.type])).toEqual(expectedAfter.map((e) => [e.seq, e.type]));
  late.close();
  sub.close();

  await post(watcher.url, '/api/stop-monitoring', { sessionId: id });
  // The killed instance comes back on its DATA_DIR and rejoins.
  await launch(owner);
}, 300_000);

test('SIGTERM hands the show over at once; Redis restarted mid-show loses nothing; seq goes on', async () => {
  const show = await beginShow('handover-show', 'b');
  const { id, owner, watcher, sub } = show;

  const leaving = instances.get(owner)!;
  expect(await leaving.stop()).toEqual({ code: 0, signal: null });
  saveLog(owner, leaving);
  instances.delete(owner);
  expect(leaving.logLines().some((l) => l.msg === 'lost the show: stopped capturing it (fenced)')).toBe(false);
  const next = await ownerOf(id, watcher, owner);
  expect(next).not.toBe(owner);
  await sub.waitFor(() => sub.messages(id).length >= 60, 60_000);

  // Redis goes away for a while and comes back with its data: readiness says so, nothing is lost.
  await redis.pause();
  await until(async () => {
    const res = await fetch(`${watcher.url}/health/ready`);
    const body = (await res.json()) as { ready: boolean; checks: { redis?: boolean } };
    return !body.ready && body.checks.redis === false;
  }, 20_000);
  await sleep(1_500);
  await redis.resume();
  await until(async () => ((await (await fetch(`${watcher.url}/health/ready`)).json()) as { ready: boolean }).ready, 30_000);

  await finishShow(show);
  sub.close();

  await post(watcher.url, '/api/stop-monitoring', { sessionId: id });
  await launch(owner);
}, 300_000);

test('an owner paused past its lock (SIGSTOP) is fenced when it wakes: one instance runs the show, nothing stored or sent twice', async () => {
  const show = await beginShow('paused-show', 'c');
  const { id, owner, watcher, sub } = show;
  const paused = instances.get(owner)!;

  // Only the service process stops; its Chromium goes on receiving chat, which the process reads when it wakes.
  process.kill(paused.child.pid!, 'SIGSTOP');
  let next: string;
  try {
    next = await ownerOf(id, watcher, owner);
  } finally {
    process.kill(paused.child.pid!, 'SIGCONT');
  }
  await until(() => paused.logLines().some((l) => l.msg === 'lost the show: stopped capturing it (fenced)' && l.sessionId === id), 30_000);
  await until(async () => !(await health(paused)).cluster.owned.includes(id), 10_000);
  expect((await health(instances.get(next)!)).cluster.owned).toContain(id);

  await finishShow(show);
  sub.close();
  await post(watcher.url, '/api/stop-monitoring', { sessionId: id });
}, 300_000);
