/**
 * Resource accounting from Linux /proc: memory and CPU of a process tree (Chromium is one browser
 * process plus zygotes, a GPU/utility process and one renderer per site), and of this Node process.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

let ticksPerSecond: number | undefined;

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on nearly every Linux). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface StatLine {
  pid: number;
  ppid: number;
  /** utime + stime in clock ticks. */
  ticks: number;
}

function readStat(pid: number): StatLine | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name sits in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** `root` and every process descended from it that is alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (!fs.existsSync(`/proc/${pid}`)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** A `Field:   N kB` line of a /proc file (status, smaps_rollup), in kB; 0 when missing. */
export function kbField(file: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(file, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Memory of a process tree in MiB: RSS summed (counts shared pages once per process) and PSS (shares split). */
export function treeMemory(root: number): { processes: number; rssMb: number; pssMb: number } {
  const pids = processTree(root);
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += kbField(`/proc/${pid}/status`, 'VmRSS');
    pss += kbField(`/proc/${pid}/smaps_rollup`, 'Pss');
  }
  return { processes: pids.length, rssMb: rss / 1024, pssMb: pss / 1024 };
}

/** CPU seconds (user + system) used so far by the live processes of a tree. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / clockTicks();
}

/** CPU seconds used so far by this Node process. */
export function selfCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** CPU seconds all cores of the machine have spent busy so far (from /proc/stat). */
export function machineBusySeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
    const busy = fields[0]! + fields[1]! + fields[2]! + fields[5]! + fields[6]! + (fields[7] ?? 0);
    return busy / clockTicks();
  } catch {
    return 0;
  }
}

/** Average cores used over a window (1.0 = one core busy the whole time). */
export interface CpuUsage {
  seconds: number;
  /** This Node process. */
  nodeCores: number;
  /** The given process trees together (Chromium, a child process), null when none was given. */
  treeCores: number | null;
  /** The whole machine. */
  machineCores: number;
  /**
   * What the rest of the machine used meanwhile (machine - node - trees). Other work on a shared
   * machine skews every number: a run with much foreign CPU should be repeated.
   */
  foreignCores: number;
}

/**
 * Measures CPU over a window: returns an object whose `stop()` gives the average cores used since.
 * Processes that exit inside the window lose their ticks: keep the trees stable while measuring.
 */
export function cpuWindow(treeRoots: number[] = []): { stop(): CpuUsage } {
  const treesCpu = (): number => treeRoots.reduce((sum, root) => sum + treeCpuSeconds(root), 0);
  const startedAt = process.hrtime.bigint();
  const nodeStart = selfCpuSeconds();
  const treeStart = treesCpu();
  const machineStart = machineBusySeconds();
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const nodeCores = (selfCpuSeconds() - nodeStart) / seconds;
      const treeCores = treeRoots.length === 0 ? null : (treesCpu() - treeStart) / seconds;
      const machineCores = (machineBusySeconds() - machineStart) / seconds;
      const foreignCores = Math.max(0, machineCores - nodeCores - (treeCores ?? 0));
      return { seconds, nodeCores, treeCores, machineCores, foreignCores };
    },
  };
}

/** This Node process's memory in MiB. */
export function nodeMemory(): { rssMb: number; heapUsedMb: number } {
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / 1024 / 1024, heapUsedMb: usage.heapUsed / 1024 / 1024 };
}

/**
 * Event-loop delay over a window (perf_hooks histogram, 1 ms resolution): how long this process's
 * main thread was blocked at a stretch. Anything synchronous on the main thread (WebAssembly Postgres,
 * big JSON) delays every WebSocket frame and CDP event queued behind it.
 */
export function loopDelayWindow(): { stop(): { p99Ms: number; maxMs: number } } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
    },
  };
}
