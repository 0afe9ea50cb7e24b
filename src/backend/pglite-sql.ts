/** The shared core's Sql interface over PGlite (the embedded backend's database). */
import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import type { Sql } from '../../supabase/functions/_shared/db.ts';

let savepoints = 0;

/** Adapts a PGlite instance (or one of its transactions) to Sql. */
export function pgliteSql(db: PGliteInterface | Transaction): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
      return (await db.query<T>(text, params)).rows;
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if ('transaction' in db) return db.transaction((tx) => fn(pgliteSql(tx)));
      // Already inside a transaction: nest with a savepoint.
      const name = `sp_${++savepoints}`;
      await db.exec(`savepoint ${name}`);
      try {
        const result = await fn(pgliteSql(db));
        await db.exec(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await db.exec(`rollback to savepoint ${name}`);
        throw error;
      }
    },
  };
}
