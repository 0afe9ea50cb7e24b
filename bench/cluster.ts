/**
 * cluster-failover, cluster-fanout, cluster-capacity: three instances on this machine (real processes),
 * a real redis-server and PostgreSQL (DATABASE_URL) on loopback, the cluster's default lock timings
 * (CLUSTER_LOCK_MS 10 s, CLUSTER_STALLED_MS 5 s).
 * - failover: seconds from the owner's SIGKILL (or SIGTERM) until the show is live on another instance,
 *   median and max over repeats.
 * - fanout: chat posted on the page -> new_message on a /ws client of the owning instance and of another
 *   instance, p50/p99 of each (every event goes through the show's Redis stream either way).
 * - capacity: shows per instance (MAX_SESSIONS each, all three full) against capture p99, for the largest
 *   count that stays within 250 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureServer } from '../test/fixtures/server.ts';
import { getJson, mountShows, startServiceProcess, type ServiceProcess, type Shows } from '../test/faults-support.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { startRedis, type RealRedis } from '../test/support/redis.ts';
import { post, Subscriber } from '../test/support/service.ts';
import { sleep, type BenchResult, type Benchmark } from './lib/harness.ts';
import { round, summarize } from './lib/stats.ts';

interface Row {
  sessionId: string;
  status: string;
  instance: string | null;
}

interface Cluster {
  instances: Map<string, ServiceProcess>;
  launch(name: string): Promise<ServiceProcess>;
  close(): Promise<void>;
}

async function startCluster(redis: RealRedis, databaseUrl: string, fixturesUrl: string, maxSessions: number): Promise<Cluster> {
  const instances = new Map<string, ServiceProcess>();
  const dirs = new Map<string, string>();
  const launch = async (name: string): Promise<ServiceProcess> => {
    if (!dirs.has(name)) dirs.set(name, fs.mkdtempSync(path.join(os.tmpdir(), `earshot-bench-cluster-${name}-`)));
    const service = await startServiceProcess({
      DATA_DIR: dirs.get(name)!,
      INSTANCE_ID: name,
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      ALLOW_PRIVATE_URLS: fixturesUrl,
      MAX_SESSIONS: String(maxSessions),
      NO_CHAT_TIMEOUT_MS: '600000',
    });
    instances.set(name, service);
    return service;
  };
  const started = await Promise.allSettled(['a', 'b', 'c'].map(launch));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // The instances that did start must not outlive a benchmark that cannot use them.
    for (const service of instances.values()) await service.killHard().catch(() => undefined);
    throw failed.reason;
  }
  return {
    instances,
    launch,
    close: async () => {
      for (const service of instances.values()) await service.stop().catch(() => undefined);
      for (const dir of dirs.values()) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls (every 50 ms) until the show is live on an instance other than `not`; returns that instance. */
async function liveElsewhere(via: ServiceProcess, id: string, not: string | null, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const row = await getJson<Row>(`${via.url}/api/sessions/${id}`);
      if (row.status === 'live' && row.instance && row.instance !== not) return row.instance;
    } catch {
      // an instance going away: poll on
    }
    await sleep(50);
  }
  return null;
}

/** Posts `count` messages at `perSecond`, each text carrying its post time. */
async function postTimed(shows: Shows, id: string, count: number, perSecond: number): Promise<void> {
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / perSecond - Date.now();
    if (wait > 1) await sleep(wait);
    void shows.run(id, [{ author: `viewer${i % 9}`, text: `bench ${i} t=${Date.now()}` }], 1000);
  }
}

function latencies(sub: Subscriber, id: string): number[] {
  return sub.messages(id).flatMap((e) => {
    const match = /t=(\d+)$/.exec(e.message.text);
    return match ? [sub.receivedAt.get(e.seq)! - Number(match[1])] : [];
  });
}

export const cluster: Benchmark = {
  names: ['cluster-failover', 'cluster-fanout', 'cluster-capacity'],
  async run(context) {
    // `npm run bench` built dist/ before any benchmark runs.
    const [fixtures, redis, pg] = await Promise.all([startFixtureServer(), startRedis(), startPostgres()]);
    const shows = mountShows(fixtures);
    const results: BenchResult[] = [];
    try {
      // Failover and fan-out: 3 instances with room to spare.
      const group = await startCluster(redis, pg.url, fixtures.url, 5);
      try {
        const repeats = context.quick ? 1 : 3;
        for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
          const seconds: number[] = [];
          for (let r = 0; r < repeats; r++) {
            const id = `failover-${signal}-${r}`;
            const via = group.instances.get('a')!;
            await post(via.url, '/api/start-monitoring', { url: shows.url(id), sessionId: id, platform: 'whatnot' });
            const owner = (await liveElsewhere(via, id, null, 60_000))!;
            const survivor = [...group.instances.entries()].find(([name]) => name !== owner)![1];
            const victim = group.instances.get(owner)!;
            const t0 = Date.now();
            if (signal === 'SIGKILL') await victim.killHard();
            else void victim.stop();
            const next = await liveElsewhere(survivor, id, owner, 90_000);
            if (next) seconds.push((Date.now() - t0) / 1000);
            await victim.exited;
            group.instances.delete(owner);
            await post(survivor.url, '/api/stop-monitoring', { sessionId: id });
            await group.launch(owner);
          }
          const sorted = [...seconds].sort((x, y) => x - y);
          results.push({
            name: 'cluster-failover',
            params: { signal, repeats, lockMs: 10_000, stalledMs: 5_000 },
            metrics: {
              medianS: round(sorted[Math.floor(sorted.length / 2)] ?? null),
              maxS: round(sorted[sorted.length - 1] ?? null),
              tookOver: `${seconds.length}/${repeats}`,
            },
          });
          context.log(`  failover ${signal}: ${sorted.map((s) => s.toFixed(1)).join(', ')} s`);
        }

        const id = 'fanout-show';
        const via = group.instances.get('a')!;
        await post(via.url, '/api/start-monitoring', { url: shows.url(id), sessionId: id, platform: 'whatnot' });
        const owner = (await liveElsewhere(via, id, null, 60_000))!;
        const other = [...group.instances.entries()].find(([name]) => name !== owner)![1];
        const same = await Subscriber.connect(group.instances.get(owner)!.url, id);
        const cross = await Subscriber.connect(other.url, id);
        const count = context.quick ? 200 : 1_000;
        await postTimed(shows, id, count, 50);
        await Promise.all([same, cross].map((s) => s.waitFor(() => s.messages(id).length >= count, 60_000).catch(() => undefined)));
        for (const [where, sub] of [['same-instance', same], ['cross-instance', cross]] as const) {
          const summary = summarize(latencies(sub, id));
          results.push({
            name: 'cluster-fanout',
            params: { where, messages: count, perSecond: 50 },
            metrics: { received: sub.messages(id).length, p50Ms: summary.p50, p99Ms: summary.p99, maxMs: summary.max },
          });
          sub.close();
        }
        await post(via.url, '/api/stop-monitoring', { sessionId: id });
      } finally {
        await group.close();
      }

      // Capacity: every instance full with `perInstance` shows, 2 messages a second each.
      for (const perInstance of context.quick ? [2] : [2, 5, 10]) {
        const full = await startCluster(redis, pg.url, fixtures.url, perInstance);
        try {
          const ids = Array.from({ length: perInstance * 3 }, (_, i) => `cap-${perInstance}-${i}`);
          const a = full.instances.get('a')!;
          for (const id of ids) await post(a.url, '/api/start-monitoring', { url: shows.url(id), sessionId: id, platform: 'whatnot' });
          for (const id of ids) await liveElsewhere(a, id, null, 120_000);
          const subs = await Promise.all(ids.map((id, i) => Subscriber.connect([...full.instances.values()][i % 3]!.url, id)));
          const perShow = context.quick ? 20 : 40;
          await Promise.all(ids.map((id) => postTimed(shows, id, perShow, 2)));
          await Promise.all(subs.map((s, i) => s.waitFor(() => s.messages(ids[i]).length >= perShow, 30_000).catch(() => undefined)));
          const all = subs.flatMap((s, i) => latencies(s, ids[i]!));
          const summary = summarize(all);
          results.push({
            name: 'cluster-capacity',
            params: { instances: 3, showsPerInstance: perInstance, messagesPerShowPerSecond: 2 },
            metrics: { received: all.length, expected: ids.length * perShow, p50Ms: summary.p50, p99Ms: summary.p99, withinTarget: (summary.p99 ?? Infinity) <= 250 },
          });
          for (const s of subs) s.close();
          for (const id of ids) await post(a.url, '/api/stop-monitoring', { sessionId: id });
        } finally {
          await full.close();
        }
      }
    } finally {
      shows.close();
      await fixtures.close();
      await redis.stop();
      await pg.stop();
    }
    return results;
  },
};
