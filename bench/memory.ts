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
import { spawnService } from '../test/support/service-process.ts';
import { mixLine, sleep, type BenchResult, type Benchmark } from './lib/harness.ts';
import { kbField, processTree, treeMemory } from './lib/proc.ts';
import { round } from './lib/stats.ts';

const CLI = path.resolve(__dirname, '../src/cli.js');

/** A memory field of a process's /proc status (VmRSS, VmHWM) in MiB. */
function mb(pid: number, field: string): number {
  return kbField(`/proc/${pid}/status`, field) / 1024;
}

interface Running {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

async function serve(dataDir: string): Promise<Running> {
  const service = spawnService({ DATA_DIR: dataDir }, { timeoutMs: 120_000 });
  const url = await service.listening;
  return {
    child: service.child,
    url,
    stop: async () => {
      service.child.kill('SIGTERM');
      await service.exited;
    },
  };
}

/** Service RSS and Chromium (the service's descendants) PSS, after `settleMs` of idling. */
async function sample(running: Running, settleMs: number): Promise<{ serviceRssMb: number; chromiumPssMb: number; chromiumProcesses: number }> {
  await sleep(settleMs);
  const pid = running.child.pid!;
  const serviceRssMb = mb(pid, 'VmRSS');
  const tree = treeMemory(pid);
  const servicePss = kbField(`/proc/${pid}/smaps_rollup`, 'Pss') / 1024;
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
  const poll = setInterval(() => (peak = Math.max(peak, mb(child.pid!, 'VmHWM'))), 100);
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
