/**
 * The seller's documents that answers come from: upload (multipart POST /api/kb/documents), list, delete,
 * and try a question (POST /api/kb/ask) to see the answer the bot would give and where it came from.
 * A service without the knowledge base answers 404 on the route: that is shown as "not available".
 * Document and answer text is the seller's or a stranger's: it is only ever shown as text.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, describe, json, request } from '../api.ts';
import { listOf } from '../feed/rows.ts';
import type { KbDocumentWire } from '../wire.ts';
import type { KbAnswer } from '../../../supabase/functions/_shared/kb/types.ts';
import { ErrorLine } from './ErrorLine.tsx';
import './KnowledgeBase.css';

/** The server's AskBody limit (src/http/kb.ts): a longer question is refused, so it cannot be typed. */
const QUESTION_MAX = 500;

/** What the bot says when the documents hold no answer: nothing, which the seller should know. */
const NO_ANSWER_TEXT = 'Nothing in your documents answers this. Add a document that does, or the bot stays quiet on it.';

const METHOD_WORDS: Record<KbAnswer['method'], string> = {
  extractive: 'Quoted from your documents',
  llm: 'Written by the AI model from your documents',
};

type TryState =
  | { phase: 'idle' }
  | { phase: 'asking'; question: string }
  | { phase: 'answered'; question: string; answer: KbAnswer }
  | { phase: 'unanswered'; question: string }
  | { phase: 'failed'; question: string; message: string };

/** The titles an answer names, once each (a model may cite two chunks of one document). */
function sourceTitles(answer: KbAnswer): string[] {
  return [...new Set(answer.sources.map((s) => s.title))];
}

/** A question box: the answer a viewer would get, its documents and how it was made, or that there is none. */
function TryQuestion() {
  const [question, setQuestion] = useState('');
  const [state, setState] = useState<TryState>({ phase: 'idle' });
  const inFlight = useRef<AbortController | null>(null);

  // An answer arriving after the screen is left has nowhere to go. (Ask is disabled while one question is
  // out, so there is never a second one to race it.)
  useEffect(() => () => inFlight.current?.abort(), []);

  const ask = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const asked = question.trim();
    if (!asked) {
      setState({ phase: 'failed', question: '', message: 'Type a question first.' });
      return;
    }
    const controller = new AbortController();
    inFlight.current = controller;
    setState({ phase: 'asking', question: asked });
    try {
      const body = await json<{ answer: KbAnswer | null }>('/api/kb/ask', { body: { question: asked }, signal: controller.signal });
      if (controller.signal.aborted) return;
      setState(body.answer ? { phase: 'answered', question: asked, answer: body.answer } : { phase: 'unanswered', question: asked });
    } catch (error) {
      if (controller.signal.aborted) return;
      setState({ phase: 'failed', question: asked, message: describe(error) });
    } finally {
      if (inFlight.current === controller) inFlight.current = null;
    }
  };

  return (
    <section className="kb-try" aria-labelledby="kb-try-heading" data-testid="kb-try">
      <h2 id="kb-try-heading">Try a question</h2>
      <p className="muted">Ask what a viewer might ask. You see the answer the bot would give; nothing is posted to chat.</p>
      <form className="kb-try-form" onSubmit={(e) => void ask(e)}>
        <label htmlFor="kb-question" className="label">
          Question
        </label>
        <div className="kb-try-row">
          <input
            id="kb-question"
            type="text"
            maxLength={QUESTION_MAX}
            autoComplete="off"
            enterKeyHint="send"
            placeholder="Do you ship to Canada?"
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
          />
          <button type="submit" disabled={state.phase === 'asking'}>
            {state.phase === 'asking' ? 'Asking…' : 'Ask'}
          </button>
        </div>
      </form>
      <ErrorLine error={state.phase === 'failed' ? state.message : null} />
      {/* Always present, so screen readers hear each new answer as it replaces the last. */}
      <div className="kb-try-result" aria-live="polite" data-testid="kb-try-result" data-phase={state.phase}>
        {state.phase === 'answered' && (
          <>
            <p className="kb-try-question">
              <span className="kb-try-term">Viewer asks:</span> {state.question}
            </p>
            <p className="kb-try-answer" data-testid="kb-try-answer">
              {state.answer.text}
            </p>
            <dl className="kb-try-meta">
              <div>
                <dt>{sourceTitles(state.answer).length === 1 ? 'Source' : 'Sources'}</dt>
                <dd>
                  <ul className="kb-try-sources" data-testid="kb-try-sources">
                    {sourceTitles(state.answer).map((title) => (
                      <li key={title}>{title}</li>
                    ))}
                  </ul>
                </dd>
              </div>
              <div>
                <dt>How</dt>
                <dd data-testid="kb-try-method">{METHOD_WORDS[state.answer.method] ?? state.answer.method}</dd>
              </div>
            </dl>
          </>
        )}
        {state.phase === 'unanswered' && (
          <>
            <p className="kb-try-question">
              <span className="kb-try-term">Viewer asks:</span> {state.question}
            </p>
            <p className="kb-try-none" data-testid="kb-try-none">
              {NO_ANSWER_TEXT}
            </p>
          </>
        )}
      </div>
    </section>
  );
}

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
          <TryQuestion />
        </>
      )}
      </div>
    </main>
  );
}
