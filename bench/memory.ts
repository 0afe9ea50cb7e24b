/**
 * memory: the service as an operator runs it (`node dist/src/cli.js serve`, embedded backend, its own
 * process), measured from /proc: the service process's RSS idle on a new DATA_DIR (its first start,
 * which creates the database), idle again after a restart, and with one show (the built-in demo) running;
 * Chromium's process tree (PSS, which splits shared pages fairly) beside it; and the peak RSS (VmHWM) of
 * `earshot replay` over a 30,000-message log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mixLine, sleep, waitUntil, type BenchResult, type Benchmark } from './lib/harness.ts';
import { processTree, treeMemory } from './lib/proc.ts';
import { round } from './lib/stats.ts';

const CLI = path.resolve(__dirname, '../src/cli.js');

function kb(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Running {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

async function serve(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  const ok = await waitUntil(() => /"url":"(http:[^"]+)"/.test(out), 120_000);
  if (!ok) {
    child.kill('SIGKILL');
    throw new Error('the service did not start');
  }
  const url = /"url":"(http:[^"]+)"/.exec(out)![1]!;
  return {
    child,
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Service RSS and Chromium (the service's descendants) PSS, after `settleMs` of idling. */
async function sample(running: Running, settleMs: number): Promise<{ serviceRssMb: number; chromiumPssMb: number; chromiumProcesses: number }> {
  await sleep(settleMs);
  const pid = running.child.pid!;
  const serviceRssMb = kb(pid, 'VmRSS');
  const tree = treeMemory(pid);
  const servicePss = (() => {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      return match ? Number(match[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  })();
  return {
    serviceRssMb,
    chromiumPssMb: Math.max(0, tree.pssMb - servicePss),
    chromiumProcesses: processTree(pid).length - 1,
  };
}

async function replayPeak(lines: number, dir: string): Promise<{ peakRssMb: number; seconds: number }> {
  const file = path.join(dir, 'show.jsonl');
  const out = fs.createWriteStream(file);
  for (let i = 0; i < lines; i++) out.write(`${JSON.stringify({ author: mixLine(i).author, text: mixLine(i).text })}\n`);
  await new Promise((resolve) => out.end(resolve));
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'replay', file], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' } });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, kb(child.pid!, 'VmHWM'))), 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`replay exited with ${code}`);
  return { peakRssMb: peak, seconds: (Date.now() - started) / 1000 };
}

export const memory: Benchmark = {
  names: ['memory'],
  async run(context) {
    const results: BenchResult[] = [];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-memory-'));
    const point = (stage: string, metrics: Record<string, number | null>): void => {
      context.log(`  ${stage}: ${Object.entries(metrics).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      results.push({ name: 'memory', params: { stage }, metrics });
    };
    try {
      const first = await serve(dataDir);
      try {
        const idle = await sample(first, context.quick ? 3_000 : 10_000);
        point('idle, first start (new DATA_DIR)', { serviceRssMb: round(idle.serviceRssMb, 0), chromiumPssMb: round(idle.chromiumPssMb, 0) });
      } finally {
        await first.stop();
      }
      const second = await serve(dataDir);
      try {
        const idle = await sample(second, context.quick ? 3_000 : 10_000);
        point('idle, restarted', { serviceRssMb: round(idle.serviceRssMb, 0), chromiumPssMb: round(idle.chromiumPssMb, 0) });
        const res = await fetch(`${second.url}/api/start-monitoring`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${second.url}/demo/live` }),
        });
        if (res.status !== 201) throw new Error(`start-monitoring answered ${res.status}`);
        const show = await sample(second, context.quick ? 10_000 : 30_000);
        point('one show (the demo, ~3 msg/s)', {
          serviceRssMb: round(show.serviceRssMb, 0),
          chromiumPssMb: round(show.chromiumPssMb, 0),
          chromiumProcesses: show.chromiumProcesses,
        });
      } finally {
        await second.stop();
      }
      const lines = context.quick ? 5_000 : 30_000;
      const replay = await replayPeak(lines, dataDir);
      point(`replay of ${lines} messages`, { peakRssMb: round(replay.peakRssMb, 0), seconds: round(replay.seconds, 1) });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    return results;
  },
};
