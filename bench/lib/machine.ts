/** Facts about the machine a benchmark ran on, recorded next to the numbers. */
import fs from 'node:fs';
import os from 'node:os';
import { BrowserPool } from '../../src/capture/browser/pool.ts';
import { silentLogger } from '../../src/log.ts';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  chromium: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAvg1m: number;
  at: string;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Collects the facts; launches the packaged Chromium once to ask its version. */
export async function machineFacts(): Promise<MachineFacts> {
  let chromium = 'unavailable';
  const pool = new BrowserPool({ logger: silentLogger() });
  try {
    chromium = await (await pool.getBrowser()).version();
  } catch (error) {
    chromium = `unavailable (${(error as Error).message})`;
  } finally {
    await pool.close();
  }
  return {
    cpuModel: cpuModel(),
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium,
    loadAvg1m: Math.round(os.loadavg()[0]! * 100) / 100,
    at: new Date().toISOString(),
  };
}
