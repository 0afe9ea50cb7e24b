/** The knowledge base's LLM parts from configuration: embeddings and the grounded answer model (OPENAI_*). */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import {
  createOpenAiAnswerModel,
  createOpenAiEmbedder,
  type AnswerModel,
  type Embedder,
} from '../../supabase/functions/_shared/kb/index.ts';

/** Both undefined without OPENAI_API_KEY: answers are then extractive and search is full-text only. */
export function kbModelsFromConfig(openai: Config['openai'], logger?: Logger): { embedder?: Embedder; model?: AnswerModel } {
  if (!openai) return {};
  const common = { apiKey: openai.apiKey, baseUrl: openai.baseUrl, timeoutMs: openai.timeoutMs };
  return {
    embedder: createOpenAiEmbedder({ ...common, model: openai.embeddingModel }),
    model: createOpenAiAnswerModel({
      ...common,
      model: openai.model,
      onError: (failure) => logger?.warn({ kind: failure.kind, status: failure.status }, 'answer model failed'),
    }),
  };
}
