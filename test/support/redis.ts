/**
 * A real Redis server for the cluster specs: Debian's redis-server (provisioned by scripts/test-prereqs.sh,
 * which `npm test` runs first; REDIS_SERVER may name another binary, valkey-server included) on a free
 * loopback port, with its files in a temporary folder. Append-only persistence with fsync on every write,
 * as a managed Redis with persistence keeps it, so `restart()` brings back the same data: the cluster's
 * locks, queue and streams survive a Redis restart mid-show.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { trackChild } from './leftovers.ts';
import { freePort } from './postgres.ts';

export interface RealRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, it writes its files) and starts it again on the same port and data. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server, keeping its files (for restart()). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function redisBinary(): string {
  const candidates = [process.env.REDIS_SERVER, 'redis-server', 'valkey-server'].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  throw new Error('No redis-server found: run scripts/test-prereqs.sh (npm test does) or set REDIS_SERVER');
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts a fresh server; `stop()` ends it and removes its files. */
export async function startRedis(): Promise<RealRedis> {
  const binary = redisBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let output = '';

  const launch = async (): Promise<void> => {
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--protected-mode', 'no',
      '--daemonize', 'no',
    ];
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout!.on('data', (d) => (output = (output + String(d)).slice(-4000)));
    started.stderr!.on('data', (d) => (output = (output + String(d)).slice(-4000)));
    trackChild(started);
    child = started;
    try {
      await waitForPort(port, 10_000);
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(`${(error as Error).message}:\n${output}`);
    }
  };

  const halt = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: halt,
    resume: launch,
    restart: async (options = {}) => {
      await halt();
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      await launch();
    },
    stop: async () => {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
