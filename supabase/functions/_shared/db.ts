/**
 * The one database interface the shared core speaks. Node's embedded mode passes PGlite; the Deno edge
 * functions pass postgres.js. Both are thin adapters over "run this SQL with these parameters".
 * Keep this file dependency-free: it is imported by Node (tsc) and by Deno (as .ts).
 */
export interface Sql {
  /** Runs one statement with $1..$n parameters and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` inside a transaction; the Sql it receives runs on that transaction. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}
