/** The API token (when the service runs with API_TOKEN): kept in this browser's localStorage only. */
import { useState, type FormEvent } from 'react';
import { readToken, writeToken } from '../api.ts';

export function TokenSettings({ onChange, onClose }: { onChange: () => void; onClose: () => void }) {
  const [value, setValue] = useState(readToken);
  const save = (event: FormEvent): void => {
    event.preventDefault();
    writeToken(value.trim());
    onChange();
    onClose();
  };
  return (
    <form className="token-form" onSubmit={save} aria-label="API token">
      <label htmlFor="api-token" className="label">
        API token
      </label>
      <p className="muted small">Needed when the service has API_TOKEN set. Stored in this browser only.</p>
      <div className="start-row">
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoFocus
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
          }}
        />
        <button type="submit">Save</button>
        <button
          type="button"
          onClick={() => {
            setValue('');
            writeToken('');
            onChange();
            onClose();
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
