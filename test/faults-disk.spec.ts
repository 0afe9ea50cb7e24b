/**
 * Fault suite: DATA_DIR runs out of space mid-show (a small tmpfs, filled to the last byte). The service
 * (a real process, embedded backend) does not crash, says so with a stable code, keeps capturing and
 * fanning out, and once space is back every message it captured is stored exactly once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from './fixtures/server.ts';
import { post, Subscriber } from './support/service.ts';
import {
  buildServer,
  exactlyOnce,
  getJson,
  mountShows,
  startServiceProcess,
  storedMessages,
  until,
  type ServiceProcess,
  type Shows,
} from './faults-support.ts';

let fixtures: FixtureServer;
let shows: Shows;
let mountPoint: string;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  buildServer();
  fixtures = await startFixtureServer();
  shows = mountShows(fixtures);
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-full-'));
  // A real full disk: a tmpfs of its own (needs root, as the CI runs). Room for the database and the
  // browser profile, then filled up by the test.
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs for the full-disk test (run as root): ${mounted.stderr}`);
}, 180_000);

afterAll(async () => {
  await service?.killHard().catch(() => undefined);
  spawnSync('umount', ['-l', mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
  shows?.close();
  await fixtures?.close();
});

/** Writes a file until the filesystem refuses with ENOSPC; returns its path. */
function fillUp(dir: string): string {
  const file = path.join(dir, 'filler.bin');
  const chunk = Buffer.alloc(1024 * 1024, 1);
  const fd = fs.openSync(file, 'w');
  try {
    for (;;) {
      try {
        fs.writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // The last megabyte did not fit: fill the rest byte-wise in smaller steps.
        for (let size = 64 * 1024; size >= 1; size = Math.floor(size / 4)) {
          try {
            for (;;) fs.writeSync(fd, chunk.subarray(0, size));
          } catch (inner) {
            if ((inner as NodeJS.ErrnoException).code !== 'ENOSPC') throw inner;
          }
        }
        return file;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

test('DATA_DIR out of space: no crash, a coded error, capture goes on, nothing captured is lost', async () => {
  const dataDir = path.join(mountPoint, 'data');
  service = await startServiceProcess({ DATA_DIR: dataDir, ALLOW_PRIVATE_URLS: fixtures.url });
  const started = await post(service.url, '/api/start-monitoring', { url: shows.url('disk'), sessionId: 'disk', platform: 'whatnot' });
  expect(started.status).toBe(201);
  const sub = await Subscriber.connect(service.url, 'disk');
  const before = Array.from({ length: 15 }, (_, i) => ({ author: `a${i % 3}`, text: `roomy ${i}` }));
  await shows.run('disk', before, 20);
  await until(async () => (await storedMessages(service!.url, 'disk')).length === before.length, 30_000);

  const filler = fillUp(mountPoint);
  expect(() => fs.writeFileSync(path.join(dataDir, 'probe'), 'x'.repeat(4096))).toThrow(/ENOSPC/);
  const during = Array.from({ length: 25 }, (_, i) => ({ author: `b${i % 4}`, text: `full disk ${i}` }));
  await shows.run('disk', during, 10);
  // Captured and fanned out although nothing can be written.
  await sub.waitFor(() => sub.texts('disk').length >= before.length + during.length, 30_000);
  const health = await getJson<{ storage?: { writable: boolean; code?: string } }>(`${service.url}/health`);
  await until(
    async () => (await getJson<{ storage?: { code?: string } }>(`${service!.url}/health`)).storage?.code === 'disk_full',
    20_000,
    () => JSON.stringify(health),
  );
  // Public /health says what, not where: no DATA_DIR path (the system's message is in the log).
  const full = await getJson<{ storage?: Record<string, unknown> }>(`${service.url}/health`);
  expect(full.storage).toMatchObject({ writable: false, code: 'disk_full', message: expect.any(String) });
  expect(JSON.stringify(full)).not.toContain(dataDir);
  expect(service.child.exitCode).toBeNull();

  fs.rmSync(filler);
  fs.rmSync(path.join(dataDir, 'probe'), { force: true });
  const expected = [...before, ...during].map((m) => m.text);
  let stored: Array<{ id: string; text: string }> = [];
  await until(
    async () => {
      stored = await storedMessages(service!.url, 'disk');
      return exactlyOnce(expected, stored.map((m) => m.text)).missing.length === 0;
    },
    45_000,
    () => JSON.stringify(exactlyOnce(expected, stored.map((m) => m.text))),
  );
  expect(exactlyOnce(expected, stored.map((m) => m.text))).toEqual({ missing: [], repeated: [], unexpected: [] });
  await until(async () => (await getJson<{ storage?: { writable: boolean } }>(`${service!.url}/health`)).storage?.writable === true, 20_000);
  expect(sub.texts('disk')).toEqual(expected);
  sub.close();
  expect(await service.stop()).toEqual({ code: 0, signal: null });
}, 240_000);
