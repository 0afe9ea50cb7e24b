/**
 * Starts a worker thread or a child process on a module of the service, compiled or not. From the
 * compiled service (dist/) the entry is plain JavaScript; from the sources (jest runs the service
 * in-process from .ts files) each .ts module is transpiled as it is required, with the TypeScript
 * compiler the project already has (transpile only: typecheck is `npm test`'s job). Shared by the
 * embedded backend's worker (worker-backend.ts) and the document extraction worker (src/kb/extract-pool.ts).
 */
import path from 'node:path';

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
