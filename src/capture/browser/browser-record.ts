/**
 * The I/O around orphans.ts: reads the process table from /proc, keeps DATA_DIR/chromium.json, and
 * carries out the verdict with signals. Linux only; where /proc does not exist nothing is signalled.
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import {
  BrowserRecordSchema,
  judgeLeftovers,
  parseCmdline,
  parseProcStat,
  type BrowserRecord,
  type LeftoverVerdict,
  type ProcessSnapshot,
} from './orphans.ts';

/** This boot's id, or null where /proc does not tell it (not Linux). */
export function readBootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** One live process from /proc, or null when it is gone, a zombie, or unreadable. */
export function readProcess(pid: number): ProcessSnapshot | null {
  try {
    const stat = parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!stat || stat.state === 'Z' || stat.state === 'X') return null;
    const argv = parseCmdline(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    return { pid, ppid: stat.ppid, pgid: stat.pgid, startTime: stat.startTime, argv };
  } catch {
    return null;
  }
}

/** Every live process this user can read (processes vanish while we look: those are skipped). */
export function readProcessTable(): ProcessSnapshot[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcessSnapshot[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const p = readProcess(Number(entry));
    if (p) out.push(p);
  }
  return out;
}

/** The record a previous launch left, or null when there is none or it is unreadable (then ignored). */
export function readBrowserRecord(file: string): BrowserRecord | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = BrowserRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Records a just-launched browser (atomically: a crash mid-write leaves the old record or none).
 * Returns false where the process cannot be read (no /proc): nothing is recorded then.
 */
export function writeBrowserRecord(file: string, input: { pid: number; userDataDir: string; executablePath: string }): boolean {
  const bootId = readBootId();
  const p = readProcess(input.pid);
  if (!bootId || !p) return false;
  const record: BrowserRecord = { ...input, startTime: p.startTime, bootId, launchedAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${JSON.stringify(record)}\n`, { fsync: true });
  return true;
}

export function removeBrowserRecord(file: string): void {
  fs.rmSync(file, { force: true });
}

/**
 * Ends the browser an earlier run of this DATA_DIR left behind (see judgeLeftovers for what counts as
 * ours), waits until its processes are gone, and removes the record. Returns the verdict (for logs/tests).
 */
export async function endLeftoverBrowser(options: {
  recordFile: string;
  userDataDir: string;
  logger: Logger;
  /** How long to wait for the processes to disappear after SIGKILL. */
  waitMs?: number;
}): Promise<LeftoverVerdict> {
  const bootId = readBootId();
  if (!bootId) return { action: 'none', reason: 'no_record' };
  const record = readBrowserRecord(options.recordFile);
  const table = readProcessTable();
  const verdict = judgeLeftovers(record, table, { bootId, userDataDir: options.userDataDir, selfPid: process.pid });
  if (verdict.action === 'leave') {
    options.logger.warn({ pid: verdict.pid, reason: verdict.reason }, 'recorded chromium pid belongs to another process; left alone');
  }
  if (verdict.action === 'end') {
    options.logger.warn({ pids: verdict.pids, reason: verdict.reason }, 'ending chromium left behind by an earlier run');
    const judged = table.filter((p) => verdict.pids.includes(p.pid));
    // Each pid is checked again right before its signal: the same start time, or it is not signalled.
    const unchanged = (p: ProcessSnapshot): boolean => readProcess(p.pid)?.startTime === p.startTime;
    const leader = judged.find((p) => p.pid === verdict.group);
    if (leader && unchanged(leader)) signal(-leader.pid, options.logger);
    for (const p of judged) if (unchanged(p)) signal(p.pid, options.logger);
    const deadline = Date.now() + (options.waitMs ?? 5_000);
    while (judged.some(unchanged) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const left = judged.filter(unchanged);
    if (left.length > 0) options.logger.error({ pids: left.map((p) => p.pid) }, 'chromium left behind did not exit after SIGKILL');
  }
  // The record described a browser that is gone now (ended, exited, or its pid reused): it has served.
  removeBrowserRecord(options.recordFile);
  return verdict;
}

function signal(target: number, logger: Logger): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch (error) {
    // ESRCH: already gone. EPERM: not ours to signal (another user); nothing more to do either way.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') logger.warn({ target, err: describeError(error) }, 'could not signal');
  }
}
