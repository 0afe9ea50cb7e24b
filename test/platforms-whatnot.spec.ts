/**
 * Whatnot end to end: real Chromium on the Whatnot fixture (react-virtuoso list + Phoenix WebSocket).
 * Network first (platform ids from new_msg frames), DOM as fallback when the socket goes quiet, never both.
 */
import { chat, deletions, expectUniqueIds, pause, SETTLE_MS, statuses, statusEvent, usePlatformHarness, watchRoom } from './support/platform-session.ts';

const harness = usePlatformHarness();

describe('whatnot', () => {
  test('reads chat from Phoenix frames with platform ids, each message once although the DOM shows it too', async () => {
    const room = harness.fixtures.room('whatnot', 'net');
    room.post({ author: 'early_bird', text: 'hi before the show' });
    const { sub } = await watchRoom(harness, 'whatnot', 'net');
    await sub.waitFor(() => chat(sub).length >= 1);
    // Already on the page at start: captured from the DOM (no frame carried it), marked backfill.
    expect(chat(sub)[0]).toMatchObject({ text: 'hi before the show', author: { name: 'early_bird' }, backfill: true });

    const posted = room.post(
      { author: 'HostAnna', text: 'welcome everyone', badges: ['owner', 'verified'] },
      { author: 'mod_mike', text: 'be nice in chat', badges: ['moderator'] },
      { author: 'buyer1', text: 'sold! 🔥' },
      { author: 'buyer1', text: 'sold! 🔥' },
    );
    await sub.waitFor(() => chat(sub).length >= 5);
    await pause(SETTLE_MS);
    const live = chat(sub).slice(1);
    expect(live.map((m) => m.id)).toEqual(posted.map((m) => m.id));
    expect(live[0]).toMatchObject({
      platform: 'whatnot',
      author: { name: 'HostAnna', id: 'u-hostanna', badges: ['owner', 'verified'] },
      text: 'welcome everyone',
      backfill: false,
    });
    expect(live[0]!.sentAt).toBe(new Date(posted[0]!.ts).toISOString());
    expect(live[1]!.author.badges).toEqual(['moderator']);
    expect(live.slice(2).map((m) => m.text)).toEqual(['sold! 🔥', 'sold! 🔥']);
    expect(chat(sub)).toHaveLength(5);
    expectUniqueIds(chat(sub));

    room.remove(posted[1]!.id);
    await sub.waitFor(() => deletions(sub).length >= 1);
    expect(deletions(sub)).toEqual([posted[1]!.id]);
    sub.close();
  });

  test('falls back to the DOM while the socket is silent, and back to the network after', async () => {
    const room = harness.fixtures.room('whatnot', 'quiet');
    const { sub } = await watchRoom(harness, 'whatnot', 'quiet');
    const [first] = room.post({ author: 'ann', text: 'frames flowing' });
    await sub.waitFor(() => chat(sub).length >= 1);
    expect(chat(sub)[0]!.id).toBe(first!.id);

    room.silence(true);
    room.post({ author: 'bob', text: 'only the page shows this' }, { author: 'cat', text: 'and this' });
    await sub.waitFor(() => chat(sub).length >= 3);
    const fallback = chat(sub).slice(1, 3);
    expect(fallback.map((m) => `${m.author.name}: ${m.text}`)).toEqual(['bob: only the page shows this', 'cat: and this']);
    // DOM rows carry no Whatnot id: their ids come from the stream position.
    expect(fallback.every((m) => !m.id.startsWith('whatnot-'))).toBe(true);

    room.silence(false);
    const [back] = room.post({ author: 'dan', text: 'socket is back' });
    await sub.waitFor(() => chat(sub).length >= 4);
    await pause(SETTLE_MS);
    expect(chat(sub).map((m) => m.text)).toEqual(['frames flowing', 'only the page shows this', 'and this', 'socket is back']);
    expect(chat(sub)[3]!.id).toBe(back!.id);
    expectUniqueIds(chat(sub));
    sub.close();
  });

  test('a show_ended frame ends the session', async () => {
    const room = harness.fixtures.room('whatnot', 'finale');
    const { sessionId, sub } = await watchRoom(harness, 'whatnot', 'finale');
    room.end();
    await sub.waitFor(() => statuses(sub).includes('ended'));
    expect(statusEvent(sub, 'ended')).toMatchObject({ detail: 'show ended' });
    expect(harness.service.sessions.get(sessionId)?.status).toBe('ended');
    sub.close();
  });

  test('the page saying the show ended ends the session when no frame says so', async () => {
    const room = harness.fixtures.room('whatnot', 'banner');
    const { sub } = await watchRoom(harness, 'whatnot', 'banner');
    room.silence(true);
    room.end();
    await sub.waitFor(() => statuses(sub).includes('ended'));
    expect(statusEvent(sub, 'ended')).toMatchObject({
      detail: 'the page says the stream has ended',
    });
    sub.close();
  });
});
