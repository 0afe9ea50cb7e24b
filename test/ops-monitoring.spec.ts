/**
 * Operations material checked against the running service: `promtool check metrics` on a real /metrics
 * scrape (with a live demo show, so labelled series exist), the alert rules checked and unit-tested by
 * promtool, and every metric the Grafana dashboard and the alerts query is one the service exports.
 * promtool comes from Debian's `prometheus` package (scripts/test-prereqs.sh installs it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { post, startTestService } from './support/service.ts';
import { until } from './support/wait.ts';

const MONITORING = path.join(__dirname, '..', 'docs', 'monitoring');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const run = spawnSync(PROMTOOL, args, { cwd: MONITORING, input, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}): scripts/test-prereqs.sh installs Debian's prometheus package`);
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** Metric names a PromQL expression reads (identifiers followed by `{`, `[` or standing alone, minus PromQL's words). */
function metricNames(expr: string): string[] {
  const words = new Set(['sum', 'by', 'max', 'min', 'rate', 'increase', 'histogram_quantile', 'unless', 'and', 'or', 'le', 'deriv', 'label_values', 'instance', 'platform', 'status', 'reason']);
  const names = expr.replace(/"[^"]*"/g, '""').match(/[a-z_][a-z0-9_]*/g) ?? [];
  return [...new Set(names.filter((n) => !words.has(n) && /_/.test(n)))];
}

/** The metric families a scrape exports (histograms by their _bucket/_sum/_count series too). */
function exported(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const line of scrape.split('\n')) {
    // A labelled counter nobody has incremented yet has its TYPE line but no sample: it is exported.
    const m = /^(?:# TYPE )?([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) histogram$/.exec(line);
    if (type) for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${type[1]}${suffix}`);
  }
  return names;
}

describe('operations: metrics, alerts and the dashboard', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let scrape: string;

  beforeAll(async () => {
    service = await startTestService();
    const started = await post(service.url, '/api/start-monitoring', { url: `${service.url}/demo/live` });
    expect(started.status).toBe(201);
    scrape = await until(
      async () => {
        const text = await (await fetch(`${service.url}/metrics`)).text();
        return /^earshot_messages_total\{platform="whatnot"\} [1-9]/m.test(text) && /^earshot_capture_latency_seconds_bucket\{/m.test(text)
          ? text
          : undefined;
      },
      'the demo show to be captured and counted in /metrics',
      60_000,
    );
  }, 90_000);

  afterAll(async () => {
    await service?.close();
  });

  test('promtool check metrics finds nothing wrong with a live /metrics scrape', () => {
    expect(scrape).toMatch(/^earshot_sessions\{platform="whatnot",status="live"\} 1$/m);
    expect(scrape).toMatch(/^earshot_forwarder_consecutive_failures 0$/m);
    const check = promtool(['check', 'metrics'], scrape);
    expect(check.out.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  test('promtool check metrics does fail on a badly named series (the check can fail)', () => {
    const bad = '# HELP earshot_bad_counter a counter without _total\n# TYPE earshot_bad_counter counter\nearshot_bad_counter 1\n';
    const check = promtool(['check', 'metrics'], bad);
    expect(check.status).not.toBe(0);
    expect(check.out).toMatch(/_total/);
  });

  test('the alert rules are valid and their unit tests pass', () => {
    const rules = promtool(['check', 'rules', 'alerts.yml']);
    expect(rules.out).toMatch(/SUCCESS: 9 rules found/);
    expect(rules.status).toBe(0);
    const unit = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(unit.out).toMatch(/SUCCESS/);
    expect(unit.status).toBe(0);
  });

  test('every metric the dashboard and the alerts read is exported by the service', () => {
    const names = exported(scrape);
    const dashboard = JSON.parse(fs.readFileSync(path.join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ query: string }> };
    };
    expect(dashboard.uid).toBe('earshot-overview');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    const exprs = [
      ...dashboard.panels.flatMap((p) => {
        expect(p.title).toBeTruthy();
        expect(p.targets.length).toBeGreaterThan(0);
        return p.targets.map((t) => t.expr);
      }),
      ...dashboard.templating.list.map((v) => v.query),
      ...[...fs.readFileSync(path.join(MONITORING, 'alerts.yml'), 'utf8').matchAll(/expr: (?:\|\n)?([\s\S]*?)\n\s+(?:for|labels):/g)].map((m) => m[1]!),
    ];
    const read = new Set(exprs.flatMap(metricNames));
    expect(read.size).toBeGreaterThanOrEqual(15);
    const missing = [...read].filter((n) => !names.has(n));
    expect(missing).toEqual([]);
  });
});
