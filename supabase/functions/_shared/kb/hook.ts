/**
 * The knowledge-base hook of the ingest core: after classification, for each new message that
 *   - is a `!command`: runs it (permissions, cooldowns, only-when-live) and queues its response;
 *   - addresses the bot's trigger (BOT_TRIGGER, "@earshot", or the session's own): answers the rest;
 *   - is a question while the session's auto-answer is on: answers it;
 * answers come from the seller's documents only (or none), are queued in the reply outbox (pending when
 * the session delivers replies, else suggested; a viewer asking what a waiting suggestion already answers
 * joins it as one more asker) and returned as the message's `answer`, with the reply's askers.
 * A failure here never fails the ingest: messages are stored and classified already.
 * Dependency-free apart from the Sql interface and the answer model: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import type { AnswerFn, QuestionInput } from '../ingest.ts';
import type { AnswerPayload } from '../contract.ts';
import { answerQuestion, type AnswerModel } from './answer.ts';
import { parseCommand, runCommand } from './commands.ts';
import type { Embedder } from './embeddings.ts';
import { enqueueReply, isOwnEcho } from './replies.ts';
import { readSessionContext } from './settings.ts';
import type { NowFn } from './types.ts';

/**
 * Questions of one batch answered with the model at most (a flood of questions must not stall ingest on
 * seconds-long model calls). The rest are answered extractively: a burst never loses an answer; past
 * the send rate (REPLY_RATE_PER_MINUTE) answers stay suggestions.
 */
export const MAX_MODEL_ANSWERS_PER_BATCH = 10;

export interface KbHookOptions {
  /** BOT_TRIGGER: the phrase that addresses the bot ("@earshot"). */
  trigger: string;
  embedder?: Embedder;
  /** The LLM that writes grounded answers; without it answers are extractive. */
  model?: AnswerModel;
  /** Auto-answer for sessions without saved settings (replay answers every question; the service does not). */
  defaultAutoAnswer?: boolean;
  /** REPLY_RATE_PER_MINUTE: replies going out per session per minute; more stay suggestions. */
  maxRepliesPerMinute?: number;
  now?: NowFn;
  /** Told about failures (never with secrets). */
  onError?: (error: unknown) => void;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The question in a message that addresses the trigger ("@earshot do you ship to Canada?" ->
 * "do you ship to Canada?"); null when the message does not address it.
 */
export function addressedQuestion(text: string, trigger: string): string | null {
  const t = trigger.trim();
  if (!t) return null;
  // The trigger as a whole word: "@earshot," and "hey @Earshot" match, "@earshotfan" does not.
  const pattern = new RegExp(`(^|[^\\p{L}\\p{N}_@])${escapeRegExp(t)}(?![\\p{L}\\p{N}_])`, 'giu');
  if (!pattern.test(text)) return null;
  // Punctuation right after the trigger ("@earshot, ...") goes with it.
  const strip = new RegExp(`(^|[^\\p{L}\\p{N}_@])${escapeRegExp(t)}[,:;!.]*(?![\\p{L}\\p{N}_])`, 'giu');
  return text
    .replace(strip, '$1')
    .replace(/^[\s,:;.!-]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Builds the ingest core's answer hook. */
export function createKbHook(options: KbHookOptions): AnswerFn {
  const now = options.now ?? Date.now;
  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // A broken logger must not break ingest.
    }
  };

  return async function answerMessages(sql: Sql, sessionId: string, inputs: QuestionInput[]): Promise<Map<string, AnswerPayload>> {
    const out = new Map<string, AnswerPayload>();
    const live = inputs.filter((m) => !m.backfill && m.text.trim());
    if (live.length === 0) return out;
    let context;
    try {
      context = await readSessionContext(sql, sessionId);
    } catch (error) {
      report(error);
      return out;
    }
    const trigger = context.settings.trigger ?? options.trigger;
    const autoAnswer = context.settings.updatedAt === null ? options.defaultAutoAnswer === true : context.settings.autoAnswer;
    const deliver = context.settings.delivery === 'send';
    let modelAnswers = 0;

    for (const message of live) {
      const command = parseCommand(message.text);
      const question = command
        ? null
        : (addressedQuestion(message.text, trigger) ??
          (autoAnswer && message.intent === 'question' ? message.text : null));
      if (!command && !question) continue;
      try {
        const at = now();
        // The bot's own reply comes back through capture: never answer it.
        if (await isOwnEcho(sql, sessionId, message.text, at)) continue;
        if (command) {
          const ran = await runCommand(sql, command, {
            sessionId,
            ownerId: context.ownerId,
            sessionStatus: context.status,
            author: { name: message.author, badges: message.badges },
            now: at,
          });
          if (!ran.ok) continue;
          const reply = await enqueueReply(
            sql,
            {
              sessionId,
              messageId: message.messageId,
              kind: 'command',
              commandId: ran.command.id,
              username: message.author,
              question: message.text,
              text: ran.text,
              sources: [],
              deliver,
            },
            { now: at, maxPerMinute: options.maxRepliesPerMinute, trigger },
          );
          if (reply) out.set(message.messageId, { question: message.text, answer: reply.text, status: reply.status, sources: [], replyId: reply.id });
          continue;
        }
        if (!question) continue;
        // Model and embedder calls take network round trips: the first ones of a batch get them.
        const remote = (options.model !== undefined || options.embedder !== undefined) && modelAnswers < MAX_MODEL_ANSWERS_PER_BATCH;
        if (remote) modelAnswers++;
        const answer = await answerQuestion(sql, question, {
          ownerId: context.ownerId,
          embedder: remote ? options.embedder : undefined,
          model: remote ? options.model : undefined,
          onEmbeddingError: report,
        });
        if (!answer) continue;
        const reply = await enqueueReply(
          sql,
          {
            sessionId,
            messageId: message.messageId,
            kind: 'answer',
            username: message.author,
            question,
            text: answer.text,
            sources: answer.sources,
            deliver,
          },
          { now: at, maxPerMinute: options.maxRepliesPerMinute, trigger },
        );
        if (reply) {
          out.set(message.messageId, {
            question,
            answer: reply.text,
            status: reply.status,
            sources: reply.sources,
            replyId: reply.id,
            ...(reply.askers.length > 0 ? { askers: reply.askers } : {}),
          });
        }
      } catch (error) {
        report(error);
      }
    }
    return out;
  };
}
