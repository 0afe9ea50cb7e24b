/**
 * Starts a worker thread or a child process on a module of the service, compiled or not. From the
 * compiled service (dist/) the entry is plain JavaScript; from the sources (jest runs the service
 * in-process from .ts files) each .ts module is transpiled as it is required, with the TypeScript
 * compiler the project already has (transpile only: typecheck is `npm test`'s job). Shared by the
 * embedded backend's worker (worker-backend.ts) and the document extraction worker (src/kb/extract-pool.ts).
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';

/**
 * The script to run with `new Worker(BOOTSTRAP, { eval: true, workerData: { entry } })`, or
 * `node -e BOOTSTRAP` with EARSHOT_ENTRY set: it loads `entry`.
 */
export const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const fs = require('node:fs');
const entry = workerData ? workerData.entry : process.env.EARSHOT_ENTRY;
const load = Module.createRequire(entry);
if (entry.endsWith('.ts')) {
  const ts = load('typescript');
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
    isolatedModules: true, inlineSourceMap: true,
  };
  Module._extensions['.ts'] = function (module, filename) {
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions });
    module._compile(out.outputText, filename);
  };
}
load(entry);
`;

/** The path of the module `name` (without extension) in `dir`, as this build has it (.ts or .js). */
export function entryPath(dir: string, name: string): string {
  return path.join(dir, `${name}${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
}

/** What a worker says when it has started: `{op: 'ready'}`, or `{op: 'failed', error}`. */
type StartMessage = { op?: string; error?: unknown };

/**
 * Resolves when the worker says it is ready; rejects with `failed(error)` if it says it failed, or with
 * `exited(code)` if it exits first. Its listeners are removed either way.
 */
export function waitReady<E>(worker: Worker, errors: { failed: (error: E) => Error; exited: (code: number) => Error }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: StartMessage): void => {
      if (message?.op === 'ready') settle(() => resolve());
      else if (message?.op === 'failed') settle(() => reject(errors.failed(message.error as E)));
    };
    const onError = (error: Error): void => settle(() => reject(error));
    const onExit = (code: number): void => settle(() => reject(errors.exited(code)));
    const settle = (fn: () => void): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      fn();
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
