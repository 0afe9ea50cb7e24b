/**
 * A backend's knowledge base over the database it reaches: the shared core's KnowledgeBase (documents,
 * search and answers, bot commands and settings, the reply outbox) bound to an owner, and what that
 * database can do. Every backend that has a knowledge base builds it here, so the SQL stays inside
 * src/backend and callers only ever hold a KnowledgeStore.
 */
import type { Sql } from '../../supabase/functions/_shared/db.ts';
import { vectorSearchAvailable } from '../../supabase/functions/_shared/kb/capabilities.ts';
import { createKnowledgeBase } from '../../supabase/functions/_shared/kb/index.ts';
import type { KnowledgeStore } from './types.ts';

export interface SqlKnowledgeOptions {
  /** Owner of a knowledge base opened without one (SUPABASE_OWNER_ID); none: the service's own documents. */
  defaultOwnerId?: string;
  /**
   * The database's auth.users is the prelude's stand-in for Supabase Auth's table (embedded PGlite, DATABASE_URL):
   * owner_id columns reference it, so an owner's row is added when their knowledge base is opened.
   * On a Supabase project the user is already there and nothing is inserted.
   */
  ownerStandIn: boolean;
}

/** Adds `ownerId` to the prelude's stand-in auth.users (embedded PGlite, DATABASE_URL) if it is not there yet. */
export async function addStandInUser(sql: Sql, ownerId: string): Promise<void> {
  await sql.query('insert into auth.users (id) values ($1) on conflict (id) do nothing', [ownerId]);
}

/** The KnowledgeStore of a database the service reaches itself. */
export function sqlKnowledge(sql: Sql, options: SqlKnowledgeOptions): KnowledgeStore {
  return {
    async open(kbOptions = {}) {
      const ownerId = kbOptions.ownerId ?? options.defaultOwnerId;
      if (ownerId && options.ownerStandIn) await addStandInUser(sql, ownerId);
      return createKnowledgeBase(sql, { ...kbOptions, ownerId: ownerId ?? null });
    },
    vectorSearch: () => vectorSearchAvailable(sql),
  };
}
