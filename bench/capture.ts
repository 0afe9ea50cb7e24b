/**
 * capture-latency and burst-integrity, measured in one run per rate: the fixture room creates each
 * message (its creation time is stamped on the monotonic clock as it is posted), the page renders it in
 * a react-virtuoso-like list of 20 rows, and two watchers read the same room side by side:
 *   - Earshot: the real service (MutationObserver agent -> CDP binding -> dedup -> hub), timed when a
 *     /ws subscriber receives the frame;
 *   - the seed poller (bench/seed-poller.ts) in its own Chromium, as the seed monitor ran, timed when its
 *     poll returns (it never even gets to a socket: its numbers are a lower bound). A tab in Earshot's
 *     Chromium would share a renderer main thread with Earshot's page and slow it down.
 * Latency counts only messages a watcher saw; what it never saw is counted by burst-integrity, and the
 * seed's `p50AllSent` treats lost messages as never arriving (null once more than half are lost).
 */
import { SUPPRESS_PAINT_SCRIPT } from '../src/capture/browser/browser-source.ts';
import { BrowserPool } from '../src/capture/browser/pool.ts';
import { silentLogger } from '../src/log.ts';
import { SeedPoller } from './seed-poller.ts';
import {
  integrity,
  mixLine,
  now,
  paced,
  quietest,
  ReceiveLog,
  sleep,
  startStage,
  waitUntil,
  watchRoom,
  type BenchContext,
  type BenchResult,
  type Benchmark,
  type MixLine,
  type Stage,
} from './lib/harness.ts';
import { cpuWindow, loopDelayWindow } from './lib/proc.ts';
import { round, summarize } from './lib/stats.ts';

const RATES = [10, 100, 1000] as const;
const WINDOW = 20;

function durationFor(rate: number, quick: boolean): number {
  if (quick) return 3_000;
  return rate >= 1000 ? 10_000 : 15_000;
}

async function measureRate(stage: Stage, seedPool: BrowserPool, rate: number, context: BenchContext): Promise<BenchResult[]> {
  const room = `capture-${rate}-${Date.now().toString(36)}`;
  const sessionId = `bench-${room}`;
  const sub = await watchRoom(stage, room, sessionId, WINDOW);
  const earshot = new ReceiveLog(sub, sessionId);

  // The seed monitor's view of the same room: its own browser, polled every 1.5 s.
  const page = await seedPool.newPage();
  // Its painting is switched off like Earshot's (it reads textContent, which painting does not change):
  // two browsers painting 1,000 rows/s would fight over 2 cores and only measure the machine.
  await page.evaluateOnNewDocument(SUPPRESS_PAINT_SCRIPT);
  await page.goto(stage.fixtures.pageUrl(room, { mode: 'virtual', window: WINDOW }), { waitUntil: 'domcontentloaded' });
  const seedLog = { arrivals: new Map<number, number>(), lines: [] as Array<{ author: string; text: string }> };
  const seed = new SeedPoller({
    page,
    rowSelector: "[data-testid='chat-message']",
    authorSelector: 'strong',
    textSelector: '.body',
    clock: now,
    onMessage: ({ username, text }, at) => {
      seedLog.lines.push({ author: username, text });
      const token = /#(\d+)$/.exec(text);
      if (token && !seedLog.arrivals.has(Number(token[1]))) seedLog.arrivals.set(Number(token[1]), at);
    },
  });
  seed.start();

  // Warm-up (JIT, first layout): not counted anywhere.
  const fixtureRoom = stage.fixtures.room(room);
  await paced(30, 30, (i) => fixtureRoom.post([{ author: 'warmup', text: `warmup ${i}` }]));
  await sleep(500);

  const count = Math.round((rate * durationFor(rate, context.quick)) / 1000);
  const sent: MixLine[] = [];
  const created = new Float64Array(count);
  const cpu = cpuWindow([stage.service.pool.pid, seedPool.pid].filter((pid): pid is number => pid !== undefined));
  const loop = loopDelayWindow();
  const elapsed = await paced(count, rate, (i) => {
    const line = mixLine(i);
    sent.push(line);
    created[i] = now();
    fixtureRoom.post([{ author: line.author, text: line.text }]);
  });
  const usage = cpu.stop();
  const blocked = loop.stop();
  const timed = sent.filter((l) => l.token !== undefined).length;
  // Earshot: until everything arrived (or 10 s). Seed: two more polls so it saw the final window.
  const pollsAtEnd = seed.polls;
  await waitUntil(() => earshot.arrivals.size >= timed, 10_000);
  await waitUntil(() => seed.polls >= pollsAtEnd + 2, 5_000);
  seed.stop();
  await page.close().catch(() => undefined);
  await stage.service.sessions.stop(sessionId);
  sub.close();

  const latencies = (arrivals: Map<number, number>): number[] => {
    const out: number[] = [];
    for (const [token, at] of arrivals) if (token < count) out.push(at - created[token]!);
    return out;
  };
  const earshotLatency = summarize(latencies(earshot.arrivals));
  const seedSamples = latencies(seedLog.arrivals);
  const seedLatency = summarize(seedSamples);
  // The seed's median over everything sent, lost messages counting as never arriving.
  const seedSorted = seedSamples.sort((a, b) => a - b);
  const seedP50AllSent = seedSorted.length * 2 >= timed ? round(seedSorted[Math.ceil(timed / 2) - 1]!) : null;
  const counted = (lines: Array<{ author: string; text: string }>) => lines.filter((l) => l.author !== 'warmup');
  const earshotIntegrity = integrity(sent, counted(earshot.lines));
  const seedIntegrity = integrity(sent, counted(seedLog.lines));
  let outOfOrder = 0;
  let highest = -1;
  for (const line of counted(earshot.lines)) {
    const token = /#(\d+)$/.exec(line.text);
    if (!token) continue;
    if (Number(token[1]) < highest) outOfOrder++;
    highest = Math.max(highest, Number(token[1]));
  }
  const achieved = round((count / elapsed) * 1000, 1);
  // Against the seed's median over all sent: unbounded once the seed lost more than half of them.
  const speedup =
    earshotLatency.p50 === null ? null : seedP50AllSent === null ? 'unbounded' : round(seedP50AllSent / earshotLatency.p50, 1);
  context.log(
    `  ${rate} msg/s: earshot p50 ${earshotLatency.p50} ms p99 ${earshotLatency.p99} ms lost ${earshotIntegrity.lost}; ` +
      `seed p50 ${seedLatency.p50} ms lost ${seedIntegrity.lost}`,
  );
  const params = { rate, list: 'virtual', window: WINDOW };
  return [
    {
      name: 'capture-latency',
      params: { approach: 'earshot', ...params },
      metrics: {
        ...earshotLatency,
        achievedRate: achieved,
        medianSpeedupVsSeed: speedup,
        // Node (service + fixtures + probes) and both Chromiums, then the rest of the machine.
        benchCpuPct: round((usage.nodeCores + (usage.treeCores ?? 0)) * 100, 1),
        loopDelayP99: round(blocked.p99Ms, 1),
        loopDelayMax: round(blocked.maxMs, 1),
        foreignCpuPct: round(usage.foreignCores * 100, 1),
      },
    },
    {
      name: 'capture-latency',
      params: { approach: 'seed-poller', ...params },
      metrics: { ...seedLatency, achievedRate: achieved, p50AllSent: seedP50AllSent },
    },
    {
      name: 'burst-integrity',
      params: { approach: 'earshot', ...params },
      metrics: { ...earshotIntegrity, duplicateTokens: earshot.duplicateTokens, outOfOrder },
    },
    { name: 'burst-integrity', params: { approach: 'seed-poller', ...params }, metrics: { ...seedIntegrity, polls: seed.polls } },
  ];
}

export const capture: Benchmark = {
  names: ['capture-latency', 'burst-integrity'],
  async run(context) {
    const stage = await startStage();
    const seedPool = new BrowserPool({ logger: silentLogger() });
    try {
      const results: BenchResult[] = [];
      for (const rate of RATES) {
        const measured = await quietest(
          context,
          `${rate} msg/s`,
          () => measureRate(stage, seedPool, rate, context),
          (point) => Number(point[0]!.metrics.foreignCpuPct ?? 0),
        );
        results.push(...measured);
      }
      return results;
    } finally {
      await seedPool.close();
      await stage.close();
    }
  },
};
