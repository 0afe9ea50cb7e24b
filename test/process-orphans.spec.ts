/**
 * A killed service never leaves Chromium running (issue 19). The service runs as a real process in a
 * process group of its own, as a supervisor or the kernel's OOM killer would see it, and is SIGKILLed
 * as a group; what is left is read from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endLeftoverBrowser, readBootId, readProcess, readProcessTable } from '../src/capture/browser/browser-record.ts';
import type { BrowserRecord, ProcessSnapshot } from '../src/capture/browser/orphans.ts';
import { silentLogger } from '../src/log.ts';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, Subscriber } from './support/service.ts';
import { spawnService, type SpawnedService } from './support/service-process.ts';

const root = path.join(__dirname, '..');
const linux = fs.existsSync('/proc/self/stat');
const describeLinux = linux ? describe : describe.skip;
let fixtures: FixtureServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js'), '--if-missing', '--server-only'], { cwd: root, stdio: 'inherit' });
  fixtures = await startFixtureServer();
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.pid && child.exitCode === null && child.signalCode === null) killGroup(child.pid);
  await fixtures?.close();
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The service on `dataDir` as the leader of a new process group (what `npm start` under a supervisor is). */
function startService(dataDir: string, env: Record<string, string> = {}): SpawnedService {
  const service = spawnService({
    DATA_DIR: dataDir,
    ALLOW_PRIVATE_URLS: 'true',
    PGLITE_TEMPLATE_DIR: path.join(os.tmpdir(), 'earshot-pglite-templates'),
    ...env,
  });
  children.push(service.child);
  return service;
}

/** The packaged Chromium (@sparticuz/chromium), unpacked. */
async function packagedChromium(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@sparticuz/chromium') as { default?: { executablePath(): Promise<string> }; executablePath(): Promise<string> };
  return (mod.default ?? mod).executablePath();
}

function profileOf(dataDir: string): string {
  return path.resolve(dataDir, 'chromium-profile');
}

/**
 * Chromium browsers (not their helpers) on `dataDir`'s profile, alive now; pipe flag or not. A helper
 * the browser has just forked carries the browser's command line until it execs its own (`--type=...`);
 * on a busy machine that moment is long enough to be read, so a process whose parent is one of these
 * browsers is a helper, not a second browser.
 */
function browsersOf(dataDir: string): ProcessSnapshot[] {
  const flag = `--user-data-dir=${profileOf(dataDir)}`;
  const looking = readProcessTable().filter((p) => p.argv.includes(flag) && !p.argv.some((a) => a.startsWith('--type=')));
  const pids = new Set(looking.map((p) => p.pid));
  return looking.filter((p) => !pids.has(p.ppid));
}

/** The service's process group plus every browser of its DATA_DIR and those browsers' groups. */
function processesOf(service: ChildProcess, dataDir: string): ProcessSnapshot[] {
  const table = readProcessTable();
  const groups = new Set([service.pid!, ...browsersOf(dataDir).map((b) => b.pgid)]);
  return table.filter((p) => groups.has(p.pgid));
}

/** Those of `processes` still alive (same pid and start time), polled until none is or `ms` passed. */
async function survivorsAfter(processes: ProcessSnapshot[], ms: number): Promise<ProcessSnapshot[]> {
  const alive = (): ProcessSnapshot[] => processes.filter((p) => readProcess(p.pid)?.startTime === p.startTime);
  const deadline = Date.now() + ms;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return alive();
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the service's browser is up (GET /health/ready), then returns its browsers. */
async function readyBrowsers(base: string, dataDir: string): Promise<ProcessSnapshot[]> {
  await waitFor('ready', async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined));
  return browsersOf(dataDir);
}

function describeAll(ps: ProcessSnapshot[]): string {
  return ps.map((p) => `${p.pid} ${p.argv.slice(0, 2).join(' ')}`).join('\n');
}

describeLinux('child processes die with the service', () => {
  test('SIGKILL of the process group with a show running: within 5 s nothing of it remains; the restart runs one browser', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-orphans-'));
    const first = startService(dataDir);
    const base = await first.listening;
    const started = await post(base, '/api/start-monitoring', { url: fixtures.pageUrl('orphans'), sessionId: 'show', platform: 'whatnot' });
    expect(started.status).toBe(201);
    const sub = await Subscriber.connect(base, 'show');
    fixtures.room('orphans').post([{ author: 'a', text: 'is this still available' }]);
    await sub.waitFor(() => sub.messages().length >= 1);
    sub.close();

    const before = processesOf(first.child, dataDir);
    // The service, and a browser with its helpers and the page's renderer.
    expect(browsersOf(dataDir)).toHaveLength(1);
    expect(before.length).toBeGreaterThanOrEqual(4);
    killGroup(first.child.pid!);
    expect(describeAll(await survivorsAfter(before, 5_000))).toBe('');

    const second = startService(dataDir);
    const base2 = await second.listening;
    expect((await readyBrowsers(base2, dataDir)).length).toBe(1);
    const during = processesOf(second.child, dataDir);
    killGroup(second.child.pid!);
    expect(describeAll(await survivorsAfter(during, 5_000))).toBe('');
  }, 120_000);

  test('a crash during start-up (SIGKILL the moment Chromium exists) leaves nothing; the restart (CHROME_EXECUTABLE_PATH) runs one browser', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-orphans-'));
    const first = startService(dataDir);
    // The first sign of the browser in /proc, before puppeteer has even connected to it.
    await waitFor('chromium to be spawned', () => (browsersOf(dataDir).length > 0 ? true : undefined), 60_000);
    const before = processesOf(first.child, dataDir);
    killGroup(first.child.pid!);
    expect(describeAll(await survivorsAfter(before, 5_000))).toBe('');

    // The override path (CHROME_EXECUTABLE_PATH, other default flags) must die with the service as well.
    const second = startService(dataDir, { CHROME_EXECUTABLE_PATH: await packagedChromium() });
    const base2 = await second.listening;
    expect((await readyBrowsers(base2, dataDir)).length).toBe(1);
    const during = processesOf(second.child, dataDir);
    expect(during.length).toBeGreaterThanOrEqual(3);
    killGroup(second.child.pid!);
    expect(describeAll(await survivorsAfter(during, 5_000))).toBe('');
  }, 120_000);

  test('a browser an earlier run left behind (recorded in DATA_DIR) is ended when the service starts, with its helpers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-orphans-'));
    // A real Chromium on this DATA_DIR's profile that no pipe ties to anyone (as if the pipe had never
    // closed), recorded the way the pool records its browsers.
    const executablePath = await packagedChromium();
    const leftover = spawn(
      executablePath,
      ['--headless=old', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0', `--user-data-dir=${profileOf(dataDir)}`, 'about:blank'],
      { stdio: 'ignore', detached: true },
    );
    children.push(leftover);
    const leftoverProcess = await waitFor('the leftover browser to start', () => readProcess(leftover.pid!) ?? undefined);
    const leftoverGroup = await waitFor('its helpers', () => {
      const group = readProcessTable().filter((p) => p.pgid === leftover.pid);
      return group.length >= 2 ? group : undefined;
    });
    const record: BrowserRecord = {
      pid: leftover.pid!,
      startTime: leftoverProcess.startTime,
      bootId: readBootId()!,
      userDataDir: profileOf(dataDir),
      executablePath,
      launchedAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(dataDir, 'chromium.json'), JSON.stringify(record));

    const service = startService(dataDir);
    const base = await service.listening;
    const browsers = await readyBrowsers(base, dataDir);
    expect(browsers).toHaveLength(1);
    expect(browsers[0]!.pid).not.toBe(leftover.pid);
    expect(describeAll(await survivorsAfter(leftoverGroup, 5_000))).toBe('');
    expect(service.output()).toMatch(/ending chromium left behind by an earlier run/);

    const during = processesOf(service.child, dataDir);
    killGroup(service.child.pid!);
    expect(describeAll(await survivorsAfter(during, 5_000))).toBe('');
  }, 120_000);

  test('a recorded pid that now belongs to another process is left alone', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-orphans-'));
    const recordFile = path.join(dataDir, 'chromium.json');
    const other = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    children.push(other);
    const otherProcess = await waitFor('sleep to start', () => readProcess(other.pid!) ?? undefined);
    const base = { pid: other.pid!, bootId: readBootId()!, userDataDir: profileOf(dataDir), executablePath: '/tmp/chromium', launchedAt: '' };

    // The browser that had this pid is gone and the number was handed to `sleep`: another start time.
    fs.writeFileSync(recordFile, JSON.stringify({ ...base, startTime: String(BigInt(otherProcess.startTime) - 1n) }));
    const reused = await endLeftoverBrowser({ recordFile, userDataDir: profileOf(dataDir), logger: silentLogger() });
    expect(reused).toEqual({ action: 'leave', reason: 'pid_reused', pid: other.pid });
    // Even with the very start time recorded, a process without our profile on its command line is not ours.
    fs.writeFileSync(recordFile, JSON.stringify({ ...base, startTime: otherProcess.startTime }));
    const foreign = await endLeftoverBrowser({ recordFile, userDataDir: profileOf(dataDir), logger: silentLogger() });
    expect(foreign).toEqual({ action: 'leave', reason: 'not_our_browser', pid: other.pid });

    expect(readProcess(other.pid!)?.startTime).toBe(otherProcess.startTime);
    expect(other.exitCode).toBeNull();
    expect(fs.existsSync(recordFile)).toBe(false);
    other.kill('SIGKILL');
  });
});
