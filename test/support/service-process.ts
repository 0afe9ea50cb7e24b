/** The built service as a real process (`node dist/src/cli.js serve`), for specs that signal or kill it. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root, from test/support or from its compiled copy in dist/test/support (npm run bench). */
const root = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export interface SpawnedService {
  child: ChildProcess;
  /** Resolves with the base URL once the service listens; rejects if it exits first or takes too long. */
  listening: Promise<string>;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Everything it printed so far (pino JSON lines). */
  output(): string;
}

/**
 * Spawns the service with `env` over the caller's environment, as the leader of a new process group
 * (what `npm start` under a supervisor is), so a spec can signal the whole group.
 */
export function spawnService(env: Record<string, string>, options: { timeoutMs?: number } = {}): SpawnedService {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'cli.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), options.timeoutMs ?? 60_000);
    void exited.then((status) => {
      clearTimeout(timer);
      reject(new Error(`service exited ${JSON.stringify(status)} before listening:\n${output}`));
    });
    const check = (): void => {
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      } else if (child.exitCode === null && child.signalCode === null) setTimeout(check, 50);
    };
    check();
  });
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => output };
}
