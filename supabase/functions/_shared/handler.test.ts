import type { Sql } from './db.ts';
import { createMonitorHandler } from './handler.ts';

/** A database that refuses every statement the way PostgreSQL refuses a NUL in jsonb. */
const refusing: Sql = {
  query: () => Promise.reject(Object.assign(new Error('unsupported Unicode escape sequence: "x\\u0000y"'), { code: '22P05' })),
  transaction: () => Promise.reject(new Error('not used')),
};

describe('monitor handler and data the database refuses', () => {
  test('answers 400 invalid_body naming the SQLSTATE, never quoting the data', async () => {
    const errors: unknown[] = [];
    const handle = createMonitorHandler({
      sql: refusing,
      serviceRoleKey: 'service-key',
      ingest: { classify: async () => [], buyerThreshold: 0.7 },
      onError: (error) => errors.push(error),
    });
    const response = await handle(
      new Request('http://function.local/', {
        method: 'POST',
        headers: { authorization: 'Bearer service-key', 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'mark_deleted', streamSessionId: 's', messageIds: ['a'] }),
      }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({ code: 'invalid_body', message: 'The database rejected the data (SQLSTATE 22P05)' });
    expect(body.error.message).not.toContain('x\\u0000y');
    expect(errors).toHaveLength(1);
  });
});
