/**
 * Embeddings for the vector half of hybrid search: a narrow interface, and its implementation over the
 * `openai` package (any OpenAI-compatible /v1/embeddings). Vectors are 1536-dimensional
 * (text-embedding-3-small; the kb_chunks.embedding column's size).
 */
import { OpenAI } from 'openai';

/** The size of kb_chunks.embedding. */
export const EMBEDDING_DIMENSIONS = 1536;
/** Texts per embeddings request. */
const BATCH = 64;
/** Characters of one text sent for embedding (a chunk is at most ~1,000; questions are short). */
const MAX_INPUT_CHARS = 8_000;

/** Turns texts into vectors, one per text, in order. */
export interface Embedder {
  readonly model: string;
  embed(texts: string[]): Promise<number[][]>;
}

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** An OpenAI-compatible base URL ending in /v1; default the OpenAI API. */
  baseUrl?: string;
  /** OPENAI_EMBEDDING_MODEL (text-embedding-3-small). */
  model: string;
  timeoutMs: number;
}

/** The embedder over the OpenAI embeddings endpoint. Throws on failure: callers decide how to degrade. */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 1, timeout: options.timeoutMs });
  return {
    model: options.model,
    async embed(texts) {
      const out: number[][] = [];
      for (let start = 0; start < texts.length; start += BATCH) {
        const input = texts.slice(start, start + BATCH).map((t) => t.slice(0, MAX_INPUT_CHARS) || ' ');
        const response = await client.embeddings.create({
          model: options.model,
          input,
          dimensions: EMBEDDING_DIMENSIONS,
          encoding_format: 'float',
        });
        const data = [...(response.data ?? [])].sort((a, b) => a.index - b.index);
        if (data.length !== input.length) throw new Error(`embeddings: expected ${input.length} vectors, got ${data.length}`);
        for (const item of data) {
          const vector = item.embedding;
          if (!Array.isArray(vector) || vector.length !== EMBEDDING_DIMENSIONS || !vector.every((v) => Number.isFinite(v))) {
            throw new Error(`embeddings: expected ${EMBEDDING_DIMENSIONS} finite numbers per vector`);
          }
          out.push(vector);
        }
      }
      return out;
    },
  };
}
