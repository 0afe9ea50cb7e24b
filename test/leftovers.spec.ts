/**
 * The suite's no-leftovers check (test/support/leftovers-teardown.ts) finds what a run started and nothing
 * else, and trackChild() makes a child die with the process that started it, SIGKILL included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readProcess, readProcessTable } from '../src/capture/browser/browser-record.ts';
import { findLeftovers } from './support/leftovers-teardown.ts';

const linux = fs.existsSync('/proc/self/stat');
const testLinux = linux ? test : test.skip;
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function start(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  started.push(child);
  return child;
}

async function until<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

testLinux("finds the run's marked processes, their descendants (whatever their environment) and tracked children; not another run's", async () => {
  const marker = randomUUID();
  // A marked shell whose child starts with an empty environment, as Chromium's helpers appear.
  const marked = start('sh', ['-c', 'env -i sleep 30 & wait'], { ...process.env, EARSHOT_TEST_RUN: marker });
  const otherRun = start('sleep', ['30'], { ...process.env, EARSHOT_TEST_RUN: randomUUID() });
  const clean = start('sleep', ['30'], { PATH: process.env.PATH });
  const grandchild = await until(() => readProcessTable().find((p) => p.ppid === marked.pid && p.argv[0] === 'sleep'));
  const trackedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-leftovers-spec-'));
  const before = findLeftovers(marker, trackedDir).map((p) => p.pid);
  expect(before).toEqual(expect.arrayContaining([marked.pid, grandchild.pid]));
  expect(before).not.toContain(otherRun.pid);
  expect(before).not.toContain(clean.pid);
  expect(before).not.toContain(process.pid);

  // A record with the right start time is found; one whose start time differs (a reused pid) is not.
  const cleanProcess = readProcess(clean.pid!)!;
  fs.writeFileSync(path.join(trackedDir, 'a.json'), JSON.stringify({ pid: clean.pid, startTime: cleanProcess.startTime }));
  fs.writeFileSync(path.join(trackedDir, 'b.json'), JSON.stringify({ pid: otherRun.pid, startTime: '1' }));
  const after = findLeftovers(marker, trackedDir).map((p) => p.pid);
  expect(after).toContain(clean.pid);
  expect(after).not.toContain(otherRun.pid);
  fs.rmSync(trackedDir, { recursive: true, force: true });
});

testLinux('a tracked child dies with the process that started it, even when that process is SIGKILLed', async () => {
  const script = [
    "import { spawn } from 'node:child_process';",
    `import { trackChild } from ${JSON.stringify(path.join(__dirname, 'support', 'leftovers.ts'))};`,
    "const child = spawn('sleep', ['30'], { stdio: 'ignore', env: { PATH: process.env.PATH } });",
    'trackChild(child);',
    'console.log(child.pid);',
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const parent = start(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], process.env);
  let out = '';
  parent.stdout!.on('data', (d) => (out += String(d)));
  const childPid = await until(() => (/^(\d+)\n/.exec(out) ? Number(/^(\d+)\n/.exec(out)![1]) : undefined));
  const child = readProcess(childPid)!;
  expect(child.argv[0]).toBe('sleep');
  process.kill(parent.pid!, 'SIGKILL');
  await until(() => (readProcess(childPid)?.startTime === child.startTime ? undefined : true), 5_000);
});
