/**
 * Twitch end to end: real Chromium on the Twitch fixture (popout chat rows without ids, IRC over
 * WebSocket with IRCv3 tags). Network first; DOM rows that the network delivered are dropped by
 * (author, text); deletions arrive once whichever path reports them.
 */
import { chat, deletions, expectUniqueIds, pause, SETTLE_MS, usePlatformHarness, watchRoom } from './support/platform-session.ts';

const harness = usePlatformHarness();

describe('twitch', () => {
  test('PRIVMSG tags give ids, display names, badges, emotes as text and bits; each message once', async () => {
    const room = harness.fixtures.room('twitch', 'streamer');
    const { sub } = await watchRoom(harness, 'twitch', 'streamer');
    const posted = room.post(
      { author: 'TheStreamer', authorId: '1001', text: 'we are live', badges: ['owner', 'subscriber'] },
      { author: 'ModMolly', authorId: '1002', parts: ['hello ', { emote: 'Kappa', id: '25' }, ' all'], badges: ['moderator', 'vip'] },
      { author: 'Cheerer', authorId: '1003', text: 'Cheer100 great stream', paid: { amount: 100, currency: 'BITS', display: '100 bits' } },
      { author: 'Repeat', authorId: '1004', text: 'same words' },
      { author: 'Repeat', authorId: '1004', text: 'same words' },
    );
    await sub.waitFor(() => chat(sub).length >= 5);
    await pause(SETTLE_MS);
    const got = chat(sub);
    expect(got.map((m) => m.id)).toEqual(posted.map((m) => m.id));
    expect(got[0]).toMatchObject({ platform: 'twitch', author: { name: 'TheStreamer', id: '1001', badges: ['owner', 'subscriber'] } });
    expect(got[0]!.sentAt).toBe(new Date(posted[0]!.ts).toISOString());
    expect(got[1]).toMatchObject({ text: 'hello Kappa all', author: { badges: ['moderator', 'vip'] } });
    expect(got[2]).toMatchObject({ kind: 'paid', paid: { amount: 100, currency: 'BITS' } });
    expect(got).toHaveLength(5);
    expectUniqueIds(got);
    sub.close();
  });

  test('CLEARMSG and a ban delete messages once, though the page also greys them out', async () => {
    const room = harness.fixtures.room('twitch', 'moderated');
    const { sub } = await watchRoom(harness, 'twitch', 'moderated');
    const [bad, , spam1, spam2] = room.post(
      { author: 'Rude', authorId: '2001', text: 'rude words' },
      { author: 'Kind', authorId: '2002', text: 'be nice' },
      { author: 'Spammer', authorId: '2003', text: 'buy followers' },
      { author: 'Spammer', authorId: '2003', text: 'buy followers now' },
    );
    await sub.waitFor(() => chat(sub).length >= 4);
    room.remove(bad!.id);
    await sub.waitFor(() => deletions(sub).length >= 1);
    room.ban('2003');
    await sub.waitFor(() => deletions(sub).length >= 3);
    await pause(SETTLE_MS);
    expect(deletions(sub)).toEqual([bad!.id, spam1!.id, spam2!.id]);
    expect(chat(sub)).toHaveLength(4);
    sub.close();
  });

  test('falls back to the DOM (badges from images, login as author id) while the socket is silent', async () => {
    const room = harness.fixtures.room('twitch', 'quiet');
    const { sub } = await watchRoom(harness, 'twitch', 'quiet');
    room.post({ author: 'Alpha', authorId: '3001', text: 'socket works' });
    await sub.waitFor(() => chat(sub).length >= 1);
    room.silence(true);
    room.post({ author: 'Bravo', authorId: '3002', parts: ['page only ', { emote: 'PogChamp', id: '88' }], badges: ['moderator'] });
    await sub.waitFor(() => chat(sub).length >= 2);
    room.silence(false);
    const [after] = room.post({ author: 'Charlie', authorId: '3003', text: 'socket again' });
    await sub.waitFor(() => chat(sub).length >= 3);
    await pause(SETTLE_MS);
    const got = chat(sub);
    expect(got.map((m) => m.text)).toEqual(['socket works', 'page only PogChamp', 'socket again']);
    expect(got[1]!.author).toEqual({ name: 'Bravo', id: 'bravo', badges: ['moderator'] });
    expect(got[2]!.id).toBe(after!.id);
    expectUniqueIds(got);
    sub.close();
  });
});
