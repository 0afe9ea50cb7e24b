/**
 * `npm run bench [-- [--quick] [name ...]]`: runs every benchmark (or those named), prints a table per
 * benchmark and writes bench/results.json: one JSON object per line, {name, params, metrics}, the first
 * line being the machine ({name: "machine"}). Never part of `npm test`; loopback only.
 * `node dist/bench/run.js --markdown` prints the last results.json as Markdown tables (for docs).
 *
 * Names: capture-latency, burst-integrity, concurrency, fanout, ingest, llm-economy, auth-verify, question-detection, kb-answers,
 * cluster-failover, cluster-fanout, cluster-capacity.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auth } from './auth.ts';
import { capture } from './capture.ts';
import { cluster } from './cluster.ts';
import { concurrency } from './concurrency.ts';
import { fanout } from './fanout.ts';
import { ingest } from './ingest.ts';
import { llmEconomy } from './llm-economy.ts';
import { memory } from './memory.ts';
import { quality } from './quality.ts';
import type { Benchmark, BenchContext, BenchResult } from './lib/harness.ts';
import { machineFacts } from './lib/machine.ts';

const BENCHMARKS: Benchmark[] = [capture, concurrency, fanout, ingest, llmEconomy, memory, auth, quality, cluster];

/** Formats results of one benchmark name as an aligned text table. */
export function formatTable(name: string, results: BenchResult[]): string {
  const paramKeys = [...new Set(results.flatMap((r) => Object.keys(r.params)))];
  const metricKeys = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const header = [...paramKeys, ...metricKeys];
  const rows = results.map((r) => [
    ...paramKeys.map((k) => String(r.params[k] ?? '')),
    ...metricKeys.map((k) => (r.metrics[k] === null || r.metrics[k] === undefined ? '-' : String(r.metrics[k]))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [`== ${name}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The same table in Markdown. */
export function formatMarkdown(results: BenchResult[]): string {
  const paramKeys = [...new Set(results.flatMap((r) => Object.keys(r.params)))];
  const metricKeys = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const cell = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));
  return [
    `| ${[...paramKeys, ...metricKeys].join(' | ')} |`,
    `|${[...paramKeys, ...metricKeys].map(() => '---').join('|')}|`,
    ...results.map((r) => `| ${[...paramKeys.map((k) => cell(r.params[k])), ...metricKeys.map((k) => cell(r.metrics[k]))].join(' | ')} |`),
  ].join('\n');
}

const RESULTS_FILE = path.resolve(__dirname, '../../bench/results.json');

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--markdown')) {
    const lines = fs.readFileSync(RESULTS_FILE, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as BenchResult);
    const names = [...new Set(lines.map((r) => r.name))];
    process.stdout.write(names.map((n) => `### ${n}\n\n${formatMarkdown(lines.filter((r) => r.name === n))}\n`).join('\n'));
    return;
  }
  const quick = argv.includes('--quick');
  const wanted = argv.filter((a) => !a.startsWith('--'));
  const known = BENCHMARKS.flatMap((b) => b.names);
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${known.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const selected = BENCHMARKS.filter((b) => wanted.length === 0 || b.names.some((n) => wanted.includes(n)));
  const context: BenchContext = { quick, log: (line) => process.stdout.write(`${line}\n`) };
  const started = Date.now();
  const machine = await machineFacts();
  context.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}, ${machine.chromium}, load ${machine.loadAvg1m}`);
  const results: BenchResult[] = [];
  for (const bench of selected) {
    const benchStarted = Date.now();
    context.log(`running ${bench.names.join(' + ')}${quick ? ' (quick)' : ''}...`);
    try {
      const produced = await bench.run(context);
      // A benchmark's own summary rows (`fanout-vs-bare`) come with it.
      results.push(...produced.filter((r) => wanted.length === 0 || wanted.some((w) => r.name === w || r.name.startsWith(`${w}-`))));
    } catch (error) {
      context.log(`  FAILED: ${(error as Error).stack ?? String(error)}`);
      results.push({ name: bench.names[0]!, params: {}, metrics: { error: String((error as Error).message ?? error) } });
      process.exitCode = 1;
    }
    context.log(`  (${((Date.now() - benchStarted) / 1000).toFixed(1)} s)`);
  }
  const names = [...new Set(results.map((r) => r.name))];
  process.stdout.write(`\n${names.map((n) => formatTable(n, results.filter((r) => r.name === n))).join('\n\n')}\n`);
  const totalSeconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\ntotal ${totalSeconds} s\n`);
  const machineLine: BenchResult = {
    name: 'machine',
    params: { quick },
    metrics: { ...machine, loadAvg1mAtEnd: Math.round(os.loadavg()[0]! * 100) / 100, totalSeconds },
  };
  const out = RESULTS_FILE;
  fs.writeFileSync(out, [machineLine, ...results].map((r) => JSON.stringify(r)).join('\n') + '\n');
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
}

main(process.argv.slice(2)).then(
  // Chromium pipes or stray sockets must not keep a finished run alive.
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
