/**
 * Which processes a previous run of this DATA_DIR left behind, decided purely from a record and a
 * snapshot of the process table. Nothing here reads /proc or sends a signal (see browser-record.ts).
 *
 * A pid alone identifies nothing: after the browser died the kernel may hand its number to any other
 * process. The record therefore carries what a reused pid cannot fake at once: the boot it belongs to,
 * the process's start time (clock ticks since boot, /proc/<pid>/stat field 22) and the profile directory
 * on its command line. Anything that does not match all of them is left alone.
 */
import { z } from 'zod';

/** What the pool writes to DATA_DIR/chromium.json after each launch. */
export const BrowserRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** Start time of the browser process in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTime: z.string().regex(/^\d+$/),
  /** /proc/sys/kernel/random/boot_id when it was recorded: start times of another boot mean nothing. */
  bootId: z.string().min(1),
  /** Absolute path given as --user-data-dir: the marker on the browser's command line. */
  userDataDir: z.string().min(1),
  executablePath: z.string().min(1),
  launchedAt: z.string(),
});
export type BrowserRecord = z.infer<typeof BrowserRecordSchema>;

/** One process as seen in /proc. */
export interface ProcessSnapshot {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** Clock ticks since boot, kept as a decimal string (it can exceed 2^53 in theory). */
  startTime: string;
  argv: string[];
}

/** The flag every browser this pool launches carries; together with the profile it marks ours. */
export const PIPE_FLAG = '--remote-debugging-pipe';

/** What to do about a previous run's browser. */
export type LeftoverVerdict =
  /** Nothing of ours is running. */
  | { action: 'none'; reason: 'no_record' | 'gone' | 'other_boot' }
  /** The recorded pid is alive but is not our browser (reused pid, another program): never signal it. */
  | { action: 'leave'; reason: 'pid_reused' | 'not_our_browser'; pid: number }
  /**
   * Ours: `group` is a process group led by our browser (signal -group), `pids` every process of it
   * that is alive now (for logs and for waiting until they are gone).
   */
  | { action: 'end'; reason: 'recorded' | 'marked' | 'orphaned_children'; group: number | null; pids: number[] };

export function profileFlag(userDataDir: string): string {
  return `--user-data-dir=${userDataDir}`;
}

/** True when `p` is a browser (not a zygote or renderer) started with our profile and our pipe flag. */
export function isMarkedBrowser(p: ProcessSnapshot, userDataDir: string): boolean {
  return p.argv.includes(profileFlag(userDataDir)) && p.argv.includes(PIPE_FLAG) && !p.argv.some((a) => a.startsWith('--type='));
}

/**
 * Decides what a starting pool does about a browser an earlier run (or an earlier launch) left behind.
 *
 * - A recorded pid that is alive with the recorded start time and our profile on its command line is
 *   ours: its whole group goes (browser, zygotes, utility processes, renderers share it).
 * - A recorded pid that is alive with another start time or command line is someone else's: left alone.
 * - The recorded browser gone but processes of its group still alive (renderers outliving it) with the
 *   browser's executable and a start time after it: those go, one by one (the group's leader is dead,
 *   so the number cannot have been handed to a new group while they live).
 * - A browser with our profile and pipe flag but no record (killed before the record was written): ours.
 */
export function judgeLeftovers(
  record: BrowserRecord | null,
  processes: readonly ProcessSnapshot[],
  context: { bootId: string; userDataDir: string; selfPid: number },
): LeftoverVerdict {
  const others = processes.filter((p) => p.pid !== context.selfPid);
  const marked = others.filter((p) => isMarkedBrowser(p, context.userDataDir));
  const groupOf = (leader: number): number[] => others.filter((p) => p.pgid === leader).map((p) => p.pid);
  const endMarked = (): LeftoverVerdict => {
    // Only a group leader's group is ours to signal; a marked process inside a foreign group goes alone.
    const pids = [...new Set(marked.flatMap((p) => (p.pgid === p.pid ? groupOf(p.pid) : [p.pid])))];
    const leaders = marked.filter((p) => p.pgid === p.pid);
    return { action: 'end', reason: 'marked', group: leaders.length === 1 ? leaders[0]!.pid : null, pids };
  };

  if (!record) return marked.length > 0 ? endMarked() : { action: 'none', reason: 'no_record' };
  if (record.bootId !== context.bootId) return marked.length > 0 ? endMarked() : { action: 'none', reason: 'other_boot' };

  const leader = others.find((p) => p.pid === record.pid);
  if (leader) {
    if (leader.startTime !== record.startTime) {
      return marked.length > 0 ? endMarked() : { action: 'leave', reason: 'pid_reused', pid: leader.pid };
    }
    if (!leader.argv.includes(profileFlag(record.userDataDir))) {
      return marked.length > 0 ? endMarked() : { action: 'leave', reason: 'not_our_browser', pid: leader.pid };
    }
    const group = leader.pgid === leader.pid ? leader.pid : null;
    return { action: 'end', reason: 'recorded', group, pids: group === null ? [leader.pid] : groupOf(group) };
  }

  const orphans = others.filter(
    (p) => p.pgid === record.pid && p.argv[0] === record.executablePath && BigInt(p.startTime) >= BigInt(record.startTime),
  );
  if (orphans.length > 0) return { action: 'end', reason: 'orphaned_children', group: null, pids: orphans.map((p) => p.pid) };
  return marked.length > 0 ? endMarked() : { action: 'none', reason: 'gone' };
}

/**
 * Parses /proc/<pid>/stat. The command name sits in parentheses and may itself contain spaces or
 * parentheses, so fields are counted from the last ')'. Returns null for anything malformed.
 */
export function parseProcStat(text: string): { ppid: number; pgid: number; startTime: string; state: string } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // fields[0] is field 3 (state); ppid is field 4, pgrp 5, starttime 22.
  const fields = text.slice(close + 2).trim().split(' ');
  const [state, ppid, pgid, startTime] = [fields[0], fields[1], fields[2], fields[19]];
  if (!state || !ppid || !pgid || !startTime || !/^\d+$/.test(ppid) || !/^\d+$/.test(pgid) || !/^\d+$/.test(startTime)) return null;
  return { state, ppid: Number(ppid), pgid: Number(pgid), startTime };
}

/** Splits /proc/<pid>/cmdline (NUL-separated, NUL-terminated) into argv. */
export function parseCmdline(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}
