/**
 * The show's title above its health bar, renamed in place (PUT /api/sessions/:id/title). The page's
 * title is what a show starts with; once the seller names it, that name stays (the page's no longer
 * replaces it) until they give the naming back to the page. Titles are text, never HTML.
 */
import { useState, type FormEvent } from 'react';
import { describe, json } from '../api.ts';
import type { SessionInfo } from '../wire.ts';
import { ErrorLine } from './ErrorLine.tsx';
import { titleOf } from './SessionList.tsx';
import { MAX_TITLE_LENGTH } from '../../../src/domain/show-title.ts';

export function ShowTitle({ info, onSaved }: { info: SessionInfo; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (title: string | null, event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await json(`/api/sessions/${encodeURIComponent(info.sessionId)}/title`, { method: 'PUT', body: { title } });
      setEditing(false);
      onSaved();
    } catch (e) {
      setError(describe(e));
    }
    setBusy(false);
  };
  if (editing) {
    return (
      <form className="show-title editing" onSubmit={(e) => void save(draft.trim() === '' ? null : draft, e)} data-testid="show-title-form">
        <label htmlFor="show-title-input" className="visually-hidden">
          Show title
        </label>
        <input
          id="show-title-input"
          value={draft}
          maxLength={MAX_TITLE_LENGTH}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setEditing(false);
          }}
          autoFocus
          placeholder="Leave empty to use the page's title"
        />
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={() => setEditing(false)} disabled={busy}>
          Cancel
        </button>
        <ErrorLine error={error} />
      </form>
    );
  }
  return (
    <div className="show-title">
      <span className="show-title-text" data-testid="show-title" title={info.titleBy === 'page' ? "The page's title" : undefined}>
        {titleOf(info)}
      </span>
      <button
        type="button"
        className="small-button"
        onClick={() => {
          setDraft(info.titleBy === 'seller' ? (info.title ?? '') : '');
          setEditing(true);
        }}
        data-testid="show-title-rename"
      >
        Rename
      </button>
    </div>
  );
}
