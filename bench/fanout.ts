/**
 * fanout: one session published through the real Hub to 1, 100 and 1,000 WebSocket subscribers at
 * 100 msg/s (delivery p99 and the server's CPU), then the most deliveries per second the hub sustains:
 * the publish rate is raised step by step until subscribers fall behind or get cut as slow consumers.
 * Subscribers live in a child process (bench/fanout-client.ts) so the server's CPU is the hub's alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ChatMessage } from '../src/domain/message.ts';
import { Hub } from '../src/fanout/hub.ts';
import { silentLogger } from '../src/log.ts';
import type { FanoutReport } from './fanout-client.ts';
import { paced, quietest, sleep, type BenchContext, type BenchResult, type Benchmark } from './lib/harness.ts';
import { cpuWindow } from './lib/proc.ts';
import { round } from './lib/stats.ts';

const SUBSCRIBER_COUNTS = [1, 100, 1000] as const;
const RATE = 100;
const SESSION = 'fanout-session';
/** Deliveries per second tried in the saturation ramp (with 1,000 subscribers: publish rate / 1,000). */
const RAMP = [50_000, 100_000, 150_000, 200_000, 300_000, 400_000] as const;

class Client {
  private readonly child: ChildProcess;
  private waiting: ((message: any) => void) | null = null;

  constructor() {
    this.child = fork(path.join(__dirname, 'fanout-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message) => {
      const waiter = this.waiting;
      this.waiting = null;
      waiter?.(message);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<T>(message: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting = (answer: { type: string; message?: string }) =>
        answer.type === 'error' ? reject(new Error(answer.message)) : resolve(answer as T);
      this.child.send(message);
    });
  }

  close(): void {
    this.child.send({ type: 'close' });
  }
}

let counter = 0;
/** A realistic new_message whose id carries the publish time for the client. */
function stampedMessage(): ChatMessage {
  counter++;
  return {
    id: `fan-${process.hrtime.bigint()}`,
    platform: 'whatnot',
    author: { name: `viewer_${counter % 500}`, badges: counter % 9 === 0 ? ['subscriber'] : [] },
    text: `is the blue one still available in size M? #${counter}`,
    capturedAt: new Date().toISOString(),
    backfill: false,
  };
}

interface Stage {
  hub: Hub;
  url: string;
  close(): Promise<void>;
}

async function startHub(): Promise<Stage> {
  // The service's defaults (config.ts): 2,000-event ring, 4 MiB per-client buffer bound.
  const hub = new Hub({ ringSize: 2_000, maxBufferedBytes: 4 * 1024 * 1024, pingIntervalMs: 30_000, logger: silentLogger() });
  const server = http.createServer((_req, res) => res.end());
  hub.attach(server, '/ws');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hub,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Publishes at `rate` for `seconds`, then waits (up to 5 s) for the client to drain. The delivery rate
 * runs from the first publish to the last frame received, so a backlog drained later counts against it.
 */
async function window(stage: Stage, client: Client, subscribers: number, rate: number, seconds: number) {
  await client.request({ type: 'reset' });
  const cpu = cpuWindow([client.pid]);
  const startedAt = process.hrtime.bigint();
  const count = Math.round(rate * seconds);
  const elapsed = await paced(count, rate, () => stage.hub.publish(SESSION, { type: 'new_message', message: stampedMessage() }));
  let report = await client.request<FanoutReport>({ type: 'report' });
  const deadline = Date.now() + 5_000;
  while (report.frames < count * report.open && Date.now() < deadline) {
    await sleep(50);
    report = await client.request<FanoutReport>({ type: 'report' });
  }
  const usage = cpu.stop();
  const expected = count * subscribers;
  const span = Math.max(elapsed / 1000, Number(BigInt(report.lastFrameAt) - startedAt) / 1e9);
  const publishRate = (count / elapsed) * 1000;
  // Sustained: the publisher held the rate, every subscriber got every event, none was cut, lag stayed bounded.
  const sustained =
    publishRate >= rate * 0.95 &&
    report.frames >= expected &&
    report.closedBySlowConsumerPolicy === 0 &&
    (report.latency.p99 ?? Infinity) <= 1_000;
  return {
    metrics: {
      publishRate: round(publishRate, 1),
      deliveriesPerSec: round(report.frames / span, 0),
      delivered: report.frames,
      expected,
      p50: report.latency.p50,
      p99: report.latency.p99,
      max: report.latency.max,
      // CPU over publish + drain: the hub's process, the subscribers' process, the rest of the machine.
      serverCpuPct: round(usage.nodeCores * 100, 1),
      // Server CPU per delivery: steadier than rates on a shared machine; 1e6 / this = deliveries/s per core.
      serverUsPerDelivery: report.frames > 0 ? round((usage.nodeCores * usage.seconds * 1e6) / report.frames, 2) : null,
      clientCpuPct: round((usage.treeCores ?? 0) * 100, 1),
      foreignCpuPct: round(usage.foreignCores * 100, 1),
      slowConsumersClosed: report.closedBySlowConsumerPolicy,
      sustained,
    },
    sustained,
  };
}

async function withSubscribers<T>(count: number, fn: (stage: Stage, client: Client) => Promise<T>): Promise<T> {
  const stage = await startHub();
  const client = new Client();
  try {
    await client.request({ type: 'connect', url: stage.url, sessionId: SESSION, count });
    // Warm-up: JIT and socket buffers, not counted.
    await paced(200, 200, () => stage.hub.publish(SESSION, { type: 'new_message', message: stampedMessage() }));
    await sleep(300);
    return await fn(stage, client);
  } finally {
    client.close();
    await stage.close();
  }
}

export const fanout: Benchmark = {
  names: ['fanout'],
  async run(context: BenchContext) {
    const results: BenchResult[] = [];
    const seconds = context.quick ? 3 : 10;
    for (const subscribers of SUBSCRIBER_COUNTS) {
      const measured = await quietest(
        context,
        `${subscribers} subscribers`,
        async () => {
          const point = await withSubscribers(subscribers, (stage, client) => window(stage, client, subscribers, RATE, seconds));
          context.log(`  ${subscribers} subscribers @ ${RATE} msg/s: p99 ${point.metrics.p99} ms, server cpu ${point.metrics.serverCpuPct}%`);
          return [{ name: 'fanout', params: { mode: 'steady', subscribers, rate: RATE }, metrics: point.metrics }];
        },
        (point) => Number(point[0]!.metrics.foreignCpuPct ?? 0),
      );
      results.push(...measured);
    }
    // Saturation: raise the rate until the hub (or its subscribers) no longer keeps up.
    const subscribers = 1000;
    await withSubscribers(subscribers, async (stage, client) => {
      for (const target of RAMP) {
        const rate = target / subscribers;
        const [step] = await quietest(
          context,
          `ramp ${target}/s`,
          async () => {
            const point = await window(stage, client, subscribers, rate, context.quick ? 2 : 3);
            context.log(`  ramp ${target}/s: ${point.metrics.deliveriesPerSec}/s, p99 ${point.metrics.p99} ms, ${point.sustained ? 'sustained' : 'fell behind'}`);
            return [{ name: 'fanout', params: { mode: 'ramp', subscribers, rate }, metrics: point.metrics }];
          },
          (point) => Number(point[0]!.metrics.foreignCpuPct ?? 0),
        );
        results.push(step!);
        if (step!.metrics.sustained !== true) break;
      }
    });
    return results;
  },
};
