import type { Sql } from '../../supabase/functions/_shared/db.ts';
import { sqlKnowledge } from './knowledge.ts';

/** A database that records every statement and answers from `answer` (no rows by default). */
function recordingSql(answer: (text: string) => Record<string, unknown>[] = () => []): Sql & { statements: Array<{ text: string; params: unknown[] }> } {
  const statements: Array<{ text: string; params: unknown[] }> = [];
  const sql: Sql & { statements: typeof statements } = {
    statements,
    query: async <T>(text: string, params: unknown[] = []) => {
      statements.push({ text, params });
      return answer(text) as T[];
    },
    transaction: <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => fn(sql),
  };
  return sql;
}

const SELLER = '00000000-0000-4000-8000-00000000000a';
const DEFAULT_OWNER = '00000000-0000-4000-8000-00000000000b';

describe('a backend knowledge base over SQL', () => {
  test("adds a seller's stand-in auth.users row before their knowledge base is used", async () => {
    const sql = recordingSql();
    const kb = await sqlKnowledge(sql, { ownerStandIn: true }).open({ ownerId: SELLER });
    expect(sql.statements).toEqual([{ text: expect.stringContaining('insert into auth.users'), params: [SELLER] }]);
    await kb.listDocuments();
    expect(sql.statements[1]!.params).toEqual([SELLER]);
  });

  test("adds no user row where Supabase Auth owns the table, and none for the service's own documents", async () => {
    const supabase = recordingSql();
    await (await sqlKnowledge(supabase, { ownerStandIn: false }).open({ ownerId: SELLER })).listDocuments();
    expect(supabase.statements.map((s) => s.text)).toEqual([expect.stringContaining('from public.kb_documents')]);

    const embedded = recordingSql();
    await (await sqlKnowledge(embedded, { ownerStandIn: true }).open()).listDocuments();
    expect(embedded.statements).toEqual([{ text: expect.stringContaining('from public.kb_documents'), params: [null] }]);
  });

  test('a knowledge base opened without an owner belongs to the default owner (SUPABASE_OWNER_ID)', async () => {
    const sql = recordingSql();
    const store = sqlKnowledge(sql, { defaultOwnerId: DEFAULT_OWNER, ownerStandIn: false });
    await (await store.open()).listDocuments();
    await (await store.open({ ownerId: SELLER })).listDocuments();
    expect(sql.statements.map((s) => s.params)).toEqual([[DEFAULT_OWNER], [SELLER]]);
  });

  test("reports vector search from the embedding column's type", async () => {
    const vector = recordingSql(() => [{ udt_name: 'vector' }]);
    expect(await sqlKnowledge(vector, { ownerStandIn: true }).vectorSearch()).toBe(true);
    const plain = recordingSql(() => [{ udt_name: 'text' }]);
    expect(await sqlKnowledge(plain, { ownerStandIn: true }).vectorSearch()).toBe(false);
  });
});
