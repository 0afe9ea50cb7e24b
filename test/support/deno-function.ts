/**
 * Runs an edge function (supabase/functions/<name>/index.ts) under the real Deno binary on a loopback
 * port (EARSHOT_FUNCTION_PORT=0), with only the environment given. Resolves once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** The repository root, from test/support or from its compiled copy in dist/test/support (npm run bench). */
const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'supabase', 'functions', 'deno.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export interface RunningFunction {
  /** Base URL; the function answers on any path. */
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

export function startDenoFunction(name: string, env: Record<string, string>): Promise<RunningFunction> {
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/deno'),
    ['run', '--no-lock', '--config', 'supabase/functions/deno.json', '--allow-net', '--allow-env', '--allow-read', `supabase/functions/${name}/index.ts`],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}),
        NO_COLOR: '1',
        EARSHOT_FUNCTION_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const port = /^\{"listening":(\d+)\}$/.exec(line.trim())?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}`, child, stderr: () => stderr, stop });
    });
    child.once('exit', (code) => reject(new Error(`deno exited with ${code}: ${stderr}`)));
    child.once('error', reject);
  });
}
