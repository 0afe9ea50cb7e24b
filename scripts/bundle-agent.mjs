#!/usr/bin/env node
/**
 * Bundles the in-page agent (src/capture/agent/page/) into one browser script with rolldown.
 * The only place the bundle is made: `scripts/build.js` writes it beside the built service
 * (`bundle-agent.mjs --out dist/src/capture/agent/agent.bundle.js`), and the service running from its
 * .ts sources (jest) runs it with no arguments and reads the script from stdout
 * (src/capture/agent/bundle.ts).
 *
 * The script declares one binding, `__earshotAgentModule` (the entry's exports); agent.ts wraps it in a
 * function scope together with the call that installs it, so nothing of it becomes a global.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const pageDir = path.join(root, 'src', 'capture', 'agent', 'page');

/** The agent as an IIFE source. Rejects a bundle that pulled in anything from outside the page folder. */
export async function bundleAgent() {
  const result = await build({
    input: path.join(pageDir, 'index.ts'),
    platform: 'browser',
    write: false,
    logLevel: 'warn',
    output: { format: 'iife', name: '__earshotAgentModule', exports: 'named' },
  });
  const chunk = result.output.find((item) => item.type === 'chunk');
  if (!chunk) throw new Error('bundle-agent: rolldown produced no chunk');
  // The page must get our code only: a dependency would run with the page's DOM in reach.
  const outside = chunk.moduleIds.filter((id) => !id.startsWith(pageDir + path.sep));
  if (outside.length > 0) {
    throw new Error(`bundle-agent: the in-page agent may only import from ${pageDir} (type imports excepted); it imports ${outside.join(', ')}`);
  }
  return chunk.code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const code = await bundleAgent();
  if (at > 0) {
    const out = path.resolve(process.argv[at + 1]);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out + '.tmp', code);
    fs.renameSync(out + '.tmp', out);
  } else {
    process.stdout.write(code);
  }
}
