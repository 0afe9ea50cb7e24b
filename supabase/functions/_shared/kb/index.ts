/**
 * The knowledge base's public face: documents, hybrid search, grounded answers, commands, per-session
 * bot settings and the reply outbox, bound to one database as a `KnowledgeBase`. The Node service's HTTP
 * routes and delivery workers depend on this interface; the ingest hook (hook.ts) uses the same modules.
 * Loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { answerQuestion, type AnswerModel } from './answer.ts';
import { createCommand, deleteCommand, listCommands, updateCommand } from './commands.ts';
import { addDocument, deleteDocument, listDocuments, type AddDocumentResult, type NewDocument } from './documents.ts';
import type { Embedder } from './embeddings.ts';
import {
  claimDueReplies,
  getReply,
  listReplies,
  markReplyFailed,
  markReplySent,
  retryReplyLater,
  sendReplyToAll,
  setReplyStatus,
  type ClaimOptions,
} from './replies.ts';
import { searchChunks } from './search.ts';
import { getBotSettings, putBotSettings } from './settings.ts';
import { sanitizeText, scrubText } from '../text.ts';
import type { BotCommand, BotSettings, BotSettingsPatch, CommandInput, KbAnswer, KbDocument, Reply, ReplyStatus, SearchHit } from './types.ts';

export * from './types.ts';
export { KbError, type KbErrorCode } from './errors.ts';
export { createKbHook, addressedQuestion, type KbHookOptions } from './hook.ts';
export { createOpenAiEmbedder, EMBEDDING_DIMENSIONS, type Embedder } from './embeddings.ts';
export { createOpenAiAnswerModel, extractiveAnswer, MAX_ANSWER_CHARS, type AnswerModel, type AnswerModelFailure } from './answer.ts';
export { chunkText, type Chunk, type ChunkOptions } from './chunk.ts';
export { parseCommand, mayRun, renderTemplate } from './commands.ts';
export { safeReplyText, mentionAllText, DEFAULT_REPLIES_PER_MINUTE, MAX_ASKERS, MERGE_WINDOW_MS, type ClaimOptions } from './replies.ts';
export { MAX_DOCUMENT_CHARS, type NewDocument, type AddDocumentResult } from './documents.ts';

/** Longest document title kept (kb_documents.title). */
const MAX_TITLE_CHARS = 300;

/** Everything the service does with the knowledge base, for one owner. */
export interface KnowledgeBase {
  addDocument(document: Omit<NewDocument, 'ownerId'>): Promise<AddDocumentResult>;
  listDocuments(): Promise<KbDocument[]>;
  deleteDocument(id: string): Promise<void>;
  search(question: string, limit?: number): Promise<SearchHit[]>;
  answer(question: string): Promise<KbAnswer | null>;

  listCommands(): Promise<BotCommand[]>;
  createCommand(input: CommandInput): Promise<BotCommand>;
  updateCommand(id: string, patch: Partial<CommandInput>): Promise<BotCommand>;
  deleteCommand(id: string): Promise<void>;

  getSettings(sessionId: string): Promise<BotSettings>;
  putSettings(sessionId: string, patch: BotSettingsPatch): Promise<BotSettings>;

  listReplies(sessionId: string, options?: { limit?: number; status?: ReplyStatus }): Promise<Reply[]>;
  getReply(id: string): Promise<Reply | null>;
  /** Outbox, for delivery workers. */
  claimDueReplies(options: ClaimOptions): Promise<{ claimed: Reply[]; expired: Reply[] }>;
  markSent(id: string, platformReplyId?: string): Promise<Reply | null>;
  markFailed(id: string, reason: string): Promise<Reply | null>;
  retryLater(id: string, retryAt: number, reason: string): Promise<Reply | null>;
  setStatus(id: string, status: 'pending' | 'suggested' | 'dismissed', reason?: string | null): Promise<Reply | null>;
  /** Like setStatus(id, 'pending'), posted as one reply @mentioning everyone who asked (as many as fit). */
  sendToAll(id: string): Promise<Reply | null>;
}

export interface KnowledgeBaseOptions {
  /** The owner of documents and commands; null: the service's own (no dashboard users). */
  ownerId?: string | null;
  embedder?: Embedder;
  model?: AnswerModel;
  now?: () => number;
  onEmbeddingError?: (error: unknown) => void;
}

/**
 * A document as it enters the knowledge base, whatever extracted it (an upload, a PDF, a replay's file):
 * its text keeps its lines and only loses what no store can hold (NUL, lone surrogates: scrubText); its
 * title is one clean line within the title column's cap.
 */
export function scrubDocument<T extends Pick<NewDocument, 'title' | 'text'>>(document: T): T {
  return { ...document, title: sanitizeText(document.title, MAX_TITLE_CHARS), text: scrubText(document.text) };
}

/** Binds the knowledge base to a database. */
export function createKnowledgeBase(sql: Sql, options: KnowledgeBaseOptions = {}): KnowledgeBase {
  const owner = options.ownerId ?? null;
  const now = options.now ?? Date.now;
  return {
    addDocument: (document) =>
      addDocument(sql, { ...scrubDocument(document), ownerId: owner }, { embedder: options.embedder, onEmbeddingError: options.onEmbeddingError }),
    listDocuments: () => listDocuments(sql, owner),
    deleteDocument: (id) => deleteDocument(sql, id, owner),
    search: (question, limit) =>
      searchChunks(sql, question, { ownerId: owner, embedder: options.embedder, limit, onEmbeddingError: options.onEmbeddingError }),
    answer: (question) =>
      answerQuestion(sql, question, {
        ownerId: owner,
        embedder: options.embedder,
        model: options.model,
        onEmbeddingError: options.onEmbeddingError,
      }),
    listCommands: () => listCommands(sql, owner),
    createCommand: (input) => createCommand(sql, input, owner, now()),
    updateCommand: (id, patch) => updateCommand(sql, id, patch, owner, now()),
    deleteCommand: (id) => deleteCommand(sql, id, owner),
    getSettings: (sessionId) => getBotSettings(sql, sessionId),
    putSettings: (sessionId, patch) => putBotSettings(sql, sessionId, patch, now()),
    listReplies: (sessionId, listOptions) => listReplies(sql, sessionId, listOptions),
    getReply: (id) => getReply(sql, id),
    claimDueReplies: (claim) => claimDueReplies(sql, claim),
    markSent: (id, platformReplyId) => markReplySent(sql, id, now(), platformReplyId),
    markFailed: (id, reason) => markReplyFailed(sql, id, now(), reason),
    retryLater: (id, retryAt, reason) => retryReplyLater(sql, id, now(), retryAt, reason),
    setStatus: (id, status, reason) => setReplyStatus(sql, id, status, now(), reason ?? null),
    sendToAll: (id) => sendReplyToAll(sql, id, now()),
  };
}
