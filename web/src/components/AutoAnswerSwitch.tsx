/** The session's auto-answer switch (PUT /api/sessions/:id/bot {autoAnswer}): answer every question, or only ones addressing the bot. */
import { useState } from 'react';
import { describe, json } from '../api.ts';
import { usePolling } from '../hooks.ts';

interface BotSettingsWire {
  sessionId: string;
  autoAnswer: boolean;
}

export function AutoAnswerSwitch({ sessionId }: { sessionId: string }) {
  const settings = usePolling((signal) => json<BotSettingsWire>(`/api/sessions/${encodeURIComponent(sessionId)}/bot`, { signal }), 15_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const on = settings.value?.sessionId === sessionId && settings.value.autoAnswer;
  const toggle = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await json(`/api/sessions/${encodeURIComponent(sessionId)}/bot`, { method: 'PUT', body: { autoAnswer: !on } });
    } catch (e) {
      setError(describe(e));
    }
    settings.refresh();
    setBusy(false);
  };
  return (
    <span className="auto-answer">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        className={`switch${on ? ' on' : ''}`}
        disabled={busy || settings.value === undefined}
        onClick={() => void toggle()}
        data-testid="auto-answer"
      >
        Auto-answer {on ? 'on' : 'off'}
      </button>
      {error && <span className="inline-error small">{error}</span>}
    </span>
  );
}
