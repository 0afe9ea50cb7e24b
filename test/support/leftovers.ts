/**
 * Children that tests start with an environment of their own (Deno gets only PATH, HOME and its
 * variables) do not inherit the run's marker (EARSHOT_TEST_RUN, see leftovers-teardown.ts). trackChild()
 * ties such a child to this process, so it dies with it, and records it for the suite's no-leftovers check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { readProcess } from '../../src/capture/browser/browser-record.ts';

/**
 * A watchdog shell blocks reading a pipe whose only writer is this process. However this process ends
 * (jest SIGTERMs a worker that does not exit by itself, a bench run is SIGKILLed) the pipe closes, the read
 * returns, and the watchdog SIGKILLs the child if that pid still holds the same process (same start time).
 * 'exit' handlers would not do: inside jest, `process` is a sandbox copy whose 'exit' never fires.
 */
const WATCHDOG = 'read -r _; s=$(cut -d" " -f22 "/proc/$1/stat" 2>/dev/null); [ "$s" = "$2" ] && kill -9 "$1"';

/**
 * Registers a child of this process: it is killed when this process dies without having stopped it, and,
 * inside a jest run, recorded in EARSHOT_TEST_RUN_DIR so the teardown reports it if it is still alive.
 * Linux only (/proc); elsewhere a no-op.
 */
export function trackChild(child: ChildProcess): void {
  const p = child.pid === undefined ? null : readProcess(child.pid);
  if (!p) return;
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'earshot-watchdog', String(p.pid), p.startTime], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  watchdog.stdin!.on('error', () => undefined);
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  child.once('exit', () => watchdog.kill('SIGKILL'));

  const dir = process.env.EARSHOT_TEST_RUN_DIR;
  if (!dir) return;
  try {
    fs.writeFileSync(path.join(dir, `${p.pid}.json`), JSON.stringify({ pid: p.pid, startTime: p.startTime }));
  } catch {
    // the run directory is gone (teardown already ran): nothing left to report to
  }
}
