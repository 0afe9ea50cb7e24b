/**
 * What the database under the knowledge base can do. Supabase and the embedded PGlite have pgvector
 * (hybrid search: full text + embeddings); a plain PostgreSQL without it searches full text alone
 * (supabase/migrations/0002_knowledge_base.sql picks the variant when it runs).
 * Dependency-free apart from the Sql interface: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';

/** True when kb_chunks.embedding is a pgvector column, i.e. questions are also matched by meaning. */
export async function vectorSearchAvailable(sql: Sql): Promise<boolean> {
  const rows = await sql.query<{ udt_name: string }>(
    `select udt_name::text as udt_name from information_schema.columns
      where table_schema = 'public' and table_name = 'kb_chunks' and column_name = 'embedding'`,
  );
  return rows[0]?.udt_name === 'vector';
}
