/**
 * jest globalTeardown: the suite leaves nothing running. leftovers-setup.ts put a marker unique to the run
 * in process.env (EARSHOT_TEST_RUN), so every process the tests start inherits it: jest workers, the
 * service as a child, Chromium. Children started with an environment of their own (Deno) were recorded
 * by trackChild() in EARSHOT_TEST_RUN_DIR. What is still alive once the workers are gone (marked
 * processes, tracked children, and their descendants and process groups, because Chromium's zygotes and
 * renderers overwrite their environment block) is killed, and the run fails listing it.
 *
 * Only this run's processes are ever signalled: other engineers and CI jobs run jest on the same machine.
 * Linux only (/proc); elsewhere the check is skipped. Global setup files are loaded without jest's module
 * mapping, so this one imports nothing relative.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Time for processes to exit by themselves once their jest worker is gone (Chromium: ~2 s). */
const GRACE_MS = 10_000;

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  startTime: string;
  cmdline: string;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') return null; // a zombie is gone, only not yet reaped
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(f[1]), pgid: Number(f[2]), startTime: f[19] ?? '', cmdline };
  } catch {
    return null;
  }
}

function readTable(): Proc[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProc(Number(e)))
    .filter((p): p is Proc => p !== null);
}

function environHas(pid: number, entry: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
  } catch {
    return false; // gone, or another user's process
  }
}

/** Every process of this run still alive, except this process and its ancestors. */
export function findLeftovers(marker: string, trackedDir: string | undefined): Proc[] {
  const table = readTable();
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const excluded = new Set<number>();
  for (let pid: number | undefined = process.pid; pid && !excluded.has(pid); pid = byPid.get(pid)?.ppid) excluded.add(pid);
  const found = new Map<number, Proc>();
  const entry = `EARSHOT_TEST_RUN=${marker}`;
  for (const p of table) if (!excluded.has(p.pid) && environHas(p.pid, entry)) found.set(p.pid, p);
  for (const file of trackedDir && fs.existsSync(trackedDir) ? fs.readdirSync(trackedDir) : []) {
    try {
      const rec = JSON.parse(fs.readFileSync(path.join(trackedDir!, file), 'utf8')) as { pid: number; startTime: string };
      const p = byPid.get(rec.pid);
      // Same pid and start time, or the pid now belongs to someone else.
      if (p && p.startTime === rec.startTime && !excluded.has(p.pid)) found.set(p.pid, p);
    } catch {
      // half-written record: its child was just starting, and the marker scan covers the rest
    }
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (found.has(p.pid) || excluded.has(p.pid)) continue;
      const leader = found.get(p.pgid);
      if (found.has(p.ppid) || (leader && leader.pgid === leader.pid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

export default async function leftoversTeardown(): Promise<void> {
  const marker = process.env.EARSHOT_TEST_RUN;
  const trackedDir = process.env.EARSHOT_TEST_RUN_DIR;
  if (!marker || !fs.existsSync('/proc/self/stat')) return; // not Linux: nothing to look at
  const deadline = Date.now() + GRACE_MS;
  let left = findLeftovers(marker, trackedDir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = findLeftovers(marker, trackedDir);
  }
  for (const p of left) {
    // Checked again right before the signal: the same start time, or it is not ours any more.
    if (readProc(p.pid)?.startTime !== p.startTime) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  if (trackedDir) fs.rmSync(trackedDir, { recursive: true, force: true });
  if (left.length > 0) {
    const lines = left.map((p) => `  pid ${p.pid}: ${p.cmdline.slice(0, 160)}`).join('\n');
    throw new Error(`${left.length} process(es) started by the tests were still running after the suite (now killed):\n${lines}`);
  }
}
