/**
 * `earshot replay --kb <file>`: documents loaded into the replay's fresh database before the chat log
 * runs, and the knowledge-base hook answering its questions (every question: a replay is a dry run of
 * what the bot would say, so auto-answer is on).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { KnowledgeStore } from '../backend/types.ts';
import type { AnswerFn } from '../../supabase/functions/_shared/ingest.ts';
import { createKbHook } from '../../supabase/functions/_shared/kb/index.ts';
import { extractDocument } from './extract.ts';
import { kbModelsFromConfig } from './models.ts';

/** The knowledge-base hook: loads `--kb` documents and answers questions during the replay. */
export interface ReplayKnowledge {
  /** Loads one document into the fresh database's knowledge base before the chat log runs. */
  load(backend: { readonly knowledge: KnowledgeStore }, file: string): Promise<void>;
  /** Answers questions (the embedded backend's `answer` hook). */
  answer?: AnswerFn;
}

export function replayKnowledge(config: Config): ReplayKnowledge {
  const { embedder, model } = kbModelsFromConfig(config.openai);
  return {
    answer: createKbHook({ trigger: config.botTrigger, embedder, model, defaultAutoAnswer: true }),
    async load(backend, file) {
      const data = new Uint8Array(await fs.readFile(file));
      const { sourceType, text } = await extractDocument(file, '', data);
      const kb = await backend.knowledge.open({ embedder });
      await kb.addDocument({ title: path.basename(file), sourceType, text, byteSize: data.length });
    },
  };
}
