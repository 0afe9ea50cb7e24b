/**
 * TikTok Live end to end: real Chromium on the TikTok fixture, whose page gets its first batch from a
 * binary im/fetch response and then gzip protobuf push frames on its webcast WebSocket (decoded by the page
 * itself with protobufjs). Earshot reads those through CDP (network first, TikTok's own message ids), keeps
 * the DOM rows as the fallback for what the socket never carried, counts frames that do not decode, and
 * ends the session when the page scrolls on to another host's live.
 */
import { garbleTikTok, NEXT_STREAM_TEXT, tiktokMessageId } from './fixtures/platforms/tiktok.ts';
import { chat, deletions, expectUniqueIds, pause, SETTLE_MS, statuses, statusEvent, usePlatformHarness, watchRoom } from './support/platform-session.ts';

const harness = usePlatformHarness();

interface NetworkDiagnostics {
  frames: number;
  responses: number;
  undecodedFrames: number;
  /** Network messages the merger delivered, and those it suppressed because their DOM twin went first. */
  messages: number;
  networkSuppressed: number;
}

async function network(sessionId: string): Promise<NetworkDiagnostics | undefined> {
  const res = await fetch(`${harness.service.url}/api/sessions/${encodeURIComponent(sessionId)}`);
  const body = (await res.json()) as { diagnostics?: { network?: NetworkDiagnostics } };
  return body.diagnostics?.network;
}

/** Polls the session's network diagnostics until `predicate` holds (no fixed waits). */
async function untilNetwork(sessionId: string, predicate: (n: NetworkDiagnostics) => boolean, timeoutMs = 30_000): Promise<NetworkDiagnostics> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await network(sessionId);
    if (last && predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`network diagnostics never matched; last: ${JSON.stringify(last)}`);
    await pause(100);
  }
}

describe('tiktok', () => {
  test('reads the history batch and the socket with TikTok ids, then ends when the page moves on to another live', async () => {
    const room = harness.fixtures.room('tiktok', 'seller');
    room.post({ author: 'regular', text: 'here early' });
    const { sessionId, sub } = await watchRoom(harness, 'tiktok', 'seller');
    await sub.waitFor(() => chat(sub).length >= 1);
    // The history batch came as a binary im/fetch body (base64 over CDP) and decoded. Whether its twin DOM
    // row or the body reaches the merger first is a race (rows pass at once before the network delivers):
    // either way the message goes out once.
    await untilNetwork(sessionId, (n) => n.responses >= 1 && n.messages + n.networkSuppressed >= 1);
    const live = room.post({ author: 'fan1', parts: ['love it ', { emote: '🔥', id: 'fire' }], badges: ['moderator'] }, { author: 'fan2', text: 'how much?' });
    await sub.waitFor(() => chat(sub).length >= 3);
    expect(chat(sub).map((m) => [m.author.name, m.text, m.backfill])).toEqual([
      ['regular', 'here early', true],
      ['fan1', 'love it 🔥', false],
      ['fan2', 'how much?', false],
    ]);
    // The socket's messages carry TikTok's own ids.
    expect(chat(sub).slice(1).map((m) => m.id)).toEqual(live.map(tiktokMessageId));
    expect(chat(sub)[1]).toMatchObject({ platform: 'tiktok', author: { badges: ['moderator'] } });
    expect(chat(sub).slice(1).every((m) => m.platform === 'tiktok' && /^\d+$/.test(m.author.id ?? ''))).toBe(true);

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

  test('network first; the DOM row of a message the socket never sent goes through; garbled frames are counted, not fatal', async () => {
    const room = harness.fixtures.room('tiktok', 'shop2');
    const { sessionId, sub } = await watchRoom(harness, 'tiktok', 'shop2');
    const [one] = room.post({ author: 'One', text: 'via the socket' });
    await sub.waitFor(() => chat(sub).length >= 1);
    expect(chat(sub)[0]!.id).toBe(tiktokMessageId(one!));

    expect(garbleTikTok(room)).toBeGreaterThan(0);
    const counted = await untilNetwork(sessionId, (n) => n.undecodedFrames >= 2);
    expect(counted.undecodedFrames).toBe(2);

    room.silence(true);
    room.post({ author: 'Two', text: 'only on the page' });
    await sub.waitFor(() => chat(sub).length >= 2);
    room.silence(false);
    const [three] = room.post({ author: 'Three', text: 'socket again' });
    await sub.waitFor(() => chat(sub).length >= 3);
    await pause(SETTLE_MS);
    const got = chat(sub);
    expect(got.map((m) => `${m.author.name}: ${m.text}`)).toEqual(['One: via the socket', 'Two: only on the page', 'Three: socket again']);
    // The socket's messages keep TikTok's ids; the DOM-only one has a stream position instead.
    expect(got[2]!.id).toBe(tiktokMessageId(three!));
    expect(got[1]!.id).not.toMatch(/^\d+$/);
    expectUniqueIds(got);
    expect(await network(sessionId)).toMatchObject({ undecodedFrames: 2 });
    expect(statuses(sub)).not.toContain('error');
    sub.close();
  });

  test('ImDelete removes one message by id and a banned viewer\'s messages by user id', async () => {
    const room = harness.fixtures.room('tiktok', 'shop3');
    const { sub } = await watchRoom(harness, 'tiktok', 'shop3');
    const [spam, fine] = room.post({ author: 'Spam', authorId: 'spammer', text: 'free coins' }, { author: 'Fine', authorId: 'fine', text: 'hello' });
    await sub.waitFor(() => chat(sub).length >= 2);
    room.remove(spam!.id);
    await sub.waitFor(() => deletions(sub).length >= 1);
    room.ban('fine');
    await sub.waitFor(() => deletions(sub).length >= 2);
    expect(deletions(sub)).toEqual([tiktokMessageId(spam!), tiktokMessageId(fine!)]);
    sub.close();
  });
});
