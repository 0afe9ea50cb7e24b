/** The service as a real process: starts from the built CLI, serves the demo to /ws, exits 0 on SIGTERM. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Subscriber, post } from './support/service.ts';

const root = path.join(__dirname, '..');
let child: ChildProcess | undefined;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js'), '--if-missing', '--server-only'], { cwd: root, stdio: 'inherit' });
}, 180_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

test('npm start equivalent: demo messages flow to /ws, then SIGTERM exits cleanly', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-proc-'));
  child = spawn(process.execPath, [path.join(root, 'dist', 'src', 'cli.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ALLOW_PRIVATE_URLS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 60_000);
    const check = (): void => {
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      } else setTimeout(check, 50);
    };
    check();
  });

  const started = await post(base, '/api/start-monitoring', { url: `${base}/demo/live` });
  expect(started.status).toBe(201);
  const sub = await Subscriber.connect(base, started.body.sessionId);
  await sub.waitFor(() => sub.messages().length >= 5);
  const health = (await (await fetch(`${base}/health`)).json()) as { activeSessions: number };
  expect(health.activeSessions).toBe(1);

  const closed = new Promise<number>((resolve) => sub.ws.on('close', (code) => resolve(code)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child!.on('exit', (code, signal) => resolve({ code, signal })),
  );
  child.kill('SIGTERM');
  expect(await exited).toEqual({ code: 0, signal: null });
  expect(await closed).toBe(1001);
  expect(output).toMatch(/shutting down/);
});
