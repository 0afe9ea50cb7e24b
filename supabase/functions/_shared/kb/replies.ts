/**
 * The reply outbox: every answer and command response the bot wants to say, with its status.
 *
 *   suggested  shown on the dashboard only (delivery off, rate limited, or nothing can deliver it)
 *   pending    waiting for a delivery worker (attempts, next_attempt_at)
 *   sent       delivered to the chat
 *   failed     gave up, with the reason (the platform's answer, expired, no_transport...)
 *
 * Transitions: pending -> sent | failed | pending (retry later); suggested -> pending (a person sends it
 * from the dashboard). A per-session rate limit turns replies over the limit into suggestions.
 * The same answer asked for again while it waits as a suggestion is one suggestion with several askers
 * (`askers`), which the seller may send once or as one reply mentioning them all.
 * Dependency-free apart from the Sql interface: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { UUID } from './documents.ts';
import { iso, isoOrNull, jsonParam } from './rows.ts';
import { clip, cleanLine } from './text.ts';
import type { AnswerSource, Reply, ReplyKind, ReplyStatus } from './types.ts';

/** The longest reply text stored (the column allows 500; chat platforms take about 200–500). */
export const MAX_REPLY_CHARS = 200;
/** Default for the per-session rate limit (REPLY_RATE_PER_MINUTE). */
export const DEFAULT_REPLIES_PER_MINUTE = 6;
/** Askers kept per reply (bot_replies.askers' check). */
export const MAX_ASKERS = 50;
/** A new asker joins a suggestion of the same answer made this recently. */
export const MERGE_WINDOW_MS = 10 * 60_000;
/** A platform name that is safe to @mention: one word of letters, digits, `_`, `.`, `-`. */
const MENTIONABLE = /^[\p{L}\p{N}_.-]{1,50}$/u;

export interface NewReply {
  sessionId: string;
  messageId: string | null;
  kind: ReplyKind;
  commandId?: string | null;
  username: string;
  question: string;
  text: string;
  sources: AnswerSource[];
  /** true: the session delivers replies (pending); false: suggestion only. */
  deliver: boolean;
}

export interface EnqueueOptions {
  now: number;
  /** Replies going out per session per minute (pending + sent); more become suggestions. */
  maxPerMinute?: number;
  /** The session's trigger, removed from what the bot says so it never answers itself. */
  trigger?: string;
}

interface ReplyRow {
  id: string;
  stream_session_id: string;
  message_key: string | null;
  kind: ReplyKind;
  command_id: string | null;
  username: string;
  question: string;
  text: string;
  sources: unknown;
  status: ReplyStatus;
  reason: string | null;
  attempts: number;
  next_attempt_at: unknown;
  platform_reply_id: string | null;
  created_at: unknown;
  updated_at: unknown;
  sent_at: unknown;
  seq: number;
  askers: unknown;
}

const COLUMNS = `id::text as id, stream_session_id, message_key, kind, command_id::text as command_id, username, question, text,
  sources, status, reason, attempts, next_attempt_at, platform_reply_id, created_at, updated_at, sent_at, seq::float8 as seq, askers`;

function toReply(row: ReplyRow): Reply {
  const sources = typeof row.sources === 'string' ? (JSON.parse(row.sources) as unknown) : row.sources;
  return {
    id: row.id,
    sessionId: row.stream_session_id,
    messageId: row.message_key,
    kind: row.kind,
    commandId: row.command_id,
    username: row.username,
    question: row.question,
    text: row.text,
    sources: Array.isArray(sources) ? (sources as AnswerSource[]) : [],
    status: row.status,
    reason: row.reason,
    attempts: Number(row.attempts),
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    platformReplyId: row.platform_reply_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    sentAt: isoOrNull(row.sent_at),
    askers: toAskers(row.askers),
  };
}

function toAskers(value: unknown): string[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : [];
}

/**
 * A question as the merge compares it: lower case, words of ASCII letters and digits only ("When do
 * you ship??" and "when do you ship" are the same question). The SQL side does the same to the stored one;
 * ASCII because every database's regex classes agree on it (a question with no such words matches by
 * its answer's words only).
 */
export function normalQuestion(question: string): string {
  return question.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** An asker's name as stored: the platform's name on one clean line, without a leading `@`. */
function askerName(username: string): string {
  return cleanLine(username).replace(/^@+/, '').slice(0, 100);
}

/** `text` without the leading @mentions of `askers` that a reply to all put before it. */
export function withoutMentions(text: string, askers: readonly string[]): string {
  const names = new Set(askers.map((a) => askerName(a).toLowerCase()));
  let out = text;
  for (;;) {
    const match = /^@([^\s@]+) /.exec(out);
    if (!match || !names.has(match[1]!.toLowerCase())) return out;
    out = out.slice(match[0].length);
  }
}

/**
 * The reply that answers every asker at once: `@amy @bob <text>`, with as many mentions as fit in
 * `maxChars` (askers in the order they asked; the answer itself is never cut). Only names that are one
 * mentionable word are mentioned: a name is the platform's, but what it says is still not ours to post.
 */
export function mentionAllText(askers: readonly string[], text: string, maxChars: number = MAX_REPLY_CHARS): string {
  const mentions: string[] = [];
  const seen = new Set<string>();
  let length = text.length;
  for (const raw of askers) {
    const name = askerName(raw);
    if (!MENTIONABLE.test(name) || seen.has(name.toLowerCase())) continue;
    const mention = `@${name}`;
    if (length + mention.length + 1 > maxChars) break;
    seen.add(name.toLowerCase());
    mentions.push(mention);
    length += mention.length + 1;
  }
  return mentions.length === 0 ? text : `${mentions.join(' ')} ${text}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What the bot may say: control characters gone, the trigger removed (the bot never addresses itself),
 * no leading `/`, `.` or `!` (Twitch runs "/ban x" typed by a moderator bot; other bots run "!x"),
 * capped for chat. Empty when nothing is left.
 */
export function safeReplyText(text: string, trigger?: string): string {
  let out = cleanLine(text);
  if (trigger) out = out.replace(new RegExp(escapeRegExp(trigger), 'gi'), '').replace(/\s+/g, ' ').trim();
  out = out.replace(/^[\s/.!\\]+/, '');
  return clip(out, MAX_REPLY_CHARS);
}

/**
 * Adds a reply. Idempotent per chat message: a second reply to the same message returns the first.
 * An answer that would wait as a suggestion while the session already has a suggestion with the same
 * words (or for the same question) from the last MERGE_WINDOW_MS joins it instead: its asker is added
 * (once per name, up to MAX_ASKERS) and that reply is returned.
 * Returns null when nothing sayable is left of the text.
 */
export async function enqueueReply(sql: Sql, reply: NewReply, options: EnqueueOptions): Promise<Reply | null> {
  const text = safeReplyText(reply.text, options.trigger);
  if (!text) return null;
  const at = new Date(options.now).toISOString();
  const limit = options.maxPerMinute ?? DEFAULT_REPLIES_PER_MINUTE;
  const asker = askerName(reply.username);
  const question = cleanLine(reply.question).slice(0, 500);
  if (reply.kind === 'answer') {
    // Only when this answer would not go out now (suggest mode, over the rate, or just said): a reply the
    // session would send is sent, not parked behind a person's decision.
    const merged = await sql.query<ReplyRow>(
      `with recent as (
         select count(*)::int as n, coalesce(bool_or(lower(text) = lower($2::text)), false) as repeated
           from public.bot_replies
          where stream_session_id = $1 and status in ('pending', 'sent')
            and created_at > $5::timestamptz - interval '60 seconds'
       ), target as (
         select id as target_id from public.bot_replies
          where stream_session_id = $1 and kind = 'answer' and status = 'suggested'
            and created_at > $5::timestamptz - make_interval(secs => $8::float8 / 1000)
            and (lower(text) = lower($2)
                 or (length($3::text) > 0 and btrim(regexp_replace(lower(question), '[^a-z0-9]+', ' ', 'g')) = $3::text))
            and (not $6::boolean or (select repeated from recent) or (select n from recent) >= $7::int)
          order by created_at desc, seq desc
          limit 1
       )
       update public.bot_replies b
          set askers = case
                when $4::text = '' or jsonb_array_length(b.askers) >= $9::int
                  or exists (select 1 from jsonb_array_elements_text(b.askers) a where lower(a) = lower($4::text)) then b.askers
                else b.askers || jsonb_build_array($4::text) end,
              updated_at = $5::timestamptz
         from target
        where b.id = target.target_id
       returning ${COLUMNS}`,
      [reply.sessionId, text, normalQuestion(question), asker, at, reply.deliver, limit, MERGE_WINDOW_MS, MAX_ASKERS],
    );
    if (merged[0]) return toReply(merged[0]);
  }
  // Over the per-session limit, or the same words said in the last minute (ten viewers asking the same
  // thing get one answer in chat): a suggestion, with the reason.
  const rows = await sql.query<ReplyRow>(
    `with recent as (
       select count(*)::int as n, coalesce(bool_or(lower(text) = lower($7)), false) as repeated
         from public.bot_replies
        where stream_session_id = $1 and status in ('pending', 'sent')
          and created_at > $10::timestamptz - interval '60 seconds'
     ), decided as (
       select case when not $9 then null
                   when (select repeated from recent) then 'duplicate'
                   when (select n from recent) >= $11 then 'rate_limited' end as held
     )
     insert into public.bot_replies (stream_session_id, message_key, kind, command_id, username, question, text, sources,
       status, reason, next_attempt_at, queued_at, created_at, updated_at, askers)
     select $1, $2, $3, $4::uuid, $5, $6, $7, $8::text::jsonb,
            case when $9 and held is null then 'pending' else 'suggested' end,
            held,
            case when $9 and held is null then $10::timestamptz end,
            case when $9 and held is null then $10::timestamptz end,
            $10::timestamptz, $10::timestamptz,
            case when $12::text = '' then '[]'::jsonb else jsonb_build_array($12::text) end
       from decided
     on conflict do nothing
     returning ${COLUMNS}`,
    [
      reply.sessionId,
      reply.messageId,
      reply.kind,
      reply.commandId ?? null,
      cleanLine(reply.username).toLowerCase().slice(0, 200),
      question,
      text,
      jsonParam(reply.sources.slice(0, 10)),
      reply.deliver,
      at,
      limit,
      asker,
    ],
  );
  if (rows[0]) return toReply(rows[0]);
  if (reply.messageId === null) return null;
  const existing = await sql.query<ReplyRow>(
    `select ${COLUMNS} from public.bot_replies where stream_session_id = $1 and message_key = $2`,
    [reply.sessionId, reply.messageId],
  );
  return existing[0] ? toReply(existing[0]) : null;
}

/** Whether the bot said (or is about to say) this text in the session lately: its own echo in the chat. */
export async function isOwnEcho(sql: Sql, sessionId: string, text: string, now: number): Promise<boolean> {
  const rows = await sql.query(
    `select 1 from public.bot_replies
      where stream_session_id = $1 and status in ('pending', 'sent') and lower(text) = lower($2)
        and created_at > $3::timestamptz - interval '10 minutes'
      limit 1`,
    [sessionId, cleanLine(text), new Date(now).toISOString()],
  );
  return rows.length > 0;
}

/** Replies of a session, newest first. */
export async function listReplies(sql: Sql, sessionId: string, options: { limit?: number; status?: ReplyStatus } = {}): Promise<Reply[]> {
  const rows = await sql.query<ReplyRow>(
    `select ${COLUMNS} from public.bot_replies
      where stream_session_id = $1 and ($2::text is null or status = $2)
      order by created_at desc, seq desc limit $3`,
    [sessionId, options.status ?? null, Math.min(500, Math.max(1, options.limit ?? 100))],
  );
  return rows.map(toReply);
}

export async function getReply(sql: Sql, id: string): Promise<Reply | null> {
  if (!UUID.test(id)) return null;
  const rows = await sql.query<ReplyRow>(`select ${COLUMNS} from public.bot_replies where id = $1::uuid`, [id]);
  return rows[0] ? toReply(rows[0]) : null;
}

export interface ClaimOptions {
  now: number;
  limit: number;
  /** A claimed reply is not handed out again for this long (a crashed sender's reply is retried after it). */
  leaseMs: number;
  /** Pending replies older than this fail as `expired`: a late answer in a live chat is noise. */
  maxAgeMs: number;
  /** Attempts after which a reply fails for good. */
  maxAttempts: number;
  /**
   * Only replies of these sessions (several instances: each delivers into the chats of the shows it runs,
   * whose pages it has). Undefined: every session's.
   */
  sessionIds?: readonly string[];
}

/**
 * Hands out due pending replies, oldest first, counting an attempt and leasing each one. Replies too old
 * or out of attempts fail first; those are returned in `expired` so their status can be announced.
 */
export async function claimDueReplies(sql: Sql, options: ClaimOptions): Promise<{ claimed: Reply[]; expired: Reply[] }> {
  const now = new Date(options.now).toISOString();
  return sql.transaction(async (tx) => {
    const expired = await tx.query<ReplyRow>(
      `update public.bot_replies
          set status = 'failed',
              reason = case when attempts >= $3 then coalesce(reason, 'attempts_exhausted') else 'expired' end,
              next_attempt_at = null, updated_at = $1::timestamptz
        where status = 'pending'
          and (coalesce(queued_at, created_at) < $1::timestamptz - make_interval(secs => $2::float8 / 1000) or attempts >= $3)
          and (next_attempt_at is null or next_attempt_at <= $1::timestamptz)
        returning ${COLUMNS}`,
      [now, options.maxAgeMs, options.maxAttempts],
    );
    const claimed = await tx.query<ReplyRow>(
      `update public.bot_replies
          set attempts = attempts + 1,
              next_attempt_at = $1::timestamptz + make_interval(secs => $3::float8 / 1000),
              updated_at = $1::timestamptz
        where id in (
          select id from public.bot_replies
           where status = 'pending' and (next_attempt_at is null or next_attempt_at <= $1::timestamptz)
             and ($4::text is null or stream_session_id in (select jsonb_array_elements_text($4::text::jsonb)))
           order by created_at, seq
           limit $2
           for update skip locked)
        returning ${COLUMNS}`,
      [now, options.limit, options.leaseMs, options.sessionIds ? JSON.stringify(options.sessionIds) : null],
    );
    return {
      // UPDATE ... RETURNING has no order of its own.
      claimed: claimed.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toReply),
      expired: expired.map(toReply),
    };
  });
}

/** pending -> sent. */
export async function markReplySent(sql: Sql, id: string, at: number, platformReplyId?: string): Promise<Reply | null> {
  const rows = await sql.query<ReplyRow>(
    `update public.bot_replies set status = 'sent', reason = null, next_attempt_at = null, platform_reply_id = $3,
            sent_at = $2::timestamptz, updated_at = $2::timestamptz
      where id = $1::uuid and status = 'pending'
      returning ${COLUMNS}`,
    [id, new Date(at).toISOString(), platformReplyId ?? null],
  );
  return rows[0] ? toReply(rows[0]) : null;
}

/** pending -> failed, for good (the reason says why). */
export async function markReplyFailed(sql: Sql, id: string, at: number, reason: string): Promise<Reply | null> {
  const rows = await sql.query<ReplyRow>(
    `update public.bot_replies set status = 'failed', reason = $3, next_attempt_at = null, updated_at = $2::timestamptz
      where id = $1::uuid and status = 'pending'
      returning ${COLUMNS}`,
    [id, new Date(at).toISOString(), reason.slice(0, 300)],
  );
  return rows[0] ? toReply(rows[0]) : null;
}

/** pending stays pending, tried again at `retryAt` (a transient failure). */
export async function retryReplyLater(sql: Sql, id: string, at: number, retryAt: number, reason: string): Promise<Reply | null> {
  const rows = await sql.query<ReplyRow>(
    `update public.bot_replies set reason = $4, next_attempt_at = $3::timestamptz, updated_at = $2::timestamptz
      where id = $1::uuid and status = 'pending'
      returning ${COLUMNS}`,
    [id, new Date(at).toISOString(), new Date(retryAt).toISOString(), reason.slice(0, 300)],
  );
  return rows[0] ? toReply(rows[0]) : null;
}

/**
 * suggested (or failed) -> pending as one reply to everyone who asked: the text gains an @mention of each
 * asker that fits (mentionAllText), so the outbox holds exactly what is posted (and what isOwnEcho knows
 * as the bot's own words). Null when the reply is not suggested or failed.
 */
export async function sendReplyToAll(sql: Sql, id: string, at: number, maxChars: number = MAX_REPLY_CHARS): Promise<Reply | null> {
  const current = await getReply(sql, id);
  if (!current || (current.status !== 'suggested' && current.status !== 'failed')) return null;
  // A reply to all that failed (or found no chat) and is sent to all again starts from its answer alone.
  const text = mentionAllText(current.askers, withoutMentions(current.text, current.askers), maxChars);
  const rows = await sql.query<ReplyRow>(
    `update public.bot_replies
        set status = 'pending', reason = null, attempts = 0, text = $3,
            next_attempt_at = $2::timestamptz, queued_at = $2::timestamptz, updated_at = $2::timestamptz
      where id = $1::uuid and status in ('suggested', 'failed')
      returning ${COLUMNS}`,
    [id, new Date(at).toISOString(), text],
  );
  return rows[0] ? toReply(rows[0]) : null;
}

/** suggested (or failed) -> pending: a person chose to send it; or -> suggested when nothing can deliver it. */
export async function setReplyStatus(
  sql: Sql,
  id: string,
  status: 'pending' | 'suggested' | 'dismissed',
  at: number,
  reason: string | null = null,
): Promise<Reply | null> {
  if (!UUID.test(id)) return null;
  // Sent (or being sent) is final; a suggestion or a failure may be sent or dismissed.
  const from = status === 'suggested' ? ['pending'] : ['suggested', 'failed'];
  const rows = await sql.query<ReplyRow>(
    `update public.bot_replies
        set status = $2, reason = $5, attempts = case when $2 = 'pending' then 0 else attempts end,
            next_attempt_at = case when $2 = 'pending' then $3::timestamptz end,
            queued_at = case when $2 = 'pending' then $3::timestamptz else queued_at end,
            updated_at = $3::timestamptz
      where id = $1::uuid and status = any (array(select jsonb_array_elements_text($4::text::jsonb)))
      returning ${COLUMNS}`,
    [id, status, new Date(at).toISOString(), jsonParam(from), reason],
  );
  return rows[0] ? toReply(rows[0]) : null;
}
