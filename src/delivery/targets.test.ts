import type { SessionInfo, SessionStatus } from '../domain/message.ts';
import type { ChatSource } from '../capture/source.ts';
import { replyTargets } from './targets.ts';

const info = (status: SessionStatus): SessionInfo => ({
  sessionId: 's',
  url: 'https://www.youtube.com/watch?v=abc',
  platform: 'youtube',
  source: 'api',
  status,
  messageCount: 0,
  buyerCount: 0,
  lastMessageAt: null,
  startedAt: '2026-01-01T00:00:00.000Z',
});

const source = (liveChatId?: string): ChatSource => ({
  kind: 'api',
  start: async () => undefined,
  stop: async () => undefined,
  chatTarget: () => (liveChatId ? { liveChatId } : {}),
});

test('a running show is a target with what its source knows of the chat', () => {
  const targetOf = replyTargets({ get: () => info('live'), sourceOf: () => source('chat-1') });
  expect(targetOf('s')).toEqual({ sessionId: 's', url: 'https://www.youtube.com/watch?v=abc', platform: 'youtube', source: 'api', liveChatId: 'chat-1' });
});

test('a source that knows nothing of the chat (or no source here) gives the URL alone', () => {
  expect(replyTargets({ get: () => info('recovering'), sourceOf: () => source() })('s')).not.toHaveProperty('liveChatId');
  expect(replyTargets({ get: () => info('starting'), sourceOf: () => undefined })('s')).toMatchObject({ sessionId: 's' });
});

test('a show that is not running, or unknown, has no target', () => {
  for (const status of ['stopped', 'ended', 'error', 'no_chat_found', 'quota_exhausted'] as const) {
    expect(replyTargets({ get: () => info(status), sourceOf: () => source('chat-1') })('s')).toBeUndefined();
  }
  expect(replyTargets({ get: () => undefined, sourceOf: () => undefined })('s')).toBeUndefined();
});
