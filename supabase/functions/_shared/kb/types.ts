/**
 * The knowledge base's domain types: documents, search hits, commands, per-session bot settings and
 * replies (the outbox). camelCase here; the SQL rows are converted once in the modules that read them.
 * Dependency-free (the contract's types are imported as types only): loaded by Node (tsc) and by Deno.
 */
import type { AnswerSource } from '../contract.ts';

/** What an uploaded document was; its text is extracted before it reaches the core. */
export type SourceType = 'pdf' | 'txt' | 'md';

export interface KbDocument {
  id: string;
  title: string;
  sourceType: SourceType;
  byteSize: number;
  charCount: number;
  chunkCount: number;
  /** The embedding model of its chunks; null when stored for full-text search only. */
  embeddingModel: string | null;
  createdAt: string;
}

/** One chunk found by hybrid search, best first. */
export interface SearchHit {
  chunkId: string;
  documentId: string;
  title: string;
  heading: string;
  content: string;
  /** ts_rank_cd of the full-text match (0 when only the embedding matched). */
  ftsRank: number;
  /** Cosine similarity of the embeddings (null without an embedding). */
  similarity: number | null;
  /** Reciprocal-rank-fused score. */
  score: number;
}

/** Where an answer came from (the public `answer` event's `sources`): the contract's own type. */
export type { AnswerSource };

/** A grounded answer: chat-sized text and its sources. */
export interface KbAnswer {
  text: string;
  sources: AnswerSource[];
  /** How it was produced. */
  method: 'extractive' | 'llm';
}

/** Roles a command may be limited to (the channel owner may always run a command). */
export const COMMAND_ROLES = ['moderator', 'vip', 'subscriber', 'member'] as const;
export type CommandRole = (typeof COMMAND_ROLES)[number];

export interface BotCommand {
  id: string;
  /** Lower-case name without the "!". */
  name: string;
  /** Template with {user} and {args}. */
  response: string;
  enabled: boolean;
  cooldownGlobalSec: number;
  cooldownUserSec: number;
  /** Empty: everyone may run it. */
  allowedRoles: CommandRole[];
  /** Lower-case names allowed whatever their roles. */
  allowedUsers: string[];
  onlyWhenLive: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What creating or changing a command accepts (validated at the edge). */
export interface CommandInput {
  name: string;
  response: string;
  enabled?: boolean;
  cooldownGlobalSec?: number;
  cooldownUserSec?: number;
  allowedRoles?: CommandRole[];
  allowedUsers?: string[];
  onlyWhenLive?: boolean;
}

/** 'suggest': replies stay suggestions on the dashboard; 'send': the service delivers them to the chat. */
export type DeliveryMode = 'suggest' | 'send';

export interface BotSettings {
  sessionId: string;
  /** Answer every question, not only messages addressing the trigger. */
  autoAnswer: boolean;
  delivery: DeliveryMode;
  /** Overrides BOT_TRIGGER for this session; null uses the default. */
  trigger: string | null;
  /** The service's signed-in browser profile that types replies into browser chats (null: none). */
  profile: string | null;
  updatedAt: string | null;
  /**
   * The show these settings were saved on when this show has none of its own (its seller's most recent
   * settings carry over to the next show); null when they are its own or the defaults.
   */
  inheritedFrom: string | null;
}

/** What PUT /api/sessions/:id/bot changes (omitted fields keep their values; null clears). */
export interface BotSettingsPatch {
  autoAnswer?: boolean;
  delivery?: DeliveryMode;
  trigger?: string | null;
  profile?: string | null;
}

export type ReplyStatus = 'suggested' | 'pending' | 'sent' | 'failed' | 'dismissed';
export type ReplyKind = 'answer' | 'command';

/** One entry of the reply outbox. */
export interface Reply {
  id: string;
  sessionId: string;
  /** The chat message it answers. */
  messageId: string | null;
  kind: ReplyKind;
  commandId: string | null;
  username: string;
  question: string;
  text: string;
  sources: AnswerSource[];
  status: ReplyStatus;
  /** Why it failed or stayed a suggestion. */
  reason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  platformReplyId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  /**
   * The platform's names of the viewers this answer is for, first asker first (at most 50): viewers who
   * asked the same while it waited as a suggestion join it instead of getting a suggestion each. Empty
   * for replies stored before askers were kept (the asker is `username` then).
   */
  askers: string[];
}

/** Milliseconds since the epoch; injected so cooldowns and rate limits are testable without waiting. */
export type NowFn = () => number;
