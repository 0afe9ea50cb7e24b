/**
 * Session rows and moderation: upsert a session as the service reports it, mark messages deleted.
 * Dependency-free: loaded by Node and by Deno.
 */
import type { Sql } from './db.ts';
import type { SessionUpsert } from './contract.ts';

/** Statuses after which a session is over (ended_at is set once). */
const FINAL_STATUSES = ['ended', 'stopped', 'error'];

/** Creates or updates a session row; the owner is kept when the update does not name one. */
export async function upsertSession(sql: Sql, session: SessionUpsert, now: Date = new Date()): Promise<void> {
  await sql.query(
    `insert into public.stream_sessions (id, owner_id, platform, url, source, status, detail, started_at, ended_at, updated_at)
     values ($1, $2::uuid, $3, $4, $5, $6, $7, coalesce($8::timestamptz, $9::timestamptz),
             case when $6 = any (string_to_array($10::text, ',')) then $9::timestamptz end, $9::timestamptz)
     on conflict (id) do update set
       owner_id = coalesce(excluded.owner_id, stream_sessions.owner_id),
       platform = excluded.platform,
       url = coalesce(excluded.url, stream_sessions.url),
       source = coalesce(excluded.source, stream_sessions.source),
       status = excluded.status,
       detail = excluded.detail,
       started_at = coalesce($8::timestamptz, stream_sessions.started_at),
       ended_at = case when excluded.status = any (string_to_array($10::text, ',')) then coalesce(stream_sessions.ended_at, excluded.ended_at) end,
       updated_at = excluded.updated_at`,
    [
      session.sessionId,
      session.ownerId ?? null,
      session.platform,
      session.url ?? null,
      session.source ?? null,
      session.status,
      session.detail ?? null,
      session.startedAt ?? null,
      now.toISOString(),
      FINAL_STATUSES.join(','),
    ],
  );
}

/** Flags messages the platform deleted (they stay stored, marked). Returns how many rows changed. */
export async function markDeleted(sql: Sql, sessionId: string, messageIds: string[], now: Date = new Date()): Promise<number> {
  const rows = await sql.query<{ n: number }>(
    `with changed as (
       update public.chat_messages set deleted = true, deleted_at = $3::timestamptz
        where stream_session_id = $1 and not deleted
          and message_key in (select jsonb_array_elements_text($2::text::jsonb))
        returning 1
     )
     select count(*)::int as n from changed`,
    [sessionId, JSON.stringify(messageIds), now.toISOString()],
  );
  return Number(rows[0]?.n ?? 0);
}
