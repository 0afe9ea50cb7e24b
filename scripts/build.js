#!/usr/bin/env node
'use strict';
/**
 * Builds the server (tsc -> dist/, and the in-page agent bundle) and the dashboard (vite -> web/dist/).
 * `--if-missing` skips what is already built and newer than its sources (npm start uses it);
 * `--server-only` / `--web-only` build one half (tests use them).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const ifMissing = process.argv.includes('--if-missing');
const serverOnly = process.argv.includes('--server-only');
const webOnly = process.argv.includes('--web-only');

function newestMtime(dir, exts) {
  let newest = 0;
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (exts.some((e) => entry.name.endsWith(e))) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  if (!fs.existsSync(dir)) return newest;
  // A source may be a single file (web/index.html) as well as a folder.
  if (fs.statSync(dir).isFile()) return fs.statSync(dir).mtimeMs;
  walk(dir);
  return newest;
}

function stale(output, sources, exts) {
  if (!fs.existsSync(output)) return true;
  const built = fs.statSync(output).mtimeMs;
  return sources.some((s) => newestMtime(path.join(root, s), exts) > built);
}

/** A package's command-line script (vite does not export its bin path, so read it from package.json). */
function binOf(pkg) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin } = require(manifest);
  return path.join(path.dirname(manifest), typeof bin === 'string' ? bin : bin[pkg]);
}

function run(bin, args, env = process.env) {
  execFileSync(process.execPath, [require.resolve(bin), ...args], { cwd: root, stdio: 'inherit', env });
}

const serverOut = path.join(root, 'dist', 'src', 'cli.js');
if (!webOnly && (!ifMissing || stale(serverOut, ['src', 'supabase/functions/_shared'], ['.ts']))) {
  process.stdout.write('building server...\n');
  run('typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
  fs.utimesSync(serverOut, new Date(), new Date());
}
// The in-page agent ships as one browser script beside the compiled service (src/capture/agent/bundle.ts
// reads it); tsc alone does not make it, so it is checked on its own.
const agentOut = path.join(root, 'dist', 'src', 'capture', 'agent', 'agent.bundle.js');
if (!webOnly && (!ifMissing || stale(agentOut, ['src/capture/agent', 'scripts/bundle-agent.mjs'], ['.ts', '.mjs']))) {
  process.stdout.write('bundling the in-page agent...\n');
  run('./bundle-agent.mjs', ['--out', agentOut]);
}
const webOut = path.join(root, 'web', 'dist', 'index.html');
// The dashboard also bundles the platforms' labels and host patterns (src/capture/platforms/registry.ts) and
// the ledger's counting (supabase/functions/_shared/ledger/sale.ts).
if (!serverOnly && fs.existsSync(path.join(root, 'web', 'vite.config.ts')) && (!ifMissing || stale(webOut, ['web/src', 'web/index.html', 'web/overlay.html', 'web/vite.config.ts', 'src/capture/platforms', 'supabase/functions/_shared/ledger'], ['.ts', '.tsx', '.css', '.html']))) {
  process.stdout.write('building dashboard...\n');
  // A test runner's NODE_ENV=test would make vite bundle React's development build.
  run(binOf('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    ...process.env,
    NODE_ENV: 'production',
    VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true',
  });
}
