/**
 * How the bot answers in this show, as one of three named modes (PUT /api/sessions/:id/bot):
 *   Off      autoAnswer false: only messages addressing the bot's trigger get an answer;
 *   Suggest  autoAnswer true, delivery suggest: every question gets an answer for the seller to send;
 *   Send     autoAnswer true, delivery send: the service posts answers, up to the replies-per-minute cap.
 * A radio group (one tab stop, arrows move and choose); a show without settings of its own shows the ones
 * carried over from the seller's last show.
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import { describe, json } from '../api.ts';
import { usePolling } from '../hooks.ts';
import './answers.css';

/** GET/PUT /api/sessions/:id/bot (the fields this control reads). */
interface BotSettingsWire {
  sessionId: string;
  autoAnswer: boolean;
  delivery: 'suggest' | 'send';
  trigger: string | null;
  inheritedFrom?: string | null;
  repliesPerMinute?: number;
}

export type AnswerMode = 'off' | 'suggest' | 'send';

const MODES: ReadonlyArray<{ mode: AnswerMode; label: string }> = [
  { mode: 'off', label: 'Off' },
  { mode: 'suggest', label: 'Suggest' },
  { mode: 'send', label: 'Send automatically' },
];

function modeOf(settings: Pick<BotSettingsWire, 'autoAnswer' | 'delivery'>): AnswerMode {
  if (!settings.autoAnswer) return 'off';
  return settings.delivery === 'send' ? 'send' : 'suggest';
}

/** What each mode saves. Off keeps the delivery: answers to the trigger go out as they did. */
function patchFor(mode: AnswerMode): Partial<BotSettingsWire> {
  if (mode === 'off') return { autoAnswer: false };
  return { autoAnswer: true, delivery: mode };
}

/** The chosen mode in one sentence, with the rate cap in words. */
export function modeSentence(settings: Pick<BotSettingsWire, 'autoAnswer' | 'delivery' | 'trigger' | 'repliesPerMinute'>): string {
  const trigger = settings.trigger ? `“${settings.trigger}”` : 'the bot';
  const perMinute = settings.repliesPerMinute ?? 6;
  const cap = `at most ${perMinute} ${perMinute === 1 ? 'answer' : 'answers'} a minute; the rest wait here for you to send`;
  switch (modeOf(settings)) {
    case 'off':
      return settings.delivery === 'send'
        ? `Only messages that address ${trigger} get an answer, posted to the chat for you (${cap}).`
        : `Only messages that address ${trigger} get an answer, suggested here for you to send.`;
    case 'suggest':
      return 'Every question gets a suggested answer here. Nothing is posted until you send it.';
    case 'send':
      return `Every question is answered in the chat for you: ${cap}.`;
  }
}

export function AnswerModes({ sessionId }: { sessionId: string }) {
  const url = `/api/sessions/${encodeURIComponent(sessionId)}/bot`;
  const settings = usePolling((signal) => json<BotSettingsWire>(url, { signal }), 15_000);
  const [saving, setSaving] = useState<AnswerMode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loaded = settings.value?.sessionId === sessionId ? settings.value : undefined;
  const current = saving ?? (loaded ? modeOf(loaded) : undefined);

  // The choice shows at once and stays until the settings read back say it: clearing it when the PUT
  // answered would flash the old mode for as long as the read takes.
  useEffect(() => {
    if (saving !== null && loaded && modeOf(loaded) === saving) setSaving(null);
  }, [saving, loaded]);

  const choose = async (mode: AnswerMode): Promise<void> => {
    if (!loaded || saving || mode === current) return;
    setSaving(mode);
    setError(null);
    try {
      await json(url, { method: 'PUT', body: patchFor(mode) });
    } catch (e) {
      setError(describe(e));
      setSaving(null);
      return;
    }
    settings.refresh();
  };

  // Arrows move the choice like any radio group; the focus follows it.
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number): void => {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = (index + step + MODES.length) % MODES.length;
    const group = event.currentTarget.parentElement;
    group?.querySelectorAll<HTMLButtonElement>('[role="radio"]')[next]?.focus();
    void choose(MODES[next]!.mode);
  };

  const shown = loaded && current ? { ...loaded, ...patchFor(current) } : undefined;
  return (
    <div className="answer-modes">
      <span className="answer-modes-label" id={`answer-modes-${sessionId}`}>
        Answers
      </span>
      <div
        role="radiogroup"
        aria-labelledby={`answer-modes-${sessionId}`}
        aria-describedby={`answer-modes-note-${sessionId}`}
        aria-busy={saving !== null}
        className="answer-modes-group"
      >
        {MODES.map(({ mode, label }, index) => {
          const checked = current === mode;
          return (
            <button
              key={mode}
              type="button"
              role="radio"
              aria-checked={checked}
              // One tab stop: the chosen mode (the first while loading).
              tabIndex={checked || (current === undefined && index === 0) ? 0 : -1}
              disabled={!loaded}
              className={`answer-mode${checked ? ' checked' : ''}`}
              onClick={() => void choose(mode)}
              onKeyDown={(event) => onKeyDown(event, index)}
              data-testid="auto-answer"
              data-mode={mode}
            >
              {label}
            </button>
          );
        })}
      </div>
      <p className="answer-modes-note" id={`answer-modes-note-${sessionId}`} data-testid="answer-mode-note">
        {shown ? modeSentence(shown) : 'Loading the bot settings…'}
        {loaded?.inheritedFrom && !saving && <span className="answer-modes-carried"> Carried over from your last show.</span>}
      </p>
      {error && (
        <p className="inline-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
