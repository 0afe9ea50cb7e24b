/**
 * Documents of the knowledge base: add (text already extracted: chunk, embed when an embedder is given,
 * store in one transaction), list, delete. The same text uploaded twice by one owner is stored once.
 * Dependency-free apart from the Sql interface: loaded by Node and by Deno.
 */
import type { Sql } from '../db.ts';
import { chunkText, type ChunkOptions } from './chunk.ts';
import type { Embedder } from './embeddings.ts';
import { KbError } from './errors.ts';
import { finiteVector, iso, jsonParam } from './rows.ts';
import type { KbDocument, SourceType } from './types.ts';

/** The most text one document may hold (about 200 pages of prose). */
export const MAX_DOCUMENT_CHARS = 500_000;

export interface NewDocument {
  title: string;
  sourceType: SourceType;
  text: string;
  /** Size of the uploaded file. */
  byteSize: number;
  /** The seller owning it; null/undefined: the service's own (embedded mode). */
  ownerId?: string | null;
}

export interface AddDocumentOptions {
  /** Embeds the chunks (LLM configured); without it the document is searchable by full text only. */
  embedder?: Embedder;
  chunk?: ChunkOptions;
  /** Told when embedding failed and the document was stored for full-text search only. */
  onEmbeddingError?: (error: unknown) => void;
}

export interface AddDocumentResult {
  document: KbDocument;
  /** false when the same text was already stored for this owner (the existing document is returned). */
  created: boolean;
}

interface DocumentRow {
  id: string;
  title: string;
  source_type: SourceType;
  byte_size: number;
  char_count: number;
  chunk_count: number;
  embedding_model: string | null;
  created_at: unknown;
}

const DOCUMENT_COLUMNS = 'id::text as id, title, source_type, byte_size, char_count, chunk_count, embedding_model, created_at';

function toDocument(row: DocumentRow): KbDocument {
  return {
    id: row.id,
    title: row.title,
    sourceType: row.source_type,
    byteSize: Number(row.byte_size),
    charCount: Number(row.char_count),
    chunkCount: Number(row.chunk_count),
    embeddingModel: row.embedding_model,
    createdAt: iso(row.created_at),
  };
}

/** A stable id for a text (Web Crypto: the same in Node and Deno). */
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Normalizes extracted text: line endings, control characters, trailing spaces, runs of blank lines. */
export function normalizeDocumentText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/** Chunks, embeds and stores a document. Throws KbError empty_document / document_too_large. */
export async function addDocument(sql: Sql, input: NewDocument, options: AddDocumentOptions = {}): Promise<AddDocumentResult> {
  const text = normalizeDocumentText(input.text);
  if (!/[\p{L}\p{N}]/u.test(text)) throw new KbError('empty_document', 'The document has no text (a scanned PDF needs OCR first)');
  if (text.length > MAX_DOCUMENT_CHARS) {
    throw new KbError('document_too_large', `The document's text is over ${MAX_DOCUMENT_CHARS} characters`);
  }
  const title = input.title.replace(/\s+/g, ' ').trim().slice(0, 300) || 'Untitled';
  const ownerId = input.ownerId ?? null;
  const hash = await sha256(text);

  const existing = await sql.query<DocumentRow>(
    `select ${DOCUMENT_COLUMNS} from public.kb_documents where owner_id is not distinct from $1::uuid and content_hash = $2`,
    [ownerId, hash],
  );
  if (existing[0]) return { document: toDocument(existing[0]), created: false };

  const chunks = chunkText(text, options.chunk);
  if (chunks.length === 0) throw new KbError('empty_document', 'The document has no text');

  let vectors: number[][] | null = null;
  if (options.embedder) {
    try {
      vectors = await options.embedder.embed(chunks.map((c) => (c.heading ? `${c.heading}\n\n${c.content}` : c.content)));
    } catch (error) {
      // Full-text search still finds the document; the failure is reported, the upload is not lost.
      vectors = null;
      options.onEmbeddingError?.(error);
    }
  }

  return sql.transaction(async (tx) => {
    const inserted = await tx.query<DocumentRow>(
      `insert into public.kb_documents (owner_id, title, source_type, byte_size, char_count, chunk_count, content_hash, embedding_model)
       values ($1::uuid, $2, $3, $4, $5, $6, $7, $8)
       on conflict do nothing
       returning ${DOCUMENT_COLUMNS}`,
      [ownerId, title, input.sourceType, Math.max(0, Math.round(input.byteSize)), text.length, chunks.length, hash, vectors ? options.embedder!.model : null],
    );
    const row = inserted[0];
    if (!row) {
      // Uploaded twice at the same moment: the other upload stored it.
      const again = await tx.query<DocumentRow>(
        `select ${DOCUMENT_COLUMNS} from public.kb_documents where owner_id is not distinct from $1::uuid and content_hash = $2`,
        [ownerId, hash],
      );
      return { document: toDocument(again[0]!), created: false };
    }
    // The vector type is not named here: Supabase keeps pgvector in the `extensions` schema, which may not
    // be on this connection's search_path. real[] becomes vector by pgvector's assignment cast.
    await tx.query(
      `insert into public.kb_chunks (document_id, owner_id, ordinal, heading, content, embedding)
       select $1::uuid, $2::uuid, x.ordinal, x.heading, x.content,
              case when x.embedding is null then null
                   else array(select e::real from jsonb_array_elements_text(x.embedding) with ordinality as v(e, i) order by i) end
         from jsonb_to_recordset($3::text::jsonb) as x(ordinal int, heading text, content text, embedding jsonb)`,
      [
        row.id,
        ownerId,
        jsonParam(chunks.map((c, i) => ({ ordinal: c.ordinal, heading: c.heading, content: c.content, embedding: finiteVector(vectors?.[i]) }))),
      ],
    );
    return { document: toDocument(row), created: true };
  });
}

/** Documents of an owner, newest first. */
export async function listDocuments(sql: Sql, ownerId: string | null = null): Promise<KbDocument[]> {
  const rows = await sql.query<DocumentRow>(
    `select ${DOCUMENT_COLUMNS} from public.kb_documents where owner_id is not distinct from $1::uuid order by created_at desc, id`,
    [ownerId],
  );
  return rows.map(toDocument);
}

/** Deletes a document and its chunks. Throws KbError document_not_found. */
export async function deleteDocument(sql: Sql, id: string, ownerId: string | null = null): Promise<void> {
  if (!UUID.test(id)) throw new KbError('document_not_found', `No document ${id.slice(0, 60)}`);
  const rows = await sql.query(
    `delete from public.kb_documents where id = $1::uuid and owner_id is not distinct from $2::uuid returning id`,
    [id, ownerId],
  );
  if (rows.length === 0) throw new KbError('document_not_found', `No document ${id}`);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Chunks of a document in order (diagnostics and tests). */
export async function documentChunks(
  sql: Sql,
  documentId: string,
): Promise<Array<{ id: string; ordinal: number; heading: string; content: string; embedded: boolean }>> {
  const rows = await sql.query<{ id: string; ordinal: number; heading: string; content: string; embedded: boolean }>(
    `select id::text as id, ordinal, heading, content, embedding is not null as embedded
       from public.kb_chunks where document_id = $1::uuid order by ordinal`,
    [documentId],
  );
  return rows.map((r) => ({ id: r.id, ordinal: Number(r.ordinal), heading: r.heading, content: r.content, embedded: r.embedded }));
}
