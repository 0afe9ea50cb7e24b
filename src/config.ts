/**
 * The only reader of `process.env`. Everything is validated with zod once at start; a bad value stops
 * the service with a message that says which variable is wrong and how to fix it.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { EarshotError } from './errors.ts';
import type { HealthLimits } from './pipeline/source-health.ts';
import {
  SHARED_SETTINGS,
  describeSettingsIssues,
  envInt as int,
  optionalString,
  optionalUrl,
} from '../supabase/functions/_shared/settings.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * ALLOW_PRIVATE_URLS: `true` (every private target reachable: local development, tests) or a
 * comma-separated list of origins that are the only private targets reachable (a fixture server, a
 * local platform mock). Instance metadata is never reachable either way.
 */
const privateUrls = z
  .string()
  .default('false')
  .transform((raw, ctx) => {
    const value = raw.trim();
    if (/^(true|1|yes)$/i.test(value)) return { all: true, origins: [] as string[] };
    if (/^(false|0|no|)$/i.test(value)) return { all: false, origins: [] as string[] };
    const origins: string[] = [];
    for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      let url: URL | undefined;
      try {
        url = new URL(part);
      } catch {
        url = undefined;
      }
      const bare = url && /^(https?|wss?):$/.test(url.protocol) && !url.username && !url.password && !url.search && !url.hash && url.pathname === '/';
      if (!url || !bare) {
        ctx.addIssue({
          code: 'custom',
          message: `expected true, false or a comma-separated list of origins such as http://127.0.0.1:8080 (not "${part.slice(0, 100)}")`,
        });
        return z.NEVER;
      }
      origins.push(url.origin);
    }
    return { all: false, origins };
  });

/**
 * TRUST_PROXY: express's `trust proxy`, off by default (a client could otherwise pick its own address with
 * X-Forwarded-For). A number of proxy hops (`1` behind Render's or another single load balancer), or a
 * comma-separated list of proxy addresses/CIDRs (or express's names loopback, linklocal, uniquelocal).
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((raw, ctx): false | number | string[] => {
    const value = raw.trim();
    if (/^(false|0|no|)$/i.test(value)) return false;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
    const valid = (part: string): boolean => {
      if (/^(loopback|linklocal|uniquelocal)$/.test(part)) return true;
      const [address, prefix, extra] = part.split('/');
      if (extra !== undefined || !net.isIP(address)) return false;
      const max = net.isIPv6(address) ? 128 : 32;
      return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    };
    const bad = parts.find((p) => !valid(p));
    if (bad !== undefined || parts.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected false, a number of proxy hops (1), or a comma-separated list of proxy addresses/CIDRs such as 10.0.0.0/8 (not "${(bad ?? value).slice(0, 100)}")`,
      });
      return z.NEVER;
    }
    return parts;
  });

/** A comma-separated list, trimmed, empty entries dropped. */
const list = z
  .string()
  .default('')
  .transform((raw) => raw.split(',').map((p) => p.trim()).filter(Boolean));

/** ALLOWED_ORIGINS: origins (scheme://host[:port]) whose pages may use /ws and the API besides the service's own. */
const originList = list.transform((parts, ctx) => {
  const origins: string[] = [];
  for (const part of parts) {
    let url: URL | undefined;
    try {
      url = new URL(part);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== part.replace(/\/$/, '').toLowerCase()) {
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of origins such as https://app.example.com (not "${part.slice(0, 100)}")` });
      return z.NEVER;
    }
    origins.push(url.origin);
  }
  return origins;
});

/** ALLOWED_HOSTS: host names (no port) the service answers to besides HOST, loopback and IP literals; `*` = any. */
const hostList = list.transform((parts, ctx) => {
  for (const part of parts) {
    if (part !== '*' && !/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(part)) {
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of host names such as earshot.example.com, without port (not "${part.slice(0, 100)}")` });
      return z.NEVER;
    }
  }
  return parts.map((p) => p.toLowerCase());
});

/** Every variable the service reads; those the edge function reads too come from the shared settings. */
const EnvSchema = z.object({
  ...SHARED_SETTINGS,
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 65535).default(3001),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHROME_EXECUTABLE_PATH: optionalString,
  ALLOW_PRIVATE_URLS: privateUrls,
  API_TOKEN: optionalString,
  AUTH_URL: optionalUrl,
  AUTH_JWKS_URL: optionalUrl,
  AUTH_JWT_SECRET: optionalString,
  AUTH_AUDIENCE: z.string().trim().min(1).default('authenticated'),
  AUTH_ISSUER: optionalString,
  SUPABASE_ANON_KEY: optionalString,
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(1_200),
  TRUST_PROXY: trustProxy,
  ALLOWED_ORIGINS: originList,
  ALLOWED_HOSTS: hostList,
  DEDUP_MAX: int(100, 10_000_000).default(10_000),
  DEDUP_TTL_MS: int(1_000, 7 * 24 * 3600_000).default(5 * 60_000),
  SWEEP_INTERVAL_MS: int(250, 600_000).default(3_000),
  NO_CHAT_TIMEOUT_MS: int(1_000, 3600_000).default(45_000),
  SAVE_SCREENSHOTS: bool.default(false),
  CHAT_STALL_RELOAD_MS: int(0, 24 * 3600_000).default(15 * 60_000),
  // Source health (src/pipeline/source-health.ts): defaults fit a quiet show (a stall is 10 of its usual
  // gaps, at most 10 min) and a busy one (at least 1 min); thin chat (< 1/min) is only ever `silent`.
  SOURCE_SILENT_AFTER_MS: int(1_000, 24 * 3600_000).default(180_000),
  SOURCE_STALL_MIN_MS: int(1_000, 24 * 3600_000).default(60_000),
  SOURCE_STALL_MAX_MS: int(1_000, 24 * 3600_000).default(600_000),
  SOURCE_STALL_GAPS: int(2, 1_000).default(10),
  SOURCE_STALL_MIN_RATE: z.coerce.number().min(0).max(10_000).default(1),
  SOURCE_RECOVERY_GRACE_MS: int(1_000, 3600_000).default(60_000),
  SOURCE_HEALTH_CHECK_MS: int(100, 600_000).default(5_000),
  SOURCE_RATE_WINDOW_MS: int(600, 3600_000).default(60_000),
  NETWORK_CAPTURE: bool.default(true),
  WS_RING_SIZE: int(16, 1_000_000).default(2_000),
  // Outgoing webhooks (src/webhooks): private targets (as ALLOW_PRIVATE_URLS, for webhooks alone), a CA file
  // trusted for their TLS beside the system's, the attempt timeout, the retry schedule and the dead-letter age.
  WEBHOOK_ALLOW_PRIVATE_URLS: privateUrls,
  WEBHOOK_CA_FILE: optionalString,
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  WEBHOOK_RETRY_MIN_MS: int(10, 3_600_000).default(5_000),
  WEBHOOK_RETRY_MAX_MS: int(10, 24 * 3_600_000).default(3_600_000),
  WEBHOOK_DEAD_AFTER_MS: int(100, 30 * 24 * 3_600_000).default(24 * 3_600_000),
  WEBHOOK_POLL_MS: int(10, 60_000).default(1_000),
  WS_MAX_BUFFERED_BYTES: int(1024, 1024 ** 3).default(4 * 1024 * 1024),
  WS_PING_INTERVAL_MS: int(100, 600_000).default(30_000),
  WS_MAX_SUBSCRIPTIONS: int(1, 1_000_000).default(200),
  WS_MAX_SUBSCRIPTIONS_PER_SELLER: int(1, 10_000_000).default(1_000),
  MAX_SESSIONS: int(1, 1000).default(50),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  INSTANCE_ID: optionalString.pipe(z.string().max(100).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only').optional()),
  REDIS_PREFIX: z.string().trim().min(1).max(50).regex(/^[A-Za-z0-9._:-]+$/).default('earshot'),
  CLUSTER_LOCK_MS: int(1_000, 600_000).default(10_000),
  CLUSTER_STALLED_MS: int(500, 600_000).default(5_000),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// or postgresql:// connection string' }).optional()),
  SUPABASE_URL: optionalUrl,
  SUPABASE_OWNER_ID: optionalString.pipe(z.uuid().optional()),
  KB_MAX_UPLOAD_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  KB_MAX_PAGES: int(1, 100_000).default(1_000),
  KB_EXTRACT_TIMEOUT_MS: int(100, 600_000).default(20_000),
  KB_EXTRACT_MEMORY_MB: int(32, 8_192).default(256),
  KB_EXTRACT_QUEUE: int(0, 1_000).default(4),
  REPLY_MIN_INTERVAL_MS: int(0, 600_000).default(2_000),
  REPLY_MAX_AGE_MS: int(1_000, 24 * 3600_000).default(120_000),
  REPLY_POLL_MS: int(50, 600_000).default(1_000),
  YOUTUBE_API_KEY: optionalString,
  YOUTUBE_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://www.googleapis.com/youtube/v3'),
  YOUTUBE_OAUTH_CLIENT_ID: optionalString,
  YOUTUBE_OAUTH_CLIENT_SECRET: optionalString,
  YOUTUBE_OAUTH_REFRESH_TOKEN: optionalString,
  YOUTUBE_OAUTH_TOKEN_URL: z.url({ protocol: /^https?$/ }).default('https://oauth2.googleapis.com/token'),
  YOUTUBE_DAILY_QUOTA: int(1, 100_000_000).default(10_000),
  YOUTUBE_STREAMING: bool.default(false),
  RETENTION_DAYS: int(1, 36_500).default(90),
  STALE_SESSION_HOURS: int(1, 24 * 365).default(24),
  FORWARD_BATCH_SIZE: int(1, 5_000).default(100),
  FORWARD_BATCH_DELAY_MS: int(0, 60_000).default(50),
  FORWARD_RETRY_INITIAL_MS: int(1, 600_000).default(500),
  FORWARD_RETRY_MAX_MS: int(1, 3600_000).default(30_000),
  HOUSEKEEPING_INTERVAL_MS: int(1_000, 7 * 24 * 3600_000).default(3600_000),
  PGLITE_TEMPLATE_DIR: optionalString,
});

export type Env = z.input<typeof EnvSchema>;

/** Typed, validated configuration. Built once in main.ts and passed down. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  chromeExecutablePath?: string;
  /** ALLOW_PRIVATE_URLS=true: every private target is reachable (metadata never is). */
  allowPrivateUrls: boolean;
  /** ALLOW_PRIVATE_URLS=<origins>: the only private targets reachable (host and port; empty = none). */
  allowedPrivateOrigins: string[];
  apiToken?: string;
  /**
   * Accounts (Supabase Auth): on when AUTH_JWKS_URL, AUTH_JWT_SECRET or AUTH_URL is set. Every /api and /ws
   * caller is then a signed-in user and sees only their own shows, documents and replies.
   */
  auth?: {
    /** JWKS of the project's asymmetric signing keys (default `${AUTH_URL or SUPABASE_URL}/auth/v1/.well-known/jwks.json`). */
    jwksUrl?: string;
    /** The project's HS256 JWT secret. */
    secret?: string;
    audience: string;
    issuer?: string;
    /** The Supabase project the dashboard signs in with (AUTH_URL, default SUPABASE_URL), and its anon key. */
    supabaseUrl?: string;
    anonKey?: string;
  };
  /** /api requests per client (user, else address) per minute; 0 = unlimited (RATE_LIMIT_PER_MINUTE). */
  rateLimitPerMinute: number;
  /** express's `trust proxy` (TRUST_PROXY): false, a hop count, or proxy addresses/CIDRs. */
  trustProxy: false | number | string[];
  /** Origins besides the service's own whose pages may open /ws and call the API (ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  /** Host names besides HOST, loopback and IP literals the service answers to (ALLOWED_HOSTS; `*` = any). */
  allowedHosts: string[];
  dedup: { max: number; ttlMs: number };
  capture: {
    sweepIntervalMs: number;
    noChatTimeoutMs: number;
    saveScreenshots: boolean;
    maxSessions: number;
    /** Reload a stalled page (adapters that ask for it, YouTube) after this long without new chat; 0 = never. */
    stallReloadMs: number;
    /** Read chat from the page's own network traffic first (DOM as fallback); false = DOM only. */
    networkCapture: boolean;
    /** Source health: thresholds (source-health.ts) and how often running shows are judged. */
    health: HealthLimits & { checkEveryMs: number };
  };
  /**
   * `maxSubscriptions`: per socket (WS_MAX_SUBSCRIPTIONS); `maxSellerSubscriptions`: per seller across all
   * their sockets, accounts only (WS_MAX_SUBSCRIPTIONS_PER_SELLER).
   */
  ws: { ringSize: number; maxBufferedBytes: number; pingIntervalMs: number; maxSubscriptions: number; maxSellerSubscriptions: number };
  /**
   * Outgoing webhooks: `allowPrivate`/`allowedOrigins` as for start URLs but their own (WEBHOOK_ALLOW_PRIVATE_URLS),
   * `caFile` a PEM trusted beside the system's (WEBHOOK_CA_FILE), attempts time out after `timeoutMs`, retries wait
   * `retryMinMs` doubling to `retryMaxMs` (full jitter), and a delivery not delivered after `deadAfterMs` is dead.
   */
  webhooks: {
    allowPrivate: boolean;
    allowedOrigins: string[];
    caFile?: string;
    timeoutMs: number;
    retryMinMs: number;
    retryMaxMs: number;
    deadAfterMs: number;
    pollMs: number;
  };
  /**
   * Cluster mode (REDIS_URL set): several instances share the shows. BullMQ assigns each show to one
   * instance; Redis Streams carry its events to every instance (src/cluster/).
   */
  cluster?: {
    redisUrl: string;
    /** This instance's name in /health and GET /api/sessions (INSTANCE_ID, default host name and pid). */
    instanceId: string;
    /** Key prefix of everything Earshot keeps in Redis (REDIS_PREFIX). */
    prefix: string;
    /** How long a show's lock lasts without renewal: an instance that stops renewing loses its shows after it (CLUSTER_LOCK_MS). */
    lockMs: number;
    /** How often instances look for shows whose owner stopped renewing (CLUSTER_STALLED_MS). */
    stalledMs: number;
  };
  /**
   * DATABASE_URL: the shared core runs in-process over this PostgreSQL server (storage several instances
   * share without Supabase). It carries a password: never log it.
   */
  databaseUrl?: string;
  /** Set = Supabase backend; unset = embedded PGlite or DATABASE_URL. `ownerId` owns the sessions this service creates (RLS). */
  supabase?: { url: string; serviceRoleKey: string; dbUrl?: string; ownerId?: string };
  ingestSigningSecret?: string;
  openai?: { apiKey: string; baseUrl?: string; model: string; embeddingModel: string; timeoutMs: number };
  buyerConfidenceThreshold: number;
  botTrigger: string;
  /** Knowledge base uploads and the reply outbox. */
  kb: {
    /** Largest document upload (KB_MAX_UPLOAD_BYTES), inclusive. */
    maxUploadBytes: number;
    /** A PDF with more pages is refused before it is read (KB_MAX_PAGES). */
    maxPages: number;
    /** Time budget of one PDF in the extraction worker (KB_EXTRACT_TIMEOUT_MS). */
    extractTimeoutMs: number;
    /** Heap limit of the extraction worker in MB (KB_EXTRACT_MEMORY_MB). */
    extractMemoryMb: number;
    /** Uploads that may wait for the extraction worker; more answer document_queue_full (KB_EXTRACT_QUEUE). */
    extractQueue: number;
    /** Replies sent per session per minute; more stay suggestions (REPLY_RATE_PER_MINUTE). */
    repliesPerMinute: number;
    /** Least time between two replies sent into one chat (REPLY_MIN_INTERVAL_MS). */
    replyMinIntervalMs: number;
    /** A reply not delivered within this long fails as expired (REPLY_MAX_AGE_MS). */
    replyMaxAgeMs: number;
    /** How often delivery workers look for pending replies (REPLY_POLL_MS). */
    replyPollMs: number;
  };
  youtube: {
    apiKey?: string;
    baseUrl: string;
    oauth?: { clientId: string; clientSecret: string; refreshToken: string; tokenUrl: string };
    dailyQuota: number;
    streaming: boolean;
  };
  retentionDays: number;
  staleSessionHours: number;
  forward: { batchSize: number; batchDelayMs: number; retryInitialMs: number; retryMaxMs: number };
  housekeepingIntervalMs: number;
  /** Cache of a migrated embedded database that new DATA_DIRs are copied from (tests). */
  pgliteTemplateDir?: string;
}

/** Thrown when the environment is invalid; the message lists every problem with its fix. */
export class ConfigError extends EarshotError {
  constructor(message: string) {
    super('invalid_config', message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment. `env` defaults to `process.env`; tests pass a plain object.
 * Throws ConfigError with one line per problem.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    // Values are shown with secrets hidden and URL passwords masked (shownValue in the shared settings).
    const lines = describeSettingsIssues(parsed.error, env);
    throw new ConfigError(
      `Invalid configuration:\n${lines.join('\n')}\nFix these environment variables (see .env.example) and start again.`,
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.SUPABASE_URL && !e.SUPABASE_SERVICE_ROLE_KEY) {
    problems.push('  SUPABASE_URL is set but SUPABASE_SERVICE_ROLE_KEY is missing: set both, or neither for the embedded backend.');
  }
  if (e.DATABASE_URL && e.SUPABASE_URL) {
    problems.push(
      '  DATABASE_URL and SUPABASE_URL are both set: pick one store. Keep SUPABASE_URL (with its key) for Supabase mode, or DATABASE_URL alone to run over your own PostgreSQL.',
    );
  }
  const oauthParts = [e.YOUTUBE_OAUTH_CLIENT_ID, e.YOUTUBE_OAUTH_CLIENT_SECRET, e.YOUTUBE_OAUTH_REFRESH_TOKEN];
  if (oauthParts.some(Boolean) && !oauthParts.every(Boolean)) {
    problems.push(
      '  YOUTUBE_OAUTH_CLIENT_ID, YOUTUBE_OAUTH_CLIENT_SECRET and YOUTUBE_OAUTH_REFRESH_TOKEN go together: set all three or none.',
    );
  }
  const authUrl = (e.AUTH_URL ?? e.SUPABASE_URL)?.replace(/\/+$/, '');
  const accounts = Boolean(e.AUTH_JWKS_URL || e.AUTH_JWT_SECRET || e.AUTH_URL);
  if (e.AUTH_JWT_SECRET && e.AUTH_JWT_SECRET.length < 32) {
    problems.push('  AUTH_JWT_SECRET is shorter than 32 characters: use the JWT secret of the Supabase project (Settings -> API).');
  }
  if (e.REDIS_URL && !e.SUPABASE_URL && !e.DATABASE_URL) {
    problems.push(
      '  REDIS_URL (cluster mode) needs storage every instance shares: set SUPABASE_URL (with its key) or DATABASE_URL; the embedded PGlite belongs to one instance.',
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    chromeExecutablePath: e.CHROME_EXECUTABLE_PATH,
    allowPrivateUrls: e.ALLOW_PRIVATE_URLS.all,
    allowedPrivateOrigins: e.ALLOW_PRIVATE_URLS.origins,
    apiToken: e.API_TOKEN,
    auth: accounts
      ? {
          jwksUrl: e.AUTH_JWKS_URL ?? (authUrl ? `${authUrl}/auth/v1/.well-known/jwks.json` : undefined),
          secret: e.AUTH_JWT_SECRET,
          audience: e.AUTH_AUDIENCE,
          issuer: e.AUTH_ISSUER,
          supabaseUrl: authUrl,
          anonKey: e.SUPABASE_ANON_KEY,
        }
      : undefined,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    allowedOrigins: e.ALLOWED_ORIGINS,
    allowedHosts: e.ALLOWED_HOSTS,
    dedup: { max: e.DEDUP_MAX, ttlMs: e.DEDUP_TTL_MS },
    capture: {
      sweepIntervalMs: e.SWEEP_INTERVAL_MS,
      noChatTimeoutMs: e.NO_CHAT_TIMEOUT_MS,
      saveScreenshots: e.SAVE_SCREENSHOTS,
      stallReloadMs: e.CHAT_STALL_RELOAD_MS,
      networkCapture: e.NETWORK_CAPTURE,
      maxSessions: e.MAX_SESSIONS,
      health: {
        silentAfterMs: e.SOURCE_SILENT_AFTER_MS,
        stallMinMs: e.SOURCE_STALL_MIN_MS,
        stallMaxMs: Math.max(e.SOURCE_STALL_MAX_MS, e.SOURCE_STALL_MIN_MS),
        stallGaps: e.SOURCE_STALL_GAPS,
        minBaselinePerMin: e.SOURCE_STALL_MIN_RATE,
        recoveryGraceMs: e.SOURCE_RECOVERY_GRACE_MS,
        checkEveryMs: e.SOURCE_HEALTH_CHECK_MS,
        rateWindowMs: e.SOURCE_RATE_WINDOW_MS,
      },
    },
    ws: {
      ringSize: e.WS_RING_SIZE,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      pingIntervalMs: e.WS_PING_INTERVAL_MS,
      maxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
      maxSellerSubscriptions: e.WS_MAX_SUBSCRIPTIONS_PER_SELLER,
    },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE_URLS.all,
      allowedOrigins: e.WEBHOOK_ALLOW_PRIVATE_URLS.origins,
      caFile: e.WEBHOOK_CA_FILE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryMinMs: e.WEBHOOK_RETRY_MIN_MS,
      retryMaxMs: Math.max(e.WEBHOOK_RETRY_MAX_MS, e.WEBHOOK_RETRY_MIN_MS),
      deadAfterMs: e.WEBHOOK_DEAD_AFTER_MS,
      pollMs: e.WEBHOOK_POLL_MS,
    },
    cluster: e.REDIS_URL
      ? {
          redisUrl: e.REDIS_URL,
          instanceId: e.INSTANCE_ID ?? `${os.hostname()}-${process.pid}`,
          prefix: e.REDIS_PREFIX,
          lockMs: e.CLUSTER_LOCK_MS,
          stalledMs: Math.min(e.CLUSTER_STALLED_MS, e.CLUSTER_LOCK_MS),
        }
      : undefined,
    databaseUrl: e.DATABASE_URL,
    supabase:
      e.SUPABASE_URL && e.SUPABASE_SERVICE_ROLE_KEY
        ? {
            url: e.SUPABASE_URL,
            serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
            dbUrl: e.SUPABASE_DB_URL,
            ownerId: e.SUPABASE_OWNER_ID,
          }
        : undefined,
    ingestSigningSecret: e.INGEST_SIGNING_SECRET,
    openai: e.OPENAI_API_KEY
      ? {
          apiKey: e.OPENAI_API_KEY,
          baseUrl: e.OPENAI_BASE_URL,
          model: e.OPENAI_MODEL,
          embeddingModel: e.OPENAI_EMBEDDING_MODEL,
          timeoutMs: e.OPENAI_TIMEOUT_MS,
        }
      : undefined,
    buyerConfidenceThreshold: e.BUYER_CONFIDENCE_THRESHOLD,
    botTrigger: e.BOT_TRIGGER,
    kb: {
      maxUploadBytes: e.KB_MAX_UPLOAD_BYTES,
      maxPages: e.KB_MAX_PAGES,
      extractTimeoutMs: e.KB_EXTRACT_TIMEOUT_MS,
      extractMemoryMb: e.KB_EXTRACT_MEMORY_MB,
      extractQueue: e.KB_EXTRACT_QUEUE,
      repliesPerMinute: e.REPLY_RATE_PER_MINUTE,
      replyMinIntervalMs: e.REPLY_MIN_INTERVAL_MS,
      replyMaxAgeMs: e.REPLY_MAX_AGE_MS,
      replyPollMs: e.REPLY_POLL_MS,
    },
    youtube: {
      apiKey: e.YOUTUBE_API_KEY,
      baseUrl: e.YOUTUBE_API_BASE_URL.replace(/\/+$/, ''),
      oauth:
        e.YOUTUBE_OAUTH_CLIENT_ID && e.YOUTUBE_OAUTH_CLIENT_SECRET && e.YOUTUBE_OAUTH_REFRESH_TOKEN
          ? {
              clientId: e.YOUTUBE_OAUTH_CLIENT_ID,
              clientSecret: e.YOUTUBE_OAUTH_CLIENT_SECRET,
              refreshToken: e.YOUTUBE_OAUTH_REFRESH_TOKEN,
              tokenUrl: e.YOUTUBE_OAUTH_TOKEN_URL,
            }
          : undefined,
      dailyQuota: e.YOUTUBE_DAILY_QUOTA,
      streaming: e.YOUTUBE_STREAMING,
    },
    retentionDays: e.RETENTION_DAYS,
    staleSessionHours: e.STALE_SESSION_HOURS,
    forward: {
      batchSize: e.FORWARD_BATCH_SIZE,
      batchDelayMs: e.FORWARD_BATCH_DELAY_MS,
      retryInitialMs: e.FORWARD_RETRY_INITIAL_MS,
      retryMaxMs: Math.max(e.FORWARD_RETRY_MAX_MS, e.FORWARD_RETRY_INITIAL_MS),
    },
    housekeepingIntervalMs: e.HOUSEKEEPING_INTERVAL_MS,
    pgliteTemplateDir: e.PGLITE_TEMPLATE_DIR ? path.resolve(e.PGLITE_TEMPLATE_DIR) : undefined,
  };
}
