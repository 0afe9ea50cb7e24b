/**
 * Per-session bot settings (auto-answer, delivery, trigger override), and the one read the ingest hook
 * makes per batch: the session's owner and status with its settings.
 *
 * A show without settings of its own takes the ones its seller saved most recently on another show
 * (same `owner_id`; without accounts, the most recent of the owner-less shows), so a seller sets the bot
 * up once, not before every show. Only shows of the same owner count: another seller's never do.
 * Dependency-free apart from the Sql interface: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { isoOrNull } from './rows.ts';
import type { BotSettings, BotSettingsPatch, DeliveryMode } from './types.ts';

const COLUMNS = 'stream_session_id, auto_answer, delivery, trigger, browser_profile, updated_at';

/**
 * The settings a show without its own starts from: the newest settings of another show with the same
 * owner as `$1`'s show, or, when that show has no owner (no accounts, or not stored yet), of another
 * owner-less show. Two branches rather than `is not distinct from`, so each can use an index (the
 * owner's shows; the newest settings) and a null owner never matches a seller's show.
 */
const INHERITED = `select * from (
    (select b.stream_session_id, b.auto_answer, b.delivery, b.trigger, b.browser_profile, b.updated_at
       from public.stream_sessions o
       join public.bot_settings b on b.stream_session_id = o.id
      where o.owner_id = (select owner_id from public.stream_sessions where id = $1) and o.id <> $1
      order by b.updated_at desc
      limit 1)
    union all
    (select b.stream_session_id, b.auto_answer, b.delivery, b.trigger, b.browser_profile, b.updated_at
       from public.bot_settings b
       join public.stream_sessions o on o.id = b.stream_session_id
      where o.owner_id is null and b.stream_session_id <> $1
        and (select owner_id from public.stream_sessions where id = $1) is null
      order by b.updated_at desc
      limit 1)
  ) owned
  limit 1`;

interface SettingsRow {
  stream_session_id: string;
  auto_answer: boolean | null;
  delivery: DeliveryMode | null;
  trigger: string | null;
  browser_profile: string | null;
  updated_at: unknown;
}

function toSettings(sessionId: string, row: SettingsRow | undefined): BotSettings {
  return {
    sessionId,
    inheritedFrom: row && row.stream_session_id !== sessionId ? row.stream_session_id : null,
    autoAnswer: row?.auto_answer === true,
    delivery: row?.delivery === 'send' ? 'send' : 'suggest',
    trigger: row?.trigger ?? null,
    profile: row?.browser_profile ?? null,
    updatedAt: isoOrNull(row?.updated_at),
  };
}

/**
 * A session's settings: its own, else its seller's latest on another show (`inheritedFrom` names it),
 * else the defaults (answer the trigger only, suggest).
 */
export async function getBotSettings(sql: Sql, sessionId: string): Promise<BotSettings> {
  const rows = await sql.query<SettingsRow>(
    `select * from (select ${COLUMNS}, 0 as pick from public.bot_settings where stream_session_id = $1
                    union all
                    select *, 1 as pick from (${INHERITED}) inherited) candidates
      order by pick limit 1`,
    [sessionId],
  );
  return toSettings(sessionId, rows[0]);
}

/** Saves the given fields; the rest keep their saved (or inherited, or default) values. */
export async function putBotSettings(
  sql: Sql,
  sessionId: string,
  patch: BotSettingsPatch,
  now: number = Date.now(),
): Promise<BotSettings> {
  const trigger = patch.trigger === undefined ? undefined : patch.trigger === null ? null : patch.trigger.trim() || null;
  const profile = patch.profile === undefined ? undefined : patch.profile || null;
  const rows = await sql.query<SettingsRow>(
    `with inherited as (${INHERITED})
     insert into public.bot_settings (stream_session_id, auto_answer, delivery, trigger, browser_profile, updated_at)
     values ($1,
             coalesce($2, (select auto_answer from inherited), false),
             coalesce($3, (select delivery from inherited), 'suggest'),
             case when $4 then $5 else (select trigger from inherited) end,
             case when $7 then $8 else (select browser_profile from inherited) end,
             $6::timestamptz)
     on conflict (stream_session_id) do update set
       auto_answer = coalesce($2, bot_settings.auto_answer),
       delivery = coalesce($3, bot_settings.delivery),
       trigger = case when $4 then $5 else bot_settings.trigger end,
       browser_profile = case when $7 then $8 else bot_settings.browser_profile end,
       updated_at = $6::timestamptz
     returning ${COLUMNS}`,
    [
      sessionId,
      patch.autoAnswer ?? null,
      patch.delivery ?? null,
      trigger !== undefined,
      trigger ?? null,
      new Date(now).toISOString(),
      profile !== undefined,
      profile ?? null,
    ],
  );
  return toSettings(sessionId, rows[0]);
}

/** What the hook needs to know about a session for one batch. */
export interface SessionContext {
  ownerId: string | null;
  status: string | null;
  settings: BotSettings;
}

/** The session's owner and status, with its settings as getBotSettings reads them (own, else inherited). */
export async function readSessionContext(sql: Sql, sessionId: string): Promise<SessionContext> {
  const rows = await sql.query<SettingsRow & { owner_id: string | null; status: string | null }>(
    `select s.owner_id::text as owner_id, s.status, b.stream_session_id, b.auto_answer, b.delivery, b.trigger, b.browser_profile, b.updated_at
       from (select $1::text as id) k
       left join public.stream_sessions s on s.id = k.id
       left join lateral (
         select * from (select ${COLUMNS}, 0 as pick from public.bot_settings where stream_session_id = $1
                        union all
                        select *, 1 as pick from (${INHERITED}) inherited) candidates
          order by pick limit 1
       ) b on true`,
    [sessionId],
  );
  const row = rows[0];
  return {
    ownerId: row?.owner_id ?? null,
    status: row?.status ?? null,
    settings: toSettings(sessionId, row?.stream_session_id ? row : undefined),
  };
}
