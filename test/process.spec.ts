/** The service as a real process: starts from the built CLI, serves the demo to /ws, exits 0 on SIGTERM. */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnService } from './support/service-process.ts';
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
  const service = spawnService({ DATA_DIR: dataDir, ALLOW_PRIVATE_URLS: 'false' });
  child = service.child;
  const base = await service.listening;

  const started = await post(base, '/api/start-monitoring', { url: `${base}/demo/live` });
  expect(started.status).toBe(201);
  const sub = await Subscriber.connect(base, started.body.sessionId);
  await sub.waitFor(() => sub.messages().length >= 5);
  const health = (await (await fetch(`${base}/health`)).json()) as { activeSessions: number };
  expect(health.activeSessions).toBe(1);

  const closed = new Promise<number>((resolve) => sub.ws.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await service.exited).toEqual({ code: 0, signal: null });
  expect(await closed).toBe(1001);
  expect(service.output()).toMatch(/shutting down/);
});
