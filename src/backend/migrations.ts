/**
 * Applies the Supabase schema to a database that the Supabase CLI does not manage (the embedded PGlite, a
 * DATABASE_URL server, a plain PostgreSQL in tests): the prelude that stands in for Supabase's auth schema, roles and realtime
 * publication (supabase/prelude/pglite.sql, idempotent, every start), then every supabase/migrations/*.sql
 * not applied yet, in name order, each in its own transaction and recorded in
 * supabase_migrations.schema_migrations (the table the Supabase CLI keeps too).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import postgres from 'postgres';

/** What applying migrations needs of a database: scripts, one parameterised query, transactions. */
export interface MigrationTarget {
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<unknown>;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  transaction(fn: (tx: MigrationTarget) => Promise<void>): Promise<void>;
}

/** PGlite (or one of its transactions) as a migration target. */
export function pgliteTarget(db: PGliteInterface | Transaction): MigrationTarget {
  return {
    exec: (script) => db.exec(script),
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    transaction: async (fn) => {
      if (!('transaction' in db)) throw new Error('PGlite transactions do not nest');
      await db.transaction((tx) => fn(pgliteTarget(tx)));
    },
  };
}

/** A postgres.js client (a real PostgreSQL server) as a migration target. */
export function postgresTarget(sql: postgres.Sql | postgres.TransactionSql): MigrationTarget {
  return {
    // Without parameters postgres.js sends the simple protocol, which runs several statements.
    exec: (script) => sql.unsafe(script),
    query: async <T>(text: string, params: unknown[] = []) =>
      [...(await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]))] as T[],
    transaction: async (fn) => {
      if ('savepoint' in sql) throw new Error('migrations do not nest transactions');
      await (sql as postgres.Sql).begin((tx) => fn(postgresTarget(tx)));
    },
  };
}

/**
 * Finds the repository's `supabase` folder from this module: the same lookup works from src/ (tests)
 * and from dist/src/ (the built service).
 */
export function findSupabaseDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'supabase', 'migrations');
    if (fs.existsSync(candidate)) return path.join(dir, 'supabase');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No supabase/migrations folder above ${start}`);
    dir = parent;
  }
}

/** Migration files in the order they apply. */
export function listMigrations(supabaseDir: string): Array<{ version: string; name: string; file: string }> {
  const dir = path.join(supabaseDir, 'migrations');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const base = file.replace(/\.sql$/, '');
      const cut = base.indexOf('_');
      return {
        version: cut > 0 ? base.slice(0, cut) : base,
        name: cut > 0 ? base.slice(cut + 1) : base,
        file: path.join(dir, file),
      };
    });
}

/** Applies the prelude and pending migrations; returns the versions it applied now. */
export async function applyMigrations(db: MigrationTarget, supabaseDir: string = findSupabaseDir()): Promise<string[]> {
  await db.exec(fs.readFileSync(path.join(supabaseDir, 'prelude', 'pglite.sql'), 'utf8'));
  await db.exec(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key,
      name text,
      applied_at timestamptz not null default now()
    );`);
  const done = new Set(
    (await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map((r) => r.version),
  );
  const applied: string[] = [];
  for (const migration of listMigrations(supabaseDir)) {
    if (done.has(migration.version)) continue;
    const sql = fs.readFileSync(migration.file, 'utf8');
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    });
    applied.push(migration.version);
  }
  return applied;
}

/**
 * Key of the session-level advisory lock taken while a server's schema is migrated. Any fixed number
 * works as long as every instance uses the same one; this is "earshot" in ASCII.
 */
export const MIGRATION_LOCK_KEY = 0x656172736874;

/**
 * Applies the prelude and pending migrations to the PostgreSQL server at `url` while holding
 * {@link MIGRATION_LOCK_KEY}, so several instances starting at once against one database migrate it
 * once: the first applies, the others wait and then find nothing pending. One connection carries the
 * lock and the migrations (the lock belongs to the session that took it); if it drops half-way, the
 * server releases the lock and the migration in flight rolls back.
 */
export async function migrateServer(url: string, supabaseDir: string = findSupabaseDir()): Promise<string[]> {
  const sql = postgres(url, { max: 1, prepare: false, connect_timeout: 10, onnotice: () => undefined });
  try {
    await sql.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      return await applyMigrations(postgresTarget(sql), supabaseDir);
    } finally {
      await sql.unsafe(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => undefined);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
