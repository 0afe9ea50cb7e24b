/**
 * concurrency: 1, 5, 10, 25 and 50 sessions watched at once, each room at 10 msg/s, one Chromium with one page
 * per session. Reports p99 latency (creation -> /ws receipt), memory (Chromium's process tree from
 * /proc: RSS summed and PSS, which splits shared pages fairly; Node's RSS and heap) and CPU per session
 * (Chromium tree + Node, over the steady window). A fresh service per point keeps memory comparable.
 */
import { startFixtureServer, type FixtureServer } from '../test/fixtures/server.ts';
import { post, Subscriber } from '../test/support/service.ts';
import {
  integrity,
  isLive,
  mixLine,
  now,
  paced,
  quietest,
  ReceiveLog,
  sleep,
  startStage,
  waitUntil,
  type BenchContext,
  type BenchResult,
  type Benchmark,
  type MixLine,
} from './lib/harness.ts';
import { cpuWindow, loopDelayWindow, nodeMemory, treeMemory } from './lib/proc.ts';
import { round, summarize } from './lib/stats.ts';

const SESSION_COUNTS = [1, 5, 10, 25, 50] as const;
const PER_SESSION_RATE = 10;

async function measure(sessions: number, context: BenchContext): Promise<BenchResult> {
  const stage = await startStage();
  const extraServers: FixtureServer[] = [];
  try {
    const { service, fixtures } = stage;
    const chromiumPid = service.pool.pid;
    if (chromiumPid === undefined) throw new Error('Chromium has no pid');
    await sleep(1_000);
    const baseChromium = treeMemory(chromiumPid);

    const sub = await Subscriber.connect(service.url, '*');
    const received = new ReceiveLog(sub);
    const rooms = Array.from({ length: sessions }, (_, i) => `conc-${sessions}-${i}-${Date.now().toString(36)}`);
    // Chromium opens at most 6 HTTP/1.1 connections per host:port and every fixture page holds one open
    // for its SSE stream, so each room gets its own fixture server (as each real channel has its socket).
    const servers = [fixtures];
    while (servers.length < sessions) servers.push(await startFixtureServer());
    extraServers.push(...servers.slice(1));
    for (const [i, room] of rooms.entries()) {
      const res = await post(service.url, '/api/start-monitoring', {
        url: servers[i]!.pageUrl(room, { mode: 'virtual', window: 20 }),
        sessionId: room,
        platform: 'whatnot',
      });
      if (res.status !== 201) throw new Error(`start-monitoring answered ${res.status}`);
    }
    const allLive = await waitUntil(
      () => rooms.every((room) => sub.events.some((e) => isLive(e, room))),
      60_000,
    );
    if (!allLive) throw new Error(`not every one of ${sessions} sessions went live`);

    const fixtureRooms = rooms.map((room, i) => servers[i]!.room(room));
    const total = sessions * PER_SESSION_RATE;
    // Warm-up: one second of traffic in every room, not counted.
    await paced(total, total, (i) => fixtureRooms[i % sessions]!.post([{ author: 'warmup', text: `warmup ${i}` }]));
    await sleep(500);

    const seconds = context.quick ? 4 : 15;
    const count = total * seconds;
    const sent: MixLine[] = [];
    const created = new Float64Array(count);
    const cpu = cpuWindow([chromiumPid]);
    const loop = loopDelayWindow();
    await paced(count, total, (i) => {
      const line = mixLine(i);
      sent.push(line);
      created[i] = now();
      fixtureRooms[i % sessions]!.post([{ author: line.author, text: line.text }]);
    });
    const usage = cpu.stop();
    const blocked = loop.stop();
    const chromium = treeMemory(chromiumPid);
    const node = nodeMemory();
    const timed = sent.filter((l) => l.token !== undefined).length;
    await waitUntil(() => received.arrivals.size >= timed, 10_000);
    sub.close();

    const latencies: number[] = [];
    for (const [token, at] of received.arrivals) if (token < count) latencies.push(at - created[token]!);
    const latency = summarize(latencies);
    const check = integrity(sent, received.lines.filter((l) => l.author !== 'warmup'));
    const cpuPerSession = ((usage.treeCores ?? 0) + usage.nodeCores) / sessions;
    context.log(
      `  ${sessions} sessions: p99 ${latency.p99} ms, chromium PSS ${chromium.pssMb.toFixed(0)} MB, cpu/session ${(cpuPerSession * 100).toFixed(1)}%`,
    );
    return {
      name: 'concurrency',
      params: { sessions, ratePerSession: PER_SESSION_RATE },
      metrics: {
        p50: latency.p50,
        p99: latency.p99,
        max: latency.max,
        lost: check.lost,
        duplicated: check.duplicated,
        chromiumProcesses: chromium.processes,
        chromiumRssMb: round(chromium.rssMb, 0),
        chromiumPssMb: round(chromium.pssMb, 0),
        chromiumPssPerSessionMb: round((chromium.pssMb - baseChromium.pssMb) / sessions, 1),
        nodeRssMb: round(node.rssMb, 0),
        nodeHeapMb: round(node.heapUsedMb, 0),
        chromiumCpuPct: round((usage.treeCores ?? 0) * 100, 1),
        nodeCpuPct: round(usage.nodeCores * 100, 1),
        cpuPerSessionPct: round(cpuPerSession * 100, 2),
        loopDelayP99: round(blocked.p99Ms, 1),
        loopDelayMax: round(blocked.maxMs, 1),
        foreignCpuPct: round(usage.foreignCores * 100, 1),
      },
    };
  } finally {
    await stage.close();
    await Promise.all(extraServers.map((server) => server.close()));
  }
}

export const concurrency: Benchmark = {
  names: ['concurrency'],
  async run(context) {
    const results: BenchResult[] = [];
    for (const sessions of SESSION_COUNTS) {
      const measured = await quietest(
        context,
        `${sessions} sessions`,
        async () => [await measure(sessions, context)],
        (point) => Number(point[0]!.metrics.foreignCpuPct ?? 0),
      );
      results.push(...measured);
    }
    return results;
  },
};
