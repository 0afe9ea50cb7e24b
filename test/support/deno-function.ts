/**
 * Runs an edge function (supabase/functions/<name>/index.ts) under the real Deno binary on a loopback
 * port (EARSHOT_FUNCTION_PORT=0), with only the environment given. Resolves once it listens.
 *
 * Offline by construction: `--node-modules-dir=manual` makes Deno load `npm:` imports from the
 * node_modules that `npm install` filled (the versions package-lock.json pins), each run gets a new empty
 * DENO_DIR, and HTTP(S)_PROXY points at a closed port, so a fetch from a registry fails loudly instead of
 * passing on a machine whose cache happens to be warm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { trackChild } from './leftovers.ts';

/** A port nothing listens on (discard): any connection through the proxy is refused at once. */
export const CLOSED_PROXY = 'http://127.0.0.1:9';

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
  /** The DENO_DIR this run started with (empty at start; removed by stop()). */
  denoDir: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** The Deno command line that serves one function from node_modules, fetching nothing. */
export function denoArgs(name: string): string[] {
  return [
    'run',
    '--no-lock',
    '--node-modules-dir=manual',
    '--config',
    'supabase/functions/deno.json',
    '--allow-net',
    '--allow-env',
    '--allow-read',
    `supabase/functions/${name}/index.ts`,
  ];
}

export function startDenoFunction(name: string, env: Record<string, string>): Promise<RunningFunction> {
  const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-deno-'));
  const child = spawn(path.join(ROOT, 'node_modules/.bin/deno'), denoArgs(name), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DENO_DIR: denoDir,
      HTTPS_PROXY: CLOSED_PROXY,
      HTTP_PROXY: CLOSED_PROXY,
      NO_PROXY: '127.0.0.1,localhost,::1',
      NO_COLOR: '1',
      EARSHOT_FUNCTION_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Deno gets an environment of its own (no run marker): registered so it cannot outlive the tests unseen.
  trackChild(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(denoDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const port = /^\{"listening":(\d+)\}$/.exec(line.trim())?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}`, child, denoDir, stderr: () => stderr, stop });
    });
    // A function that never listened leaves no DENO_DIR behind (a start refused on a bad setting, say).
    const failed = (error: Error): void => {
      fs.rmSync(denoDir, { recursive: true, force: true });
      reject(error);
    };
    child.once('exit', (code) => failed(new Error(`deno exited with ${code}: ${stderr}`)));
    child.once('error', failed);
  });
}
