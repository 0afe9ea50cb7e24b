/**
 * Housekeeping SQL: the retention job and the stale-session closer. Callers pass the cut-off times,
 * computed from their own (injectable) clock. Dependency-free: loaded by Node and by Deno.
 */
import type { Sql } from './db.ts';
import type { HousekeepingReport } from './contract.ts';
import { settleLots } from './ledger/store.ts';

/** Statuses of sessions that are still supposed to receive chat. */
export const OPEN_SESSION_STATUSES = ['starting', 'live', 'recovering', 'no_chat_found', 'quota_exhausted'];

/** Rows deleted per statement: keeps each transaction (and its locks) short on a big table. */
const DELETE_CHUNK = 5_000;

/** Deletes messages captured before `cutoff`; returns how many. Captured sales stay. */
export async function deleteMessagesBefore(sql: Sql, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await sql.query<{ n: number }>(
      `with gone as (
         delete from public.chat_messages
          where id in (select id from public.chat_messages where captured_at < $1::timestamptz limit $2)
          returning 1
       )
       select count(*)::int as n from gone`,
      [cutoff.toISOString(), DELETE_CHUNK],
    );
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < DELETE_CHUNK) return total;
  }
}

/**
 * Ends open sessions with no message since `silentSince` (nor a start after it); returns their ids.
 * A service that crashed leaves its sessions "live" in the database: this is what closes them.
 */
export async function closeStaleSessions(sql: Sql, silentSince: Date, now: Date): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `update public.stream_sessions
        set status = 'ended', detail = 'no chat since ' || to_char(coalesce(last_message_at, started_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            ended_at = $2::timestamptz, updated_at = $2::timestamptz
      where status = any (string_to_array($3::text, ','))
        and coalesce(last_message_at, started_at) < $1::timestamptz
      returning id`,
    [silentSince.toISOString(), now.toISOString(), OPEN_SESSION_STATUSES.join(',')],
  );
  return rows.map((r) => r.id).sort();
}

/** One pass of both jobs. */
export async function runHousekeeping(
  sql: Sql,
  cutoffs: { deleteBefore: Date; staleBefore: Date; now: Date },
): Promise<HousekeepingReport> {
  const deletedMessages = await deleteMessagesBefore(sql, cutoffs.deleteBefore);
  const closedSessions = await closeStaleSessions(sql, cutoffs.staleBefore, cutoffs.now);
  // A show that ends here ends like a stopped one: no lot stays open.
  for (const id of closedSessions) await settleLots(sql, id, cutoffs.now);
  return { deletedMessages, closedSessions };
}
