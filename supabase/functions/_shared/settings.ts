/**
 * The settings the edge function and the service share, validated by the same zod schema on both sides:
 * the service's src/config.ts spreads {@link SHARED_SETTINGS} into its environment schema, the edge entry
 * (monitor-realtime-stream/index.ts) reads Deno.env through {@link loadFunctionSettings}. A default or a
 * bound changes here, once. A bad value stops either at start with a message that names the variable and
 * never shows a secret.
 * Node and Deno: imports only zod and relative _shared modules.
 */
import { z } from 'zod';
import { EarshotError } from './errors.ts';

/** A whole number within bounds, from its environment string. */
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A string that may be unset: surrounding spaces go, and blank is unset. */
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An http(s) URL that may be unset (blank is unset). */
export const optionalUrl = optionalString.pipe(z.url({ protocol: /^https?$/ }).optional());

/** The variables both sides read, with their defaults and bounds. */
export const SHARED_SETTINGS = {
  /** The project's Postgres. Supabase sets it for functions; the service reads the knowledge base through it. */
  SUPABASE_DB_URL: optionalString,
  /** Callers of the function authenticate with this key, or with a signature by INGEST_SIGNING_SECRET. */
  SUPABASE_SERVICE_ROLE_KEY: optionalString,
  INGEST_SIGNING_SECRET: optionalString,
  /** Unset: rules-only classification and extractive answers. */
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  OPENAI_TIMEOUT_MS: envInt(100, 600_000).default(15_000),
  /** A purchase at or above this confidence is a captured buyer. */
  BUYER_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.7),
  /** What viewers type to ask the knowledge base. */
  BOT_TRIGGER: z.string().min(1).default('@earshot'),
  /** Replies sent per session per minute; more stay suggestions. */
  REPLY_RATE_PER_MINUTE: envInt(0, 600).default(6),
};

/** The edge function's settings: the shared ones, its database (required), its pool and its local port. */
export const FunctionSettings = z.object({
  ...SHARED_SETTINGS,
  SUPABASE_DB_URL: optionalString.pipe(
    z.string({ error: 'is not set: Supabase sets it for deployed functions; set it to the database URL when serving the function yourself' }),
  ),
  /** Connections the function keeps to its database. */
  DB_POOL_MAX: envInt(1, 100).default(3),
  /** Serve on this loopback port instead of Supabase's (local runs and tests; 0 picks one and prints it). */
  EARSHOT_FUNCTION_PORT: optionalString
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().min(0).max(65_535).optional()),
});
export type FunctionSettings = z.output<typeof FunctionSettings>;

/**
 * A variable's value as an error may show it: secrets hidden, a URL's password replaced (a REDIS_URL
 * or a database URL carries one), so an error message never puts a credential in the log.
 */
export function shownValue(name: string, value: string): string {
  if (/KEY|SECRET|TOKEN|PASSWORD/.test(name)) return value ? '<hidden>' : '';
  return value.replace(/(\/\/[^/:@\s]*):[^@/\s]*@/, '$1:***@');
}

/** One line per problem: `  NAME="value as it may be shown": what is wrong`. */
export function describeSettingsIssues(error: z.ZodError, env: Record<string, string | undefined>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    return `  ${name}=${JSON.stringify(shownValue(name, env[name] ?? ''))}: ${issue.message}`;
  });
}

/**
 * Reads and validates the edge function's environment (`Deno.env.toObject()`; tests pass a plain
 * object). Throws `invalid_config` with one line per bad variable.
 */
export function loadFunctionSettings(env: Record<string, string | undefined>): FunctionSettings {
  const parsed = FunctionSettings.safeParse(env);
  if (!parsed.success) {
    throw new EarshotError(
      'invalid_config',
      `Invalid function settings:\n${describeSettingsIssues(parsed.error, env).join('\n')}\n` +
        'Fix these secrets (supabase secrets set NAME=value) and deploy the function again.',
    );
  }
  return parsed.data;
}
