/**
 * fanout: one session published through the real Hub to 1, 100 and 1,000 WebSocket subscribers at
 * 100 msg/s (delivery p99 and the server's CPU), then the most deliveries per second the hub sustains:
 * the publish rate is raised step by step until subscribers fall behind or get cut as slow consumers.
 * Subscribers live in a child process (bench/fanout-client.ts) so the server's CPU is the hub's alone.
 * The same ramp runs against two bare `ws` servers in the same run, as the limits the hub is measured by:
 * one that writes each frame to each socket, and one that writes each socket the frames of one event-loop
 * turn at once (corked); the results give the hub's sustained rate and CPU per delivery as a ratio of each.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
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
const RAMP = [50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 800_000, 1_000_000] as const;
/** The servers the ramp runs against: the hub, and the bare limits it is compared with. */
type Server = 'hub' | 'bare' | 'bare-batched';

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
  publish(message: ChatMessage): void;
  url: string;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}

async function startHub(): Promise<Stage> {
  // The service's defaults (config.ts): 2,000-event ring, 4 MiB per-client buffer bound.
  const hub = new Hub({ ringSize: 2_000, maxBufferedBytes: 4 * 1024 * 1024, pingIntervalMs: 30_000, logger: silentLogger() });
  const server = http.createServer((_req, res) => res.end());
  hub.attach(server, '/ws');
  const url = await listen(server);
  return {
    publish: (message) => hub.publish(SESSION, { type: 'new_message', message }),
    url,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A bare ws server: the same frames (stamped and serialized once per event), written to every socket
 * with nothing else (no subscriptions, owners, ring or slow-consumer check). `batched` corks each socket
 * for the turn, as the hub does; without it each frame is its own write on each socket.
 */
async function startBare(batched: boolean): Promise<Stage> {
  const server = http.createServer((_req, res) => res.end());
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', () => ws.send(JSON.stringify({ type: 'subscribed', sessionId: SESSION, seq: 0 })));
  });
  const url = await listen(server);
  let seq = 0;
  let corked = false;
  const rawSocket = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;
  return {
    publish(message) {
      seq++;
      const data = Buffer.from(JSON.stringify({ type: 'new_message', message, sessionId: SESSION, seq }));
      if (batched && !corked) {
        corked = true;
        for (const ws of sockets) rawSocket(ws).cork();
        setImmediate(() => {
          corked = false;
          for (const ws of sockets) rawSocket(ws).uncork();
        });
      }
      for (const ws of sockets) ws.send(data, { binary: false });
    },
    url,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const STARTERS: Record<Server, () => Promise<Stage>> = { hub: startHub, bare: () => startBare(false), 'bare-batched': () => startBare(true) };

/**
 * Publishes at `rate` for `seconds`, then waits (up to 5 s) for the client to drain. The delivery rate
 * runs from the first publish to the last frame received, so a backlog drained later counts against it.
 */
async function window(stage: Stage, client: Client, subscribers: number, rate: number, seconds: number) {
  await client.request({ type: 'reset' });
  const cpu = cpuWindow([client.pid]);
  const startedAt = process.hrtime.bigint();
  const count = Math.round(rate * seconds);
  const elapsed = await paced(count, rate, () => stage.publish(stampedMessage()));
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

async function withSubscribers<T>(count: number, fn: (stage: Stage, client: Client) => Promise<T>, server: Server = 'hub'): Promise<T> {
  const stage = await STARTERS[server]();
  const client = new Client();
  try {
    await client.request({ type: 'connect', url: stage.url, sessionId: SESSION, count });
    // Warm-up: JIT and socket buffers, not counted.
    await paced(200, 200, () => stage.publish(stampedMessage()));
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
    // Saturation: raise the rate until the server (or its subscribers) no longer keeps up; the hub, then the
    // bare limits in the same run.
    const subscribers = 1000;
    const best: Partial<Record<Server, { deliveriesPerSec: number; usPerDelivery: number | null }>> = {};
    for (const server of ['hub', 'bare', 'bare-batched'] as const) {
      await withSubscribers(
        subscribers,
        async (stage, client) => {
          for (const target of RAMP) {
            const rate = target / subscribers;
            const [step] = await quietest(
              context,
              `${server} ramp ${target}/s`,
              async () => {
                const point = await window(stage, client, subscribers, rate, context.quick ? 2 : 3);
                context.log(
                  `  ${server} ramp ${target}/s: ${point.metrics.deliveriesPerSec}/s, p99 ${point.metrics.p99} ms, ` +
                    `${point.metrics.serverUsPerDelivery} us/delivery, ${point.sustained ? 'sustained' : 'fell behind'}`,
                );
                return [{ name: 'fanout', params: { mode: 'ramp', server, subscribers, rate }, metrics: point.metrics }];
              },
              (point) => Number(point[0]!.metrics.foreignCpuPct ?? 0),
            );
            results.push(step!);
            if (step!.metrics.sustained !== true) break;
            best[server] = { deliveriesPerSec: Number(step!.metrics.deliveriesPerSec), usPerDelivery: step!.metrics.serverUsPerDelivery as number | null };
          }
        },
        server,
      );
    }
    // The hub against the bare limits: sustained rate and server CPU per delivery, as ratios.
    const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => (a && b ? round(a / b, 2) : null);
    results.push({
      name: 'fanout-vs-bare',
      params: { subscribers },
      metrics: {
        hubSustainedPerSec: best.hub?.deliveriesPerSec ?? null,
        bareSustainedPerSec: best.bare?.deliveriesPerSec ?? null,
        bareBatchedSustainedPerSec: best['bare-batched']?.deliveriesPerSec ?? null,
        hubOverBare: ratio(best.hub?.deliveriesPerSec, best.bare?.deliveriesPerSec),
        hubOverBareBatched: ratio(best.hub?.deliveriesPerSec, best['bare-batched']?.deliveriesPerSec),
        hubUsPerDelivery: best.hub?.usPerDelivery ?? null,
        bareUsPerDelivery: best.bare?.usPerDelivery ?? null,
        bareBatchedUsPerDelivery: best['bare-batched']?.usPerDelivery ?? null,
      },
    });
    return results;
  },
};
