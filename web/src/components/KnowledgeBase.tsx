/**
 * The seller's documents that answers come from: upload (multipart POST /api/kb/documents), list, delete.
 * A service without the knowledge base answers 404 on the route: that is shown as "not available".
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, describe, json, request } from '../api.ts';
import { listOf } from '../feed/rows.ts';
import type { KbDocumentWire } from '../wire.ts';

interface KbDocument {
  id: string;
  title: string;
  size?: number;
  chunks?: number;
  /** The type or processing state the server reports (pdf, md, indexing...). */
  note?: string;
  createdAt?: string;
}

function toDocument(raw: KbDocumentWire): KbDocument {
  return {
    id: String(raw.id),
    title: raw.title ?? raw.name ?? raw.filename ?? `Document ${raw.id}`,
    size: raw.size ?? raw.bytes ?? raw.byte_size ?? raw.byteSize,
    chunks: raw.chunks ?? raw.chunkCount ?? raw.chunk_count,
    note: raw.status ?? raw.source_type ?? raw.sourceType,
    createdAt: raw.createdAt ?? raw.created_at,
  };
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

type ListState = { phase: 'loading' } | { phase: 'unavailable' } | { phase: 'error'; message: string } | { phase: 'ready'; documents: KbDocument[] };

export function KnowledgeBase() {
  const [list, setList] = useState<ListState>({ phase: 'loading' });
  const [uploading, setUploading] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const body = await json<unknown>('/api/kb/documents');
      setList({ phase: 'ready', documents: listOf(body, 'documents', 'items', 'data').map((d) => toDocument(d as KbDocumentWire)) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setList({ phase: 'unavailable' });
      else setList({ phase: 'error', message: describe(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const upload = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const files = fileInput.current?.files;
    if (!files || files.length === 0) return;
    setUploading(true);
    setNotice(null);
    const done: string[] = [];
    try {
      for (const file of Array.from(files)) {
        const form = new FormData();
        form.append('file', file, file.name);
        await request('/api/kb/documents', { method: 'POST', body: form });
        done.push(file.name);
      }
      setNotice({ tone: 'ok', text: `Uploaded ${done.join(', ')}.` });
      if (fileInput.current) fileInput.current.value = '';
    } catch (error) {
      const prefix = done.length ? `Uploaded ${done.join(', ')}; then: ` : '';
      setNotice({ tone: 'bad', text: prefix + describe(error) });
    } finally {
      setUploading(false);
      void load();
    }
  };

  const remove = async (doc: KbDocument): Promise<void> => {
    if (!window.confirm(`Delete “${doc.title}” from the knowledge base?`)) return;
    try {
      await request(`/api/kb/documents/${encodeURIComponent(doc.id)}`, { method: 'DELETE' });
      setNotice({ tone: 'ok', text: `Deleted ${doc.title}.` });
    } catch (error) {
      setNotice({ tone: 'bad', text: describe(error) });
    }
    void load();
  };

  return (
    <main className="kb-page" id="main">
      <div className="kb">
      <h1>Knowledge base</h1>
      <p className="muted">
        Shipping, returns, sizes, product details: Earshot answers viewers' questions from these documents only.
      </p>
      {list.phase === 'unavailable' ? (
        <div className="notice tone-muted" data-testid="kb-unavailable">
          <strong>Not available on this server yet.</strong> This Earshot service does not have the knowledge base
          enabled (GET /api/kb/documents answered 404).
        </div>
      ) : (
        <>
          <form className="kb-upload" onSubmit={(e) => void upload(e)}>
            <label htmlFor="kb-file" className="label">
              Add documents (PDF, text or Markdown)
            </label>
            <div className="start-row">
              <input id="kb-file" ref={fileInput} type="file" multiple accept=".pdf,.txt,.md,.markdown,application/pdf,text/plain,text/markdown" />
              <button type="submit" disabled={uploading}>
                {uploading ? 'Uploading…' : 'Upload'}
              </button>
            </div>
          </form>
          {notice && (
            <p className={`notice tone-${notice.tone}`} role="status">
              {notice.text}
            </p>
          )}
          {list.phase === 'loading' && <p className="muted">Loading documents…</p>}
          {list.phase === 'error' && (
            <p className="error" role="alert">
              {list.message}{' '}
              <button type="button" className="small-button" onClick={() => void load()}>
                Retry
              </button>
            </p>
          )}
          {list.phase === 'ready' &&
            (list.documents.length === 0 ? (
              <p className="empty">No documents yet. Upload your shipping and returns policy to get started.</p>
            ) : (
              <ul className="kb-list">
                {list.documents.map((doc) => (
                  <li key={doc.id}>
                    <span className="kb-title">{doc.title}</span>
                    <span className="muted small">
                      {[bytes(doc.size), doc.chunks !== undefined ? `${doc.chunks} chunk${doc.chunks === 1 ? '' : 's'}` : '', doc.note ?? '', doc.createdAt ? new Date(doc.createdAt).toLocaleString() : '']
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                    <button type="button" className="small-button danger" onClick={() => void remove(doc)} aria-label={`Delete ${doc.title}`}>
                      Delete
                    </button>
                  </li>
                ))}
              </ul>
            ))}
        </>
      )}
      </div>
    </main>
  );
}
