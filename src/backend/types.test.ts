import { toSessionUpsert } from './types.ts';
import type { SessionInfo } from '../domain/message.ts';

const info: SessionInfo = {
  sessionId: 's1',
  url: 'https://www.whatnot.com/live/x',
  platform: 'whatnot',
  source: 'browser',
  status: 'live',
  messageCount: 0,
  buyerCount: 0,
  lastMessageAt: null,
  startedAt: '2026-01-01T11:00:00.000Z',
};

describe('toSessionUpsert', () => {
  test('scrubs a session saved before text was scrubbed at the edge: sellers, detail and url store', () => {
    const row = toSessionUpsert({ ...info, url: `${info.url}\u0000`, detail: 'line 1\n\u0000line 2\ud800', sellers: ['hann\u0000ah', '\u0000', ` ${'n'.repeat(199)}😀`] });
    expect(row).toMatchObject({ url: info.url, detail: 'line 1\nline 2', sellers: ['hannah', 'n'.repeat(199)] });
    expect(toSessionUpsert({ ...info, sellers: ['\u0000'] })).not.toHaveProperty('sellers');
  });
});
