/**
 * What every benchmark shares: the result shape, the real service and fixture pages on loopback,
 * a paced emitter that stamps each message's creation time, a realistic chat mix, and a WebSocket
 * probe that timestamps every message it receives.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startFixtureServer, type FixtureServer } from '../../test/fixtures/server.ts';
import { post, startTestService, Subscriber } from '../../test/support/service.ts';
import type { Service } from '../../src/main.ts';

/** One measured point: a benchmark name, what was varied, what was measured. */
export interface BenchResult {
  name: string;
  params: Record<string, string | number | boolean>;
  metrics: Record<string, string | number | boolean | null>;
}

export interface BenchContext {
  /** Short durations for a smoke run (`npm run bench -- --quick`); numbers are then indicative only. */
  quick: boolean;
  log(line: string): void;
}

export interface Benchmark {
  /** The result names this benchmark produces (one run may produce several, e.g. latency and integrity). */
  names: readonly string[];
  run(context: BenchContext): Promise<BenchResult[]>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `predicate` holds, or after `timeoutMs` (returns whether it held). Polls every 20 ms. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Milliseconds on the monotonic clock shared by this process (sub-millisecond resolution). */
export const now = (): number => performance.now();

/** The real service (production capture settings) plus the fixture server, both on 127.0.0.1 port 0. */
export interface Stage {
  service: Service & { dataDir: string };
  fixtures: FixtureServer;
  close(): Promise<void>;
}

export async function startStage(): Promise<Stage> {
  const fixtures = await startFixtureServer();
  // Production defaults except what loopback fixtures need (private URLs) and a larger session cap.
  const service = await startTestService({ SWEEP_INTERVAL_MS: '3000', MAX_SESSIONS: '100', LOG_LEVEL: 'silent' });
  await service.pool.getBrowser();
  return {
    service,
    fixtures,
    async close() {
      await service.close();
      await fixtures.close();
      fs.rmSync(service.dataDir, { recursive: true, force: true });
    },
  };
}

/** True for a `session_status: live` event (of `sessionId`, when given). */
export function isLive(received: object, sessionId?: string): boolean {
  const event = received as { type?: unknown; sessionId?: unknown; status?: unknown };
  return event.type === 'session_status' && event.status === 'live' && (sessionId === undefined || event.sessionId === sessionId);
}

/** Starts monitoring a fixture room and resolves once the session reports `live`. */
export async function watchRoom(stage: Stage, room: string, sessionId: string, window = 20): Promise<Subscriber> {
  const sub = await Subscriber.connect(stage.service.url, sessionId);
  const res = await post(stage.service.url, '/api/start-monitoring', {
    url: stage.fixtures.pageUrl(room, { mode: 'virtual', window }),
    sessionId,
    platform: 'whatnot',
  });
  if (res.status !== 201) throw new Error(`start-monitoring answered ${res.status}: ${JSON.stringify(res.body)}`);
  const live = await waitUntil(() => sub.events.some((e) => isLive(e)), 30_000);
  if (!live) throw new Error(`session ${sessionId} did not go live`);
  return sub;
}

/** One chat line of the benchmark mix. `token` is set on lines whose latency can be measured. */
export interface MixLine {
  author: string;
  text: string;
  token?: number;
}

const PHRASES = [
  'is this still available',
  'what size is the jacket',
  'sold',
  'love this colour',
  'how much for shipping to Canada',
  'mine please',
  'can you show the back',
  'great show tonight',
  'I\'ll take two',
  'does it come in blue',
  'hi from Ohio',
  'is that real leather',
];
const AUTHORS = ['ava', 'ben_k', 'chloe.r', 'dev', 'emma22', 'finn', 'gia', 'hugo', 'ivy', 'jules', 'kai', 'luz'];
/** Lines viewers really repeat word for word (claims, cheers): identical author and text. */
const REPEATS: Array<{ author: string; text: string }> = [
  { author: 'bidder_bob', text: 'sold' },
  { author: 'claire', text: 'mine' },
  { author: 'dan', text: '🔥🔥🔥' },
];

/**
 * The i-th line of a realistic live-shopping mix. One line in twenty is a word-for-word repeat (no token:
 * its latency cannot be told apart); every other line ends in a unique `#n` token used to time it.
 */
export function mixLine(i: number): MixLine {
  if (i % 20 === 7) return { ...REPEATS[Math.floor(i / 20) % REPEATS.length]! };
  return { author: AUTHORS[i % AUTHORS.length]!, text: `${PHRASES[(i * 7) % PHRASES.length]} #${i}`, token: i };
}

/** Reads the `#n` token back from a received text. */
export function tokenOf(text: string): number | undefined {
  const match = /#(\d+)$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Calls `emitOne(i)` `count` times at `perSecond`, evenly spaced on the monotonic clock (catching up
 * in a tight loop when the timer fires late). Returns the achieved duration in ms.
 */
export async function paced(count: number, perSecond: number, emitOne: (i: number) => void): Promise<number> {
  const interval = 1000 / perSecond;
  const started = now();
  for (let i = 0; i < count; i++) {
    const wait = started + i * interval - now();
    if (wait >= 1) await sleep(Math.floor(wait));
    emitOne(i);
  }
  return now() - started;
}

/**
 * Receive-side timing: records when each `new_message` arrives on a subscriber's socket, keyed by the
 * message's token, and keeps the (author, text) of everything received for integrity checks.
 */
export class ReceiveLog {
  readonly arrivals = new Map<number, number>();
  readonly lines: Array<{ author: string; text: string }> = [];
  duplicateTokens = 0;

  constructor(sub: Subscriber, sessionId?: string) {
    // Registered after the Subscriber's own listener, so the event it just parsed is the last one.
    sub.ws.on('message', () => {
      const at = now();
      const event = sub.events[sub.events.length - 1] as { type?: string; sessionId?: string; message?: { author: { name: string }; text: string } };
      if (event?.type !== 'new_message' || !event.message || (sessionId && event.sessionId !== sessionId)) return;
      this.record(event.message.author.name, event.message.text, at);
    });
  }

  record(author: string, text: string, at: number): void {
    this.lines.push({ author, text });
    const token = tokenOf(text);
    if (token === undefined) return;
    if (this.arrivals.has(token)) this.duplicateTokens++;
    else this.arrivals.set(token, at);
  }
}

/**
 * Sent vs received as multisets of (author, text): what was lost, what came more than once, and what
 * arrived that was never sent. `lostRepeats` is the part of `lost` that were word-for-word repeats.
 */
export function integrity(
  sent: ReadonlyArray<{ author: string; text: string }>,
  received: ReadonlyArray<{ author: string; text: string }>,
): { sent: number; received: number; lost: number; duplicated: number; unexpected: number; lostRepeats: number } {
  const key = (m: { author: string; text: string }): string => `${m.author}\u0000${m.text}`;
  const counts = new Map<string, number>();
  for (const m of sent) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  const got = new Map<string, number>();
  for (const m of received) got.set(key(m), (got.get(key(m)) ?? 0) + 1);
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  let lostRepeats = 0;
  const repeated = new Set(REPEATS.map(key));
  for (const [k, n] of counts) {
    const missing = Math.max(0, n - (got.get(k) ?? 0));
    lost += missing;
    if (repeated.has(k)) lostRepeats += missing;
  }
  for (const [k, n] of got) {
    const expected = counts.get(k) ?? 0;
    if (expected === 0) unexpected += n;
    else duplicated += Math.max(0, n - expected);
  }
  return { sent: sent.length, received: received.length, lost, duplicated, unexpected, lostRepeats };
}

/** Foreign CPU (other work on the machine) above which a measured point is repeated. */
const BUSY_FOREIGN_PCT = 30;

/**
 * Runs a measurement up to `maxAttempts` times while the rest of the machine was busy during it
 * (`foreignPct` of a core above 30%), keeping the quietest attempt: on a shared 2-core machine other
 * work would otherwise be measured as Earshot's latency. Adds `attempts` to the first result's metrics.
 */
export async function quietest(
  context: BenchContext,
  label: string,
  measure: () => Promise<BenchResult[]>,
  foreignPct: (results: BenchResult[]) => number,
  maxAttempts = 3,
): Promise<BenchResult[]> {
  let best: BenchResult[] | null = null;
  let bestForeign = Infinity;
  let attempts = 0;
  while (attempts < maxAttempts) {
    attempts++;
    const results = await measure();
    const foreign = foreignPct(results);
    if (foreign < bestForeign) {
      best = results;
      bestForeign = foreign;
    }
    if (foreign <= BUSY_FOREIGN_PCT) break;
    if (attempts < maxAttempts) context.log(`  ${label}: the machine was busy (${foreign.toFixed(0)}% of a core elsewhere); measuring again`);
  }
  best![0]!.metrics.attempts = attempts;
  return best!;
}
