/**
 * What the service's HTTP routes answer, as zod schemas: the OpenAPI document (openapi.ts) is generated
 * from them. Each schema is checked at compile time against the TypeScript type the route really sends
 * (`satisfies z.ZodType<T>`), so a field added to a type and not here (or the other way round) breaks the
 * typecheck instead of the document silently drifting.
 */
import { z } from 'zod';
import { AuditLot, InterestedViewer, LedgerBuyer, Lot, LotHistoryEntry, SessionSales, ShowSummary, SourceHealth, StoredMessage } from '../../supabase/functions/_shared/contract.ts';
import type { PickListBuyer } from '../../supabase/functions/_shared/ledger/corrections.ts';
import { COMMAND_ROLES, type BotCommand, type BotSettings, type KbAnswer, type KbDocument, type Reply } from '../../supabase/functions/_shared/kb/index.ts';
import { AnswerSource, AnswerStatus } from '../../supabase/functions/_shared/contract.ts';
import type { QuotaOperation, QuotaSnapshot } from '../capture/youtube-api/quota.ts';
import { PLATFORMS, SESSION_STATUSES, type SessionInfo } from '../domain/message.ts';
import type { HealthReport, ReadyReport } from './app.ts';

/** A monitored show (start-monitoring, GET /api/sessions[/:id]). */
export const Session = z.object({
  sessionId: z.string(),
  url: z.string(),
  platform: z.enum(PLATFORMS),
  source: z.enum(['browser', 'api']),
  status: z.enum(SESSION_STATUSES),
  /** Why the status is what it is; for `error` it begins with the code (`url_not_allowed: ...`). */
  detail: z.string().optional(),
  messageCount: z.number().int(),
  buyerCount: z.number().int(),
  lastMessageAt: z.string().nullable(),
  startedAt: z.string(),
  ownerId: z.string().optional(),
  platformShowId: z.string().optional(),
  sellers: z.array(z.string()).optional(),
  /** The show's title: the page's (its document title, cleaned), until the seller names it. */
  title: z.string().optional(),
  titleBy: z.enum(['page', 'seller']).optional(),
  /** The show's counts from the claims ledger (what buyerCount counts). */
  sales: SessionSales.optional(),
  /** Cluster mode: the instance running the show (null while it waits for one). */
  instance: z.string().nullable().optional(),
  /** The source's health now: its rate against its own usual rate, and live / silent / recovering / stalled / ended. */
  health: SourceHealth.optional(),
  /** Browser sessions: recoveries, blocked/refused requests, dropped reports and the in-page agent's counters. */
  diagnostics: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<SessionInfo>;

export const SessionList = z.array(Session);

export const SellersAnswer = z.object({ sessionId: z.string(), sellers: z.array(z.string()) });

export const StopAnswer = z.object({ sessionId: z.string(), status: z.literal('stopped') });

export const MessagesAnswer = z.object({
  sessionId: z.string(),
  messages: z.array(StoredMessage),
  /** The `before` of the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

/** A search over the caller's shows: the hits newest first, each with its show; how many shows were read. */
export const SearchAnswer = z.object({
  q: z.string(),
  messages: z.array(StoredMessage.extend({ sessionId: z.string(), showTitle: z.string().nullable() })),
  /** The shows searched: the caller's newest, at most 50. */
  shows: z.number().int(),
  /** The caller has older shows than those searched. */
  moreShows: z.boolean(),
});

/** The ledger's buyers (sold and pending lots' winners), the interested viewers no lot holds, and the counts. */
export const BuyersAnswer = z.object({ sessionId: z.string(), buyers: z.array(LedgerBuyer), interested: z.array(InterestedViewer), summary: ShowSummary });

export const LotsAnswer = z.object({ sessionId: z.string(), lots: z.array(Lot), summary: ShowSummary });

export const LotAnswer = z.object({ sessionId: z.string(), lot: Lot });

export const LotHistoryAnswer = z.object({ sessionId: z.string(), code: z.string(), history: z.array(LotHistoryEntry) });

export const AuditAnswer = z.object({ sessionId: z.string(), lots: z.array(AuditLot) });

export const PickListBuyerSchema = z.object({
  username: z.string(),
  lots: z.array(
    z.object({
      code: z.string(),
      title: z.string().nullable(),
      priceCents: z.number().int().nullable(),
      price: z.number().nullable(),
      status: z.enum(['sold', 'pending']),
      assignmentId: z.string().nullable(),
      paid: z.boolean(),
      packed: z.boolean(),
      shipped: z.boolean(),
    }),
  ),
  totalCents: z.number().int(),
  total: z.number(),
  unpriced: z.number().int(),
  paid: z.boolean(),
  packed: z.boolean(),
  shipped: z.boolean(),
}) satisfies z.ZodType<PickListBuyer>;

export const PickListAnswer = z.object({ sessionId: z.string(), buyers: z.array(PickListBuyerSchema), summary: ShowSummary });

export const Quota = z.object({
  dailyLimit: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
  resetsAt: z.string(),
  exhausted: z.boolean(),
  /** Units per session today (with accounts: the caller's sessions only). */
  bySession: z.record(z.string(), z.number()),
  /** The Pacific date the counts belong to (YYYY-MM-DD). */
  day: z.string(),
  costs: z.object({
    'videos.list': z.number(),
    'liveChatMessages.list': z.number(),
    'liveChatMessages.stream': z.number(),
    'liveChatMessages.insert': z.number(),
  }),
}) satisfies z.ZodType<Omit<QuotaSnapshot, 'costs'> & { costs: Record<QuotaOperation, number> }>;

export const KbDocumentSchema = z.object({
  id: z.string(),
  title: z.string(),
  sourceType: z.enum(['pdf', 'txt', 'md']),
  byteSize: z.number().int(),
  charCount: z.number().int(),
  chunkCount: z.number().int(),
  embeddingModel: z.string().nullable(),
  createdAt: z.string(),
}) satisfies z.ZodType<KbDocument>;

export const DeletedAnswer = z.object({ id: z.string(), deleted: z.literal(true) });

export const AskAnswer = z.object({
  answer: z
    .object({ text: z.string(), sources: z.array(AnswerSource), method: z.enum(['extractive', 'llm']) })
    .nullable() satisfies z.ZodType<KbAnswer | null>,
});

export const BotCommandSchema = z.object({
  id: z.string(),
  name: z.string(),
  response: z.string(),
  enabled: z.boolean(),
  cooldownGlobalSec: z.number().int(),
  cooldownUserSec: z.number().int(),
  allowedRoles: z.array(z.enum(COMMAND_ROLES)),
  allowedUsers: z.array(z.string()),
  onlyWhenLive: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<BotCommand>;

export const ReplySchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  messageId: z.string().nullable(),
  kind: z.enum(['answer', 'command']),
  commandId: z.string().nullable(),
  username: z.string(),
  question: z.string(),
  text: z.string(),
  sources: z.array(AnswerSource),
  status: AnswerStatus,
  reason: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  platformReplyId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().nullable(),
  askers: z.array(z.string()).describe('The platform names of everyone this answer is for, first asker first (at most 50)'),
}) satisfies z.ZodType<Reply>;

export const BotSettingsSchema = z.object({
  sessionId: z.string(),
  autoAnswer: z.boolean(),
  delivery: z.enum(['suggest', 'send']),
  trigger: z.string().nullable(),
  profile: z.string().nullable(),
  updatedAt: z.string().nullable(),
  inheritedFrom: z.string().nullable().describe("The show these settings carry over from (the seller's latest); null: the show's own or the defaults"),
  repliesPerMinute: z.number().int().describe('REPLY_RATE_PER_MINUTE: answers posted per show per minute at most; more wait as suggestions'),
}) satisfies z.ZodType<BotSettingsAnswer>;

/** GET/PUT /api/sessions/:id/bot: the settings with the service's reply rate cap. */
export type BotSettingsAnswer = BotSettings & { repliesPerMinute: number };

/** GET /api/config: what the dashboard needs before signing in (open). */
export const PublicConfig = z.looseObject({
  accounts: z.boolean(),
  /** Without accounts: whether an API_TOKEN is required. */
  apiToken: z.boolean().optional(),
  supabaseUrl: z.string().nullable().optional(),
  supabaseAnonKey: z.string().nullable().optional(),
  realtime: z.boolean().optional(),
});

/** GET /health: counts from the metrics registry; the sections beyond these are listed in docs/API.md. */
export const Health = z.looseObject({
  status: z.literal('ok'),
  service: z.literal('earshot'),
  activeSessions: z.number().int(),
}) satisfies z.ZodType<HealthReport>;

export const Live = z.object({ status: z.literal('ok') });

export const Ready = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.union([z.boolean(), z.string()])),
}) satisfies z.ZodType<ReadyReport>;
