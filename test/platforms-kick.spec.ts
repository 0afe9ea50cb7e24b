/**
 * Kick end to end: real Chromium on the Kick fixture (popout chat with recycled [data-index] slots and no
 * ids in the DOM; a Pusher WebSocket whose chat frames carry their data JSON-encoded inside the frame).
 */
import { Subscriber } from './support/service.ts';
import { chat, deletions, expectUniqueIds, pause, SETTLE_MS, statusEvent, statuses, usePlatformHarness, watchRoom } from './support/platform-session.ts';

const harness = usePlatformHarness();

describe('kick', () => {
  test('double-encoded and decoded Pusher frames: ids, badges, emotes; 45 messages through 30 recycled slots, once each', async () => {
    const room = harness.fixtures.room('kick', 'chatroom1');
    const { sub } = await watchRoom(harness, 'kick', 'chatroom1');
    const first = room.post(
      { author: 'KickStreamer', authorId: '501', text: 'going live', badges: ['owner'] },
      { author: 'OldFrames', authorId: '502', parts: ['gg ', { emote: 'KEKW', id: '37226' }], badges: ['moderator', 'subscriber'], legacyFrame: true },
    );
    const burst = Array.from({ length: 43 }, (_, i) => ({ author: `viewer${i % 6}`, authorId: `6${i % 6}`, text: `message number ${i}` }));
    const posted = [...first];
    for (const m of burst) {
      posted.push(...room.post(m));
      await pause(20);
    }
    await sub.waitFor(() => chat(sub).length >= 45);
    await pause(SETTLE_MS);
    const got = chat(sub);
    expect(got.map((m) => m.id)).toEqual(posted.map((m) => m.id));
    expect(got[0]).toMatchObject({ platform: 'kick', author: { name: 'KickStreamer', id: '501', badges: ['owner'] }, text: 'going live' });
    expect(got[1]).toMatchObject({ author: { name: 'OldFrames', badges: ['moderator', 'subscriber'] }, text: 'gg KEKW' });
    expectUniqueIds(got);
    sub.close();
  });

  test('deletions and bans reach dashboards once', async () => {
    const room = harness.fixtures.room('kick', 'chatroom2');
    const { sub } = await watchRoom(harness, 'kick', 'chatroom2');
    const [a, b] = room.post({ author: 'Spam', authorId: '701', text: 'free coins' }, { author: 'Fine', authorId: '702', text: 'hello' });
    await sub.waitFor(() => chat(sub).length >= 2);
    room.remove(a!.id);
    await sub.waitFor(() => deletions(sub).length >= 1);
    room.ban('702');
    await sub.waitFor(() => deletions(sub).length >= 2);
    await pause(500);
    expect(deletions(sub)).toEqual([a!.id, b!.id]);
    sub.close();
  });

  test('falls back to the recycled DOM rows while the socket is silent', async () => {
    const room = harness.fixtures.room('kick', 'chatroom3');
    const { sub } = await watchRoom(harness, 'kick', 'chatroom3');
    room.post({ author: 'One', text: 'via pusher' });
    await sub.waitFor(() => chat(sub).length >= 1);
    room.silence(true);
    room.post({ author: 'Two', parts: ['via the page ', { emote: 'PogU', id: '9' }] });
    await sub.waitFor(() => chat(sub).length >= 2);
    room.silence(false);
    room.post({ author: 'Three', text: 'pusher again' });
    await sub.waitFor(() => chat(sub).length >= 3);
    await pause(SETTLE_MS);
    expect(chat(sub).map((m) => `${m.author.name}: ${m.text}`)).toEqual(['One: via pusher', 'Two: via the page PogU', 'Three: pusher again']);
    expectUniqueIds(chat(sub));
    sub.close();
  });

  test('StopStreamBroadcast ends the session', async () => {
    const room = harness.fixtures.room('kick', 'chatroom4');
    const { sub } = await watchRoom(harness, 'kick', 'chatroom4');
    room.end();
    await sub.waitFor(() => statuses(sub).includes('ended'));
    sub.close();
  });

  test('a channel that goes live again (a new livestream id on the socket) starts a new show by itself', async () => {
    const room = harness.fixtures.room('kick', 'chatroom5');
    const { sessionId, sub } = await watchRoom(harness, 'kick', 'chatroom5');
    const nextId = `${sessionId}-2`;
    const nextSub = await Subscriber.connect(harness.service.url, nextId);
    const sessionOf = async (id: string) => (await (await fetch(`${harness.service.url}/api/sessions/${id}`)).json()) as Record<string, unknown>;

    room.goLive('1001');
    room.post({ author: 'Early', text: 'first show chat' });
    await sub.waitFor(() => chat(sub).length >= 1);
    expect(await sessionOf(sessionId)).toMatchObject({ status: 'live', platformShowId: '1001' });

    room.goLive('1002');
    await sub.waitFor(() => statuses(sub).includes('ended'));
    expect(statusEvent(sub, 'ended')?.detail).toMatch(/new show \(1002\)/);
    await nextSub.waitFor(() => statuses(nextSub).includes('live'));
    await room.whenTransport();
    room.post({ author: 'Late', text: 'second show chat' });
    await nextSub.waitFor(() => chat(nextSub).some((m) => m.text === 'second show chat'));
    await pause(SETTLE_MS);

    expect(chat(sub).map((m) => m.text)).toEqual(['first show chat']);
    expect(await sessionOf(sessionId)).toMatchObject({ status: 'ended', platformShowId: '1001' });
    expect(await sessionOf(nextId)).toMatchObject({ status: 'live', platformShowId: '1002', url: expect.stringContaining('chatroom5') });
    sub.close();
    nextSub.close();
  });
});
