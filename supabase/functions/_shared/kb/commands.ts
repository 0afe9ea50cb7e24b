/**
 * Chat commands (`!name args`): parsing, who may run one (roles from badges, allowed users, the channel
 * owner always), cooldowns (global and per user, per session, from the reply outbox and an injected
 * clock), only-when-live, safe response templates, and CRUD.
 * Dependency-free apart from the Sql interface: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { UUID } from './documents.ts';
import { KbError } from './errors.ts';
import { iso, jsonParam, textArray } from './rows.ts';
import { cleanLine } from './text.ts';
import { COMMAND_ROLES, type BotCommand, type CommandInput, type CommandRole } from './types.ts';

/** Command names: lower-case letters, digits, _ and -, 1–32 characters. */
export const COMMAND_NAME = /^[a-z0-9_-]{1,32}$/;
/** The longest {args} substituted into a response. */
const MAX_ARGS_CHARS = 200;
/** The longest {user} substituted into a response. */
const MAX_USER_CHARS = 50;

/** `!Name some args` -> {name: 'name', args: 'some args'}; null when the text is not a command. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const match = /^!([A-Za-z0-9_-]{1,32})(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return null;
  return { name: match[1]!.toLowerCase(), args: (match[2] ?? '').trim() };
}

/** Badge names that grant a role (YouTube members and Twitch/Kick subscribers are the same idea). */
const ROLE_BADGES: Record<CommandRole, string[]> = {
  moderator: ['moderator', 'mod'],
  vip: ['vip'],
  subscriber: ['subscriber', 'member', 'sub', 'founder'],
  member: ['member', 'subscriber', 'sub', 'founder'],
};
const OWNER_BADGES = ['owner', 'broadcaster', 'host'];

/** Whether an author may run a command: the owner always; else everyone when unrestricted; else by user or role. */
export function mayRun(command: Pick<BotCommand, 'allowedRoles' | 'allowedUsers'>, author: { name: string; badges: string[] }): boolean {
  const badges = new Set(author.badges.map((b) => b.toLowerCase()));
  if (OWNER_BADGES.some((b) => badges.has(b))) return true;
  if (command.allowedRoles.length === 0 && command.allowedUsers.length === 0) return true;
  if (command.allowedUsers.includes(author.name.trim().toLowerCase())) return true;
  return command.allowedRoles.some((role) => ROLE_BADGES[role].some((b) => badges.has(b)));
}

/**
 * Fills {user} and {args} in one pass: substituted values are never expanded again, are cleaned of
 * control characters and capped. Unknown placeholders stay as written.
 */
export function renderTemplate(template: string, values: { user: string; args: string }): string {
  const user = cleanLine(values.user).slice(0, MAX_USER_CHARS);
  const args = cleanLine(values.args).slice(0, MAX_ARGS_CHARS);
  return template.replace(/\{(user|args)\}/g, (_, key: string) => (key === 'user' ? user : args));
}

interface CommandRow {
  id: string;
  name: string;
  response: string;
  enabled: boolean;
  cooldown_global_sec: number;
  cooldown_user_sec: number;
  allowed_roles: unknown;
  allowed_users: unknown;
  only_when_live: boolean;
  created_at: unknown;
  updated_at: unknown;
}

/** The selected columns, optionally qualified with a table alias (`c.`). */
function columns(p = ''): string {
  return [
    `${p}id::text as id`,
    ...['name', 'response', 'enabled', 'cooldown_global_sec', 'cooldown_user_sec', 'allowed_roles', 'allowed_users', 'only_when_live', 'created_at', 'updated_at'].map(
      (c) => `${p}${c}`,
    ),
  ].join(', ');
}
const COLUMNS = columns();

function toCommand(row: CommandRow): BotCommand {
  return {
    id: row.id,
    name: row.name,
    response: row.response,
    enabled: row.enabled,
    cooldownGlobalSec: Number(row.cooldown_global_sec),
    cooldownUserSec: Number(row.cooldown_user_sec),
    allowedRoles: textArray(row.allowed_roles).filter((r): r is CommandRole => (COMMAND_ROLES as readonly string[]).includes(r)),
    allowedUsers: textArray(row.allowed_users),
    onlyWhenLive: row.only_when_live,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function normalizeInput<T extends Partial<CommandInput>>(input: T): T {
  const out = { ...input };
  if (out.name !== undefined) {
    out.name = out.name.trim().replace(/^!/, '').toLowerCase();
    if (!COMMAND_NAME.test(out.name)) throw new KbError('invalid_body', 'name: letters, digits, _ and - only (1–32)');
  }
  if (out.response !== undefined) {
    out.response = cleanLine(out.response);
    if (!out.response) throw new KbError('invalid_body', 'response: must not be empty');
  }
  if (out.allowedUsers !== undefined) {
    out.allowedUsers = [...new Set(out.allowedUsers.map((u) => u.trim().replace(/^@/, '').toLowerCase()).filter(Boolean))];
  }
  if (out.allowedRoles !== undefined) out.allowedRoles = [...new Set(out.allowedRoles)];
  return out;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** Commands of an owner, by name. */
export async function listCommands(sql: Sql, ownerId: string | null = null): Promise<BotCommand[]> {
  const rows = await sql.query<CommandRow>(
    `select ${COLUMNS} from public.bot_commands where owner_id is not distinct from $1::uuid order by name`,
    [ownerId],
  );
  return rows.map(toCommand);
}

export async function getCommand(sql: Sql, id: string, ownerId: string | null = null): Promise<BotCommand> {
  if (!UUID.test(id)) throw new KbError('command_not_found', `No command ${id.slice(0, 60)}`);
  const rows = await sql.query<CommandRow>(
    `select ${COLUMNS} from public.bot_commands where id = $1::uuid and owner_id is not distinct from $2::uuid`,
    [id, ownerId],
  );
  if (!rows[0]) throw new KbError('command_not_found', `No command ${id}`);
  return toCommand(rows[0]);
}

/** Creates a command. Throws KbError command_exists when the name is taken. */
export async function createCommand(sql: Sql, input: CommandInput, ownerId: string | null = null, now: number = Date.now()): Promise<BotCommand> {
  const c = normalizeInput(input);
  try {
    const rows = await sql.query<CommandRow>(
      `insert into public.bot_commands (owner_id, name, response, enabled, cooldown_global_sec, cooldown_user_sec,
         allowed_roles, allowed_users, only_when_live, created_at, updated_at)
       values ($1::uuid, $2, $3, $4, $5, $6, array(select jsonb_array_elements_text($7::text::jsonb)),
         array(select jsonb_array_elements_text($8::text::jsonb)), $9, $10::timestamptz, $10::timestamptz)
       returning ${COLUMNS}`,
      [
        ownerId,
        c.name,
        c.response,
        c.enabled ?? true,
        c.cooldownGlobalSec ?? 0,
        c.cooldownUserSec ?? 0,
        jsonParam(c.allowedRoles ?? []),
        jsonParam(c.allowedUsers ?? []),
        c.onlyWhenLive ?? false,
        new Date(now).toISOString(),
      ],
    );
    return toCommand(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) throw new KbError('command_exists', `A command !${c.name} exists already`);
    throw error;
  }
}

/** Changes the given fields of a command. */
export async function updateCommand(
  sql: Sql,
  id: string,
  patch: Partial<CommandInput>,
  ownerId: string | null = null,
  now: number = Date.now(),
): Promise<BotCommand> {
  const current = await getCommand(sql, id, ownerId);
  const c = normalizeInput(patch);
  try {
    const rows = await sql.query<CommandRow>(
      `update public.bot_commands set name = $2, response = $3, enabled = $4, cooldown_global_sec = $5,
         cooldown_user_sec = $6, allowed_roles = array(select jsonb_array_elements_text($7::text::jsonb)),
         allowed_users = array(select jsonb_array_elements_text($8::text::jsonb)), only_when_live = $9,
         updated_at = $10::timestamptz
       where id = $1::uuid
       returning ${COLUMNS}`,
      [
        id,
        c.name ?? current.name,
        c.response ?? current.response,
        c.enabled ?? current.enabled,
        c.cooldownGlobalSec ?? current.cooldownGlobalSec,
        c.cooldownUserSec ?? current.cooldownUserSec,
        jsonParam(c.allowedRoles ?? current.allowedRoles),
        jsonParam(c.allowedUsers ?? current.allowedUsers),
        c.onlyWhenLive ?? current.onlyWhenLive,
        new Date(now).toISOString(),
      ],
    );
    return toCommand(rows[0]!);
  } catch (error) {
    if (isUniqueViolation(error)) throw new KbError('command_exists', `A command !${c.name} exists already`);
    throw error;
  }
}

export async function deleteCommand(sql: Sql, id: string, ownerId: string | null = null): Promise<void> {
  if (!UUID.test(id)) throw new KbError('command_not_found', `No command ${id.slice(0, 60)}`);
  const rows = await sql.query(`delete from public.bot_commands where id = $1::uuid and owner_id is not distinct from $2::uuid returning id`, [
    id,
    ownerId,
  ]);
  if (rows.length === 0) throw new KbError('command_not_found', `No command ${id}`);
}

/** Why a command did not run (for tests and diagnostics; chat gets no reply either way). */
export type CommandRefusal = 'unknown' | 'disabled' | 'not_allowed' | 'not_live' | 'cooldown_global' | 'cooldown_user' | 'empty';

export interface CommandContext {
  sessionId: string;
  ownerId: string | null;
  /** The session's status (only-when-live commands need 'live'). */
  sessionStatus: string | null;
  author: { name: string; badges: string[] };
  now: number;
}

/** Decides whether `!name args` runs now and renders its response. */
export async function runCommand(
  sql: Sql,
  parsed: { name: string; args: string },
  context: CommandContext,
): Promise<{ ok: true; command: BotCommand; text: string } | { ok: false; refusal: CommandRefusal }> {
  const rows = await sql.query<CommandRow & { last_any: unknown; last_user: unknown }>(
    `select ${columns('c.')},
            (select max(r.created_at) from public.bot_replies r
              where r.command_id = c.id and r.stream_session_id = $3) as last_any,
            (select max(r.created_at) from public.bot_replies r
              where r.command_id = c.id and r.stream_session_id = $3 and r.username = $4) as last_user
       from public.bot_commands c
      where c.name = $1 and c.owner_id is not distinct from $2::uuid`,
    [parsed.name, context.ownerId, context.sessionId, context.author.name.trim().toLowerCase()],
  );
  const row = rows[0];
  if (!row) return { ok: false, refusal: 'unknown' };
  const command = toCommand(row);
  if (!command.enabled) return { ok: false, refusal: 'disabled' };
  if (!mayRun(command, context.author)) return { ok: false, refusal: 'not_allowed' };
  if (command.onlyWhenLive && context.sessionStatus !== 'live') return { ok: false, refusal: 'not_live' };
  const since = (value: unknown): number => (value === null || value === undefined ? Infinity : context.now - Date.parse(iso(value)));
  if (since(row.last_any) < command.cooldownGlobalSec * 1000) return { ok: false, refusal: 'cooldown_global' };
  if (since(row.last_user) < command.cooldownUserSec * 1000) return { ok: false, refusal: 'cooldown_user' };
  const text = renderTemplate(command.response, { user: context.author.name, args: parsed.args });
  if (!text.trim()) return { ok: false, refusal: 'empty' };
  return { ok: true, command, text };
}
