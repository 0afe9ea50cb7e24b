/**
 * A real PostgreSQL server for tests: a new cluster (initdb) in a temporary folder, listening on a free
 * loopback port, with Supabase's roles, the `auth` stand-in and every migration applied. The server
 * binaries come from the machine (Debian's postgresql-15 or newer, provisioned by scripts/test-prereqs.sh,
 * which `npm test` runs first), or PG_BIN. As root the server runs as the `postgres` user (PostgreSQL
 * refuses to run as root). pgvector is not part of those builds: the schema then falls back to
 * full-text search alone (see supabase/migrations/0002_knowledge_base.sql).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { applyMigrations, postgresTarget } from '../../src/backend/migrations.ts';
import { trackChild } from './leftovers.ts';

export interface RealPostgres {
  /** Superuser connection string (postgres://postgres@127.0.0.1:<port>/postgres). */
  url: string;
  port: number;
  /** The server's major version, e.g. 15. */
  version: number;
  child: ChildProcess;
  stop(): Promise<void>;
  /** Stops the server (fast shutdown, every connection dropped) and keeps its files: an outage. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port and data; resolves once it accepts queries. */
  resume(): Promise<void>;
}

/** Where the PostgreSQL server binaries are (initdb, postgres), newest major first; undefined if none. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin'));
  }
  const fromPgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromPgConfig.status === 0) candidates.push(fromPgConfig.stdout.trim());
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres')));
}

/** The uid/gid to run the server as: ourselves, or the `postgres` user when we are root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root and there is no `postgres` user: run scripts/test-prereqs.sh (npm test does)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a fresh server with the schema applied; `stop()` ends it and removes its files. */
export async function startPostgres(options: { migrate?: boolean } = {}): Promise<RealPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('No PostgreSQL server binaries found (initdb, postgres): run scripts/test-prereqs.sh or set PG_BIN');
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-pg-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(dataDir, user.uid, user.gid);
  }
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8',
    ...user,
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const version = Number(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim());

  const launch = (port: number): { child: ChildProcess; exited: Promise<void>; log: () => string } => {
    const child = spawn(
      path.join(bin, 'postgres'),
      [
        '-D', dataDir,
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `port=${port}`,
        '-c', `unix_socket_directories=${dir}`,
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=40',
        '-c', 'shared_buffers=32MB',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...user },
    );
    // The server runs as another user with its own environment: tracked so it never outlives the tests.
    trackChild(child);
    let log = '';
    child.stderr!.on('data', (chunk) => (log += String(chunk)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, exited, log: () => log };
  };

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let running = launch(port);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const halt = async (): Promise<void> => {
      const { child, exited } = running;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
    };
    const stop = async (): Promise<void> => {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    const resume = async (): Promise<void> => {
      await halt();
      running = launch(port);
      if (!(await waitReady(url, running.exited))) throw new Error(`PostgreSQL did not start again: ${running.log()}`);
    };
    const ready = await waitReady(url, running.exited);
    if (!ready) {
      // Another process took the port between freePort() and the bind: the cluster's files are kept for the next try.
      await halt();
      if (attempt < 3 && /could not bind|in use/i.test(running.log())) continue;
      await stop().catch(() => undefined);
      throw new Error(`PostgreSQL did not start: ${running.log()}`);
    }
    if (options.migrate !== false) {
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await applyMigrations(postgresTarget(sql));
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
    return {
      url,
      port,
      version,
      get child() {
        return running.child;
      },
      stop,
      halt,
      resume,
    };
  }
}

/** Polls until the server accepts a query; false when it exited first. */
async function waitReady(url: string, exited: Promise<void>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (!gone && Date.now() < deadline) {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      await sql`select 1`;
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await sql.end({ timeout: 1 }).catch(() => undefined);
    }
  }
  return false;
}
