/**
 * YouTube end to end: real Chromium on the YouTube fixture (the live_chat page with ytInitialData, custom
 * element rows whose id attribute is the message id, a polled get_live_chat endpoint). Both paths carry the
 * same ids, so whichever comes first wins and the other is dropped.
 */
import { chat, deletions, expectUniqueIds, pause, SETTLE_MS, statuses, statusEvent, usePlatformHarness, watchRoom } from './support/platform-session.ts';

const harness = usePlatformHarness();

describe('youtube', () => {
  test('the first batch, text with emoji, badges, Super Chats and memberships, each once with its id', async () => {
    const room = harness.fixtures.room('youtube', 'main');
    const history = room.post(
      { author: 'Early Viewer', text: 'first!', badges: ['member'] },
      { author: 'Another One', text: 'hello from the start' },
    );
    const { sub } = await watchRoom(harness, 'youtube', 'main');
    await sub.waitFor(() => chat(sub).length >= 2);
    expect(chat(sub).map((m) => [m.id, m.text, m.backfill])).toEqual(history.map((m) => [m.id, m.parts.join(''), true]));

    const posted = room.post(
      { author: 'Channel Owner', parts: ['thanks for coming ', { emote: '😀', id: 'grinning' }], badges: ['owner', 'verified'] },
      { author: 'Mod Squad', text: 'links are not allowed', badges: ['moderator', 'member'] },
      { author: 'Big Spender', text: 'love the show', paid: { amount: 5, currency: 'USD', display: '$5.00' } },
      { author: 'New Member', membership: true, parts: [] },
    );
    await sub.waitFor(() => chat(sub).length >= 6);
    await pause(SETTLE_MS);
    const live = chat(sub).slice(2);
    expect(live.map((m) => m.id)).toEqual(posted.map((m) => m.id));
    expect(live[0]).toMatchObject({
      platform: 'youtube',
      text: 'thanks for coming 😀',
      author: { name: 'Channel Owner', badges: ['owner', 'verified'] },
      backfill: false,
    });
    // Network first: the channel id and send time only travel in get_live_chat, never in the row.
    expect(live[0]!.author.id).toBe('u-channelowner');
    expect(live[0]!.sentAt).toBe(new Date(posted[0]!.ts).toISOString());
    expect(live[1]!.author.badges).toEqual(['moderator', 'member']);
    expect(live[2]).toMatchObject({ kind: 'paid', paid: { amount: 5, currency: 'USD' }, text: 'love the show' });
    expect(live[3]).toMatchObject({ author: { name: 'New Member' }, kind: 'membership' });
    expect(chat(sub)).toHaveLength(6);
    expectUniqueIds(chat(sub));
    sub.close();
  });

  test('a deletion reaches dashboards once though both the response and the row report it', async () => {
    const room = harness.fixtures.room('youtube', 'mod');
    const { sub } = await watchRoom(harness, 'youtube', 'mod');
    const [bad, good] = room.post({ author: 'Troll', text: 'spam spam' }, { author: 'Nice', text: 'ignore him' });
    await sub.waitFor(() => chat(sub).length >= 2);
    room.remove(bad!.id);
    await sub.waitFor(() => deletions(sub).length >= 1);
    await pause(SETTLE_MS);
    expect(deletions(sub)).toEqual([bad!.id]);
    expect(chat(sub).map((m) => m.id)).toEqual([bad!.id, good!.id]);
    sub.close();
  });

  test('rows keep coming from the page, under the same ids, when the polled responses go quiet', async () => {
    const room = harness.fixtures.room('youtube', 'quiet');
    const { sub } = await watchRoom(harness, 'youtube', 'quiet');
    room.post({ author: 'A', text: 'before' });
    await sub.waitFor(() => chat(sub).length >= 1);
    room.silence(true);
    const quiet = room.post({ author: 'B', parts: ['only rendered ', { emote: '🎉', id: 'party' }] }, { author: 'C', text: 'me too', badges: ['moderator'] });
    await sub.waitFor(() => chat(sub).length >= 3);
    room.silence(false);
    room.post({ author: 'D', text: 'after' });
    await sub.waitFor(() => chat(sub).length >= 4);
    await pause(SETTLE_MS);
    expect(chat(sub).map((m) => m.text)).toEqual(['before', 'only rendered 🎉', 'me too', 'after']);
    expect(chat(sub).slice(1, 3).map((m) => m.id)).toEqual(quiet.map((m) => m.id));
    expect(chat(sub)[2]!.author.badges).toEqual(['moderator']);
    expectUniqueIds(chat(sub));
    sub.close();
  });

  test('a chat that stops continuing has ended', async () => {
    const room = harness.fixtures.room('youtube', 'over');
    const { sessionId, sub } = await watchRoom(harness, 'youtube', 'over');
    room.end();
    await sub.waitFor(() => statuses(sub).includes('ended'));
    expect(statusEvent(sub, 'ended')).toMatchObject({ detail: 'live chat ended' });
    expect(harness.service.sessions.get(sessionId)?.status).toBe('ended');
    sub.close();
  });
});
