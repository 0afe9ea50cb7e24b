/**
 * TikTok Live end to end: DOM only (TikTok's own traffic is signed protobuf). When the live ends the page
 * scrolls on to another host's live: the session ends instead of capturing that host's chat.
 */
import { NEXT_STREAM_TEXT } from './fixtures/platforms/tiktok.ts';
import { chat, expectUniqueIds, pause, SETTLE_MS, statuses, statusEvent, usePlatformHarness, watchRoom } from './support/platform-session.ts';

const harness = usePlatformHarness();

describe('tiktok', () => {
  test('reads rows from the DOM with emoji as their alt text, then ends when the page moves on to another live', async () => {
    const room = harness.fixtures.room('tiktok', 'seller');
    room.post({ author: 'regular', text: 'here early' });
    const { sessionId, sub } = await watchRoom(harness, 'tiktok', 'seller');
    await sub.waitFor(() => chat(sub).length >= 1);
    room.post({ author: 'fan1', parts: ['love it ', { emote: '🔥', id: 'fire' }] }, { author: 'fan2', text: 'how much?' });
    await sub.waitFor(() => chat(sub).length >= 3);
    expect(chat(sub).map((m) => [m.author.name, m.text, m.backfill])).toEqual([
      ['regular', 'here early', true],
      ['fan1', 'love it 🔥', false],
      ['fan2', 'how much?', false],
    ]);
    expect(chat(sub).every((m) => m.platform === 'tiktok')).toBe(true);

    room.end();
    await sub.waitFor(() => statuses(sub).includes('ended'));
    expect(statusEvent(sub, 'ended')).toMatchObject({ detail: 'stream changed to seller-next' });
    await pause(SETTLE_MS);
    expect(chat(sub).map((m) => m.text)).not.toContain(NEXT_STREAM_TEXT);
    expect(chat(sub)).toHaveLength(3);
    expectUniqueIds(chat(sub));
    expect(harness.service.sessions.get(sessionId)?.status).toBe('ended');
    sub.close();
  });
});
