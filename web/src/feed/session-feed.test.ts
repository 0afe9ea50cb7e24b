/// <reference types="jest" />
// The feed keeps a show's lots from lot_update events and counts what the host notice decides from.
import type { Lot } from '../wire.ts';
import { SessionFeed } from './session-feed.ts';

const lot = (code: string, version: number, winner: string | null): Lot => ({
  code,
  baseCode: code,
  title: null,
  priceCents: 1000,
  price: 10,
  status: 'open',
  winner: winner ? { username: winner, messageId: `m-${winner}`, at: '2026-01-01T00:00:00.000Z' } : null,
  waitlist: [],
  assignment: null,
  assignments: [],
  paid: false,
  packed: false,
  shipped: false,
  version,
  announcedBy: null,
  announcedAt: '2026-01-01T00:00:00.000Z',
  ord: 1,
});

const message = (seq: number, id: string, author: string, badges: string[] = []) => ({
  type: 'new_message' as const,
  sessionId: 's',
  seq,
  message: { id, platform: 'whatnot' as const, author: { name: author, badges }, text: 'hi', capturedAt: '2026-01-01T00:00:00.000Z', backfill: false },
});

test('lot_update events keep the show\'s lots, a late HTTP answer with an older version does not undo them', () => {
  const feed = new SessionFeed('s');
  feed.markSubscribed(0);
  feed.applyEvent({ type: 'lot_update', sessionId: 's', seq: 1, lot: lot('A1', 1, null) });
  feed.applyEvent({ type: 'lot_update', sessionId: 's', seq: 2, lot: lot('A1', 2, 'amy'), summary: { interested: 3 } as never });
  expect(feed.lots.map((l) => [l.code, l.winner?.username])).toEqual([['A1', 'amy']]);
  expect(feed.interested).toBe(3);
  feed.applyLots([lot('A1', 1, null)], 'answer', true);
  expect(feed.lots[0]!.winner?.username).toBe('amy');
  expect(feed.lotsLoaded).toBe(true);
});

test('claims and host messages are counted: by badge, and by a seller named later', () => {
  const feed = new SessionFeed('s');
  feed.markSubscribed(0);
  feed.applyEvent(message(1, 'a', 'amy'));
  feed.applyEvent(message(2, 'b', 'Hannah'));
  feed.applyEvent({ type: 'buyer_detected', sessionId: 's', seq: 3, messageId: 'a', buyer: { username: 'amy', message: 'sold', confidence: 0.9 } });
  feed.applyEvent({ type: 'buyer_detected', sessionId: 's', seq: 4, messageId: 'a', buyer: { username: 'amy', message: 'sold', confidence: 0.9, status: 'interested' } });
  expect(feed.claims).toBe(1);
  expect(feed.buyerFor('a')?.status).toBe('interested');
  expect(feed.hostMessages(undefined)).toBe(0);
  expect(feed.hostMessages(['@hannah'])).toBe(1);
  feed.applyEvent(message(5, 'c', 'mod', ['owner']));
  expect(feed.hostMessages(undefined)).toBe(1);
});

test('viewers asking the same question are one answer: a later asker joins the reply already shown', () => {
  const feed = new SessionFeed('s');
  feed.markSubscribed(0);
  feed.applyEvent(message(1, 'q1', 'amy'));
  feed.applyEvent(message(2, 'q2', 'bob'));
  const answer = { question: 'when do you ship?', answer: 'Mondays', status: 'suggested' as const, sources: [], replyId: 'r1' };
  feed.applyEvent({ type: 'answer', sessionId: 's', seq: 3, messageId: 'q1', ...answer, askers: ['amy'] });
  feed.applyEvent({ type: 'answer', sessionId: 's', seq: 4, messageId: 'q2', ...answer, question: 'When do you ship??', askers: ['amy', 'bob'] });
  expect(feed.answers.map((a) => [a.messageId, a.question, a.askers])).toEqual([['q1', 'when do you ship?', ['amy', 'bob']]]);
  // Bob's question is answered (not listed as open), by the same entry.
  expect(feed.answerFor('q2')).toBe(feed.answerFor('q1'));
  // A status change names the reply; the askers it carries are the latest.
  feed.applyEvent({ type: 'reply_status', sessionId: 's', seq: 5, replyId: 'r1', messageId: 'q1', status: 'failed', detail: 'no_chat_input', askers: ['amy', 'bob', 'cy'] });
  expect(feed.answerFor('q2')).toMatchObject({ status: 'failed', detail: 'no_chat_input', askers: ['amy', 'bob', 'cy'] });
  // Another reply is another entry.
  feed.applyEvent({ type: 'answer', sessionId: 's', seq: 6, messageId: 'q3', ...answer, replyId: 'r2', answer: 'No returns' });
  expect(feed.answers.map((a) => a.replyId)).toEqual(['r1', 'r2']);
});
