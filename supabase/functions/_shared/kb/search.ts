/**
 * Retrieval: a question becomes a full-text OR-query (and an embedding when an embedder is given) and
 * goes to the hybrid_search SQL function, which fuses both rankings by reciprocal rank.
 * Dependency-free apart from the Sql interface: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import type { Embedder } from './embeddings.ts';
import { vectorParam } from './rows.ts';
import { searchQuery } from './text.ts';
import type { SearchHit } from './types.ts';

export interface SearchOptions {
  ownerId?: string | null;
  /** Embeds the question for the vector half; without it (or when it fails) search is full-text only. */
  embedder?: Embedder;
  /** Chunks returned (at most 30). */
  limit?: number;
  onEmbeddingError?: (error: unknown) => void;
}

interface HitRow {
  chunk_id: string;
  document_id: string;
  title: string;
  heading: string;
  content: string;
  fts_rank: number;
  similarity: number | null;
  score: number;
}

/** The chunks most relevant to a question, best first (empty when nothing matches). */
export async function searchChunks(sql: Sql, question: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const query = searchQuery(question);
  let embedding: number[] | null = null;
  if (options.embedder && question.trim()) {
    try {
      embedding = (await options.embedder.embed([question]))[0] ?? null;
    } catch (error) {
      options.onEmbeddingError?.(error);
    }
  }
  if (!query && !embedding) return [];
  // $2 is left untyped: Postgres gives it hybrid_search's vector type, which may live in a schema
  // (Supabase's `extensions`) that is not on this connection's search_path.
  const rows = await sql.query<HitRow>(
    `select chunk_id::text as chunk_id, document_id::text as document_id, title, heading, content,
            fts_rank::float8 as fts_rank, similarity::float8 as similarity, score::float8 as score
       from public.hybrid_search($1, $2, $3, $4::uuid)`,
    [query, vectorParam(embedding), Math.min(30, Math.max(1, options.limit ?? 5)), options.ownerId ?? null],
  );
  return rows.map((r) => ({
    chunkId: r.chunk_id,
    documentId: r.document_id,
    title: r.title,
    heading: r.heading,
    content: r.content,
    ftsRank: Number(r.fts_rank),
    similarity: r.similarity === null ? null : Number(r.similarity),
    score: Number(r.score),
  }));
}
