/**
 * The in-page agent as one script (page/ bundled by scripts/bundle-agent.mjs).
 *
 * The built service reads the bundle `scripts/build.js` wrote beside this file; rolldown is a
 * development dependency, so production never bundles. From the .ts sources (jest runs the service
 * in-process) there is no build step to rely on, so the sources are bundled on first use, once per
 * process: always from the current sources, so no generated file is committed or can go stale. A child
 * process because rolldown is an ES module and jest's CommonJS runtime cannot load it; that also keeps
 * this call synchronous (about 0.1 s, once).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EarshotError } from '../../errors.ts';

/** Where scripts/build.js writes the bundle in dist/ (beside the compiled bundle.js). */
export const BUILT_BUNDLE = path.join(__dirname, 'agent.bundle.js');

let cached: string | undefined;

/** The agent's IIFE source, which declares `__earshotAgentModule` with `installAgent`. */
export function agentBundle(): string {
  cached ??= __filename.endsWith('.ts') ? bundleSources() : readBuilt();
  return cached;
}

function bundleSources(): string {
  const script = path.join(__dirname, '..', '..', '..', 'scripts', 'bundle-agent.mjs');
  return execFileSync(process.execPath, [script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
}

function readBuilt(): string {
  try {
    return fs.readFileSync(BUILT_BUNDLE, 'utf8');
  } catch (error) {
    throw new EarshotError(
      'internal',
      `the in-page agent bundle ${BUILT_BUNDLE} is missing: build the service with \`node scripts/build.js\` (npm run build), not tsc alone`,
      { path: BUILT_BUNDLE },
      { cause: error },
    );
  }
}
