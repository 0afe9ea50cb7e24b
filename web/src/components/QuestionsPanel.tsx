/**
 * Viewers' questions: how the bot answers (AnswerModes), answers from the knowledge base with who asked,
 * their status in words and their actions, then open ones. An answer several viewers asked for is one
 * entry ("asked by amy, bob and 4 more").
 */
import { useState } from 'react';
import type { SessionFeed } from '../feed/session-feed.ts';
import type { Answer } from '../feed/types.ts';
import { copyText, formatTime } from '../hooks.ts';
import { AnswerActions, isDismissed } from './AnswerActions.tsx';
import { AnswerModes } from './AnswerModes.tsx';
import { askedByText, replyDetailText } from '../reply-reasons.ts';
import './answers.css';

const STATUS: Record<string, { label: string; tone: string }> = {
  suggested: { label: 'Suggested', tone: 'info' },
  pending: { label: 'Sending…', tone: 'warn' },
  sent: { label: 'Sent', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
};

export function QuestionsPanel({ feed }: { feed: SessionFeed; version: number }) {
  const answers = feed.answers.slice(-200).reverse();
  const open: Array<{ id: string; author: string; text: string; time: string }> = [];
  for (let i = feed.messages.length - 1; i >= 0 && open.length < 30; i--) {
    const m = feed.messages[i]!;
    if (m.question && !m.deleted && !feed.answerFor(m.id)) open.push({ id: m.id, author: m.author, text: m.text, time: m.time });
  }
  return (
    <section className="panel questions" aria-labelledby="questions-title">
      <header className="panel-head">
        <h2 id="questions-title">
          Questions &amp; answers <span className="count">{feed.answers.length}</span>
        </h2>
      </header>
      <AnswerModes key={feed.sessionId} sessionId={feed.sessionId} />
      {answers.length === 0 && open.length === 0 && <p className="empty">No questions yet.</p>}
      {answers.length > 0 && (
        <ul className="answers">
          {answers.map((a) => (
            <AnswerItem key={a.messageId} answer={a} asker={feed.message(a.messageId)?.author} />
          ))}
        </ul>
      )}
      {open.length > 0 && (
        <>
          <h3 className="subhead">Recent questions without an answer</h3>
          <ul className="open-questions">
            {open.map((q) => (
              <li key={q.id}>
                <time dateTime={q.time}>{formatTime(q.time)}</time> <span className="author">{q.author}</span>{' '}
                <span className="text">{q.text}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function AnswerItem({ answer, asker }: { answer: Answer; asker?: string }) {
  const askers = answer.askers && answer.askers.length > 0 ? answer.askers : asker ? [asker] : [];
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  const [dismissed, setDismissed] = useState(() => isDismissed(answer.replyId ?? answer.messageId));
  const copy = async (): Promise<void> => {
    const ok = await copyText(answer.answer);
    setCopied(ok ? 'done' : 'failed');
    setTimeout(() => setCopied('idle'), 1_500);
  };
  // Dismissed here, or on another dashboard of the seller (the reply_status event says so).
  if (dismissed || answer.status === 'dismissed') return null;
  return (
    <li className="answer" data-testid="answer">
      <p className="question">
        {askers.length === 1 && <span className="author">{askers[0]}: </span>}
        <span className="text">{answer.question}</span>
      </p>
      {askers.length > 1 && (
        <p className="answer-askers" data-testid="answer-askers">
          {askedByText(askers)}
        </p>
      )}
      <p className="answer-text">{answer.answer}</p>
      <div className="answer-meta">
        <span className={`status tone-${STATUS[answer.status]?.tone ?? 'muted'}`}>{STATUS[answer.status]?.label ?? answer.status}</span>
        {answer.detail && answer.status !== 'sent' && (
          <span className={answer.status === 'failed' ? 'small answer-failure' : 'muted small'} data-testid="answer-detail">
            {replyDetailText(answer.status, answer.detail)}
          </span>
        )}
        {answer.sources.length > 0 && (
          <span className="muted small">from {answer.sources.map((s) => s.title).join(', ')}</span>
        )}
        <button type="button" className="small-button" onClick={() => void copy()}>
          {copied === 'done' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
        <AnswerActions
          replyId={answer.replyId}
          messageId={answer.messageId}
          status={answer.status}
          askers={askers.length}
          onDismiss={() => setDismissed(true)}
        />
      </div>
    </li>
  );
}
