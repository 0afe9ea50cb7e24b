/**
 * Helpers for the fault suite (test/faults*.spec.ts): the service as a real process in its own process
 * group (so a SIGKILL takes Chromium down with it, as a container kill would), the Chromium it runs,
 * and exact reads of what the backend stored.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { renderChatPage } from '../src/demo/page.ts';
import { ChatRoom } from '../src/demo/room.ts';
import type { FixtureServer } from './fixtures/server.ts';
import { spawnService } from './support/service-process.ts';

const root = path.join(__dirname, '..');

/** Builds dist/ when a source is newer (the fault suite runs the compiled CLI, as production does). */
export function buildServer(): void {
  // The fault specs run in parallel jest workers: one builds, the others wait and find dist/ fresh.
  const lock = path.join(root, 'dist', '.fault-build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than any build is left over from a killed run.
      if (Date.now() > deadline || Date.now() - fs.statSync(lock).mtimeMs > 240_000) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    buildLocked();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function buildLocked(): void {
  const startedAt = Date.now();
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js'), '--if-missing', '--server-only'], { cwd: root, stdio: 'inherit' });
  } catch (error) {
    // tsc still emits when a file elsewhere has a type error (npm run typecheck reports those); run what
    // was emitted now, but never a stale build.
    const main = path.join(root, 'dist', 'src', 'main.js');
    if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < startedAt - 1_000) throw error;
  }
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (pino JSON lines). */
  output(): string;
  /** Parsed log lines. */
  logLines(): Array<Record<string, unknown>>;
  /** SIGKILL of the whole process group: the service and its Chromium, nothing flushed. */
  killHard(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: string | null }>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** Starts `dist/src/cli.js serve` with the given environment; resolves once it listens. */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const { child, listening, exited, output } = spawnService({ SWEEP_INTERVAL_MS: '1000', ...env }, { timeoutMs: 90_000 });
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    // A service that never said it listens must not be left running (with its Chromium) by the caller.
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    throw error;
  }
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    url,
    child,
    exited,
    output,
    logLines: () =>
      output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return {};
          }
        }),
    async killHard() {
      if (!alive()) return;
      const group = childrenOf(child.pid!);
      // Puppeteer starts Chromium in a process group of its own: that group goes down at the same moment.
      const browser = chromiumOf(child.pid!);
      group.push(...(browser ? childrenOf(browser) : []));
      if (browser) killGroup(browser);
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      // Chromium's helpers are in the group too; wait until none is left.
      for (let i = 0; i < 100 && group.some(isAlive); i++) await sleep(50);
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Processes whose parent is `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces and parentheses: the fields after the last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The Chromium browser process a service runs (its direct child whose command line names chrom*). */
export function chromiumOf(servicePid: number): number | undefined {
  return childrenOf(servicePid).find((pid) => {
    try {
      return /chrom/i.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** SIGKILL to a process group, or to the process alone when it leads none. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `predicate` holds (async allowed); throws with `describe()` after the timeout. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch {
      // the service may be restarting: keep polling
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms ${describe()}`);
    await sleep(100);
  }
}

export async function getJson<T = any>(url: string): Promise<T> {
  // Bounded: a stopped (SIGSTOP) or dying service must fail the read, not hang the poll that made it.
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every message the backend stored for a session (all pages, newest first as the API gives them). */
export async function storedMessages(base: string, sessionId: string): Promise<Array<{ id: string; text: string }>> {
  const all: Array<{ id: string; text: string }> = [];
  let before: string | null = null;
  for (;;) {
    const page: { messages: Array<{ id: string; text: string }>; nextCursor: string | null } = await getJson(
      `${base}/api/sessions/${encodeURIComponent(sessionId)}/messages?limit=500${before ? `&before=${encodeURIComponent(before)}` : ''}`,
    );
    all.push(...page.messages);
    if (!page.nextCursor) return all;
    before = page.nextCursor;
  }
}

/** Texts that occur more than once, and expected texts that do not occur. */
export function exactlyOnce(expected: string[], stored: string[]): { missing: string[]; repeated: string[]; unexpected: string[] } {
  const counts = new Map<string, number>();
  for (const text of stored) counts.set(text, (counts.get(text) ?? 0) + 1);
  return {
    missing: expected.filter((t) => !counts.has(t)),
    repeated: [...counts].filter(([, n]) => n > 1).map(([t]) => t),
    unexpected: [...counts.keys()].filter((t) => !expected.includes(t)),
  };
}

/** Chat shows served by the fixture server at /shows/:id/page. */
export interface Shows {
  url(id: string): string;
  /** Posts the messages at `perSecond`, whatever happens to the service meanwhile. */
  run(id: string, messages: Array<{ author: string; text: string }>, perSecond: number): Promise<void>;
  close(): void;
}

/**
 * Shows whose page keeps a long history (like a platform's chat replay): whatever was said while the
 * service was down is still on the page when it comes back, so "nothing lost" can be exact.
 */
export function mountShows(fixtures: FixtureServer, history = 300): Shows {
  const rooms = new Map<string, ChatRoom>();
  const room = (id: string): ChatRoom => {
    let r = rooms.get(id);
    if (!r) rooms.set(id, (r = new ChatRoom(id, { history })));
    return r;
  };
  fixtures.app.get('/shows/:id/page', (req, res) => {
    const streamUrl = `/shows/${encodeURIComponent(req.params.id)}/stream`;
    res.type('html').send(renderChatPage({ title: `Show ${req.params.id}`, streamUrl, mode: 'virtual', window: history }));
  });
  fixtures.app.get('/shows/:id/stream', (req, res) => room(req.params.id).serve(req, res));
  return {
    url: (id) => `${fixtures.url}/shows/${encodeURIComponent(id)}/page`,
    async run(id, messages, perSecond) {
      const r = room(id);
      const started = Date.now();
      for (let i = 0; i < messages.length; i++) {
        const wait = started + (i * 1000) / perSecond - Date.now();
        if (wait > 1) await sleep(wait);
        r.post([messages[i]!]);
      }
    },
    close() {
      for (const r of rooms.values()) r.close();
    },
  };
}
