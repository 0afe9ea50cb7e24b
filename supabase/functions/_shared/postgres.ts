/**
 * The Sql interface over postgres.js: how the edge functions reach Postgres (SUPABASE_DB_URL).
 * `prepare: false` because Supabase's pooler (transaction mode) cannot keep prepared statements.
 * Loaded by Deno (`postgres` maps to npm:postgres in supabase/functions/deno.json) and typechecked by Node.
 */
import postgres from 'postgres';
import type { Sql } from './db.ts';

type Client = postgres.Sql | postgres.TransactionSql;

function adapt(client: Client): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
      const rows = await client.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return [...rows] as T[];
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      // Inside a transaction, nest with a savepoint; at the top level, begin one.
      if ('savepoint' in client) return (await client.savepoint((tx) => fn(adapt(tx)))) as T;
      return (await (client as postgres.Sql).begin((tx) => fn(adapt(tx)))) as T;
    },
  };
}

/** Opens a small pool to `url`; `close()` ends it. */
export function connectPostgres(url: string, options: { max?: number } = {}): Sql & { close(): Promise<void> } {
  const client = postgres(url, {
    max: options.max ?? 3,
    prepare: false,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => undefined,
  });
  return { ...adapt(client), close: () => client.end({ timeout: 5 }) };
}
