/**
 * Send or dismiss one suggested answer. Send asks the service to post it in the chat
 * (POST /api/replies/:id/send; its reply_status follows over the socket); an answer several viewers asked
 * for offers "Send once" and "Reply to all" (`{to: "all"}`: one reply @mentioning them). Until the status
 * changes the buttons say it is on its way; a failure brings them back. Dismiss marks the reply
 * `dismissed` in the outbox (POST /api/replies/:id/dismiss), so every dashboard of the seller hides it;
 * an answer without a stored reply is hidden in this browser (remembered per message).
 */
import { useEffect, useState } from 'react';
import { describe, json } from '../api.ts';

const DISMISSED_KEY = 'earshot.dismissedReplies';

function readDismissed(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

/** Whether the seller dismissed this answer (by reply id, else message id). */
export function isDismissed(key: string): boolean {
  return readDismissed().has(key);
}

function dismiss(key: string): void {
  const set = readDismissed();
  set.add(key);
  try {
    localStorage.setItem(DISMISSED_KEY, JSON.stringify([...set].slice(-1_000)));
  } catch {
    // storage disabled: hidden for this page only
  }
}

export function AnswerActions(props: { replyId?: string; messageId: string; status: string; askers?: number; onDismiss: () => void }) {
  const { replyId, messageId, status, onDismiss } = props;
  const [busy, setBusy] = useState(false);
  // Asked to send while the reply had this status: waiting for its reply_status (any change ends it).
  const [sentFrom, setSentFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setSentFrom(null), [status]);
  const waiting = busy || sentFrom === status;
  const sendable = replyId !== undefined && (status === 'suggested' || status === 'failed');
  const many = (props.askers ?? 0) > 1;
  const send = async (to: 'once' | 'all'): Promise<void> => {
    if (!replyId) return;
    setBusy(true);
    setError(null);
    try {
      await json(`/api/replies/${encodeURIComponent(replyId)}/send`, { method: 'POST', body: to === 'all' ? { to } : {} });
      setSentFrom(status);
    } catch (e) {
      setError(describe(e));
    }
    setBusy(false);
  };
  const dismissAnswer = async (): Promise<void> => {
    if (replyId) {
      setBusy(true);
      setError(null);
      try {
        await json(`/api/replies/${encodeURIComponent(replyId)}/dismiss`, { method: 'POST', body: {} });
      } catch (e) {
        setError(describe(e));
        setBusy(false);
        return;
      }
      setBusy(false);
    }
    dismiss(replyId ?? messageId);
    onDismiss();
  };
  return (
    <>
      {sendable && waiting && (
        <span className="muted small" role="status">
          Sending…
        </span>
      )}
      {sendable && !waiting && (
        <button type="button" className="small-button primary" onClick={() => void send('once')} data-testid="answer-send">
          {status === 'failed' ? 'Try again' : many ? 'Send once' : 'Send'}
        </button>
      )}
      {sendable && !waiting && many && (
        <button
          type="button"
          className="small-button"
          onClick={() => void send('all')}
          data-testid="answer-send-all"
          title="Posts the answer once, mentioning everyone who asked (as many as fit in one chat message)"
        >
          Reply to all
        </button>
      )}
      {status !== 'sent' && status !== 'pending' && (
        <button
          type="button"
          className="small-button"
          disabled={busy}
          onClick={() => void dismissAnswer()}
          data-testid="answer-dismiss"
        >
          Dismiss
        </button>
      )}
      {error && <span className="inline-error small">{error}</span>}
    </>
  );
}
