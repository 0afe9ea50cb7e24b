import { gzipSync } from 'node:zlib';
import type { NetworkChatEvent } from '../types.ts';
import { tiktok } from './adapter.ts';
import { MAX_INFLATED_BYTES, parseTikTokFetch, parseTikTokFrame, tiktokBadges } from './network.ts';
import { decodeWebcast, encodeWebcast } from './webcast.ts';

const user = (id: string, nickname: string, uniqueId: string, badges: Array<{ type?: string; name?: string }> = []) => ({
  id,
  nickname,
  uniqueId,
  ...(badges.length ? { badges: [{ badges }] } : {}),
});

const chat = (msgId: string, content: string, who = user('6800000000000000001', 'Ann ✨', 'ann_shop'), createTime = '1764000000123') => ({
  method: 'WebcastChatMessage',
  payload: encodeWebcast('WebcastChatMessage', { common: { method: 'WebcastChatMessage', msgId, createTime }, user: who, content }),
});

function response(...messages: Array<{ method: string; payload: Uint8Array }>): Uint8Array {
  return encodeWebcast('WebcastResponse', { messages, cursor: 'c-1', fetchInterval: 1000 });
}

function pushFrame(payload: Uint8Array, options: { gzip?: boolean; encoding?: string; type?: string } = {}): Uint8Array {
  const body = options.gzip ? gzipSync(payload) : payload;
  return encodeWebcast('WebcastPushFrame', {
    seqId: '1',
    logId: '7300000000000000000',
    payloadEncoding: options.encoding ?? (options.gzip ? 'gzip' : 'pb'),
    payloadType: options.type ?? 'msg',
    payload: body,
  });
}

const messages = (events: NetworkChatEvent[]) => events.flatMap((e) => (e.type === 'message' ? [e.message] : []));

describe('tiktok webcast frames', () => {
  test('a gzip push frame with several events yields each chat message with its ids, names and time', () => {
    const bob = user('6800000000000000002', 'Bob', 'bob.b', [{ type: 'moderator', name: 'Moderator' }, { type: 'sub_badge', name: 'Subscriber' }]);
    const frame = pushFrame(response(chat('7311111111111111111', 'sold AA 2'), chat('7311111111111111112', 'how much?', bob)), { gzip: true });
    expect(messages(parseTikTokFrame(frame))).toEqual([
      {
        // 64-bit ids are kept exactly (they pass 2^53).
        id: '7311111111111111111',
        author: { name: 'Ann ✨', id: '6800000000000000001', badges: [] },
        text: 'sold AA 2',
        sentAt: '2025-11-24T16:00:00.123Z',
      },
      {
        id: '7311111111111111112',
        author: { name: 'Bob', id: '6800000000000000002', badges: ['moderator', 'subscriber'] },
        text: 'how much?',
        sentAt: '2025-11-24T16:00:00.123Z',
      },
    ]);
  });

  test('a plain payload reads the same, and gzip bytes are inflated even when the envelope does not say so', () => {
    const batch = response(chat('1001', 'plain'));
    expect(messages(parseTikTokFrame(pushFrame(batch))).map((m) => m.text)).toEqual(['plain']);
    const unlabelled = encodeWebcast('WebcastPushFrame', { payloadType: 'msg', payload: gzipSync(batch) });
    expect(messages(parseTikTokFrame(unlabelled)).map((m) => m.id)).toEqual(['1001']);
  });

  test('deletions name the message ids and the removed users', () => {
    const payload = encodeWebcast('WebcastImDeleteMessage', { deleteMsgIds: ['7311111111111111111', '42'], deleteUserIds: ['6800000000000000002'] });
    expect(parseTikTokFrame(pushFrame(response({ method: 'WebcastImDeleteMessage', payload }), { gzip: true }))).toEqual([
      { type: 'deleted', messageId: '7311111111111111111' },
      { type: 'deleted', messageId: '42' },
      { type: 'author_removed', authorId: '6800000000000000002' },
    ]);
  });

  test('gifts, joins, shares and likes are room activity, dropped like other platforms\' non-chat events', () => {
    const ann = user('1', 'Ann', 'ann');
    const batch = response(
      { method: 'WebcastGiftMessage', payload: encodeWebcast('WebcastGiftMessage', { giftId: '5655', repeatCount: 3, user: ann, repeatEnd: 1, gift: { name: 'Rose', diamondCount: 1 } }) },
      { method: 'WebcastMemberMessage', payload: encodeWebcast('WebcastMemberMessage', { user: ann, action: 1 }) },
      { method: 'WebcastSocialMessage', payload: encodeWebcast('WebcastSocialMessage', { user: ann }) },
      { method: 'WebcastLikeMessage', payload: new Uint8Array([8, 1]) },
      chat('2002', 'the one chat line'),
    );
    expect(parseTikTokFrame(pushFrame(batch, { gzip: true }))).toEqual([{ type: 'message', message: expect.objectContaining({ id: '2002', text: 'the one chat line' }) }]);
  });

  test('heartbeats and acks are not chat; garbled frames and events come back as undecoded, never a throw', () => {
    expect(parseTikTokFrame(encodeWebcast('WebcastPushFrame', { payloadType: 'hb' }))).toEqual([]);
    expect(parseTikTokFrame(encodeWebcast('WebcastPushFrame', { payloadType: 'ack', payload: new Uint8Array([1, 2]) }))).toEqual([]);
    const garbled = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // a varint that never ends
      Buffer.from('{"event":"not protobuf"}'),
      new Uint8Array([]),
      pushFrame(Buffer.from('not a gzip stream'), { encoding: 'gzip' }), // says gzip, is not
      pushFrame(new Uint8Array([0x0a, 0x50, 0x01])), // a batch whose first event claims 80 bytes it does not have
    ];
    for (const bytes of garbled) expect(parseTikTokFrame(bytes)).toEqual([expect.objectContaining({ type: 'undecoded' })]);
    // One broken event costs that event only: the chat beside it still arrives.
    const mixed = response({ method: 'WebcastChatMessage', payload: new Uint8Array([0x12, 0x7f]) }, chat('3003', 'still here'));
    const events = parseTikTokFrame(pushFrame(mixed));
    expect(events.map((e) => e.type)).toEqual(['undecoded', 'message']);
  });

  test('a gzip bomb is refused at the inflate cap', () => {
    const bomb = pushFrame(gzipSync(Buffer.alloc(MAX_INFLATED_BYTES + 1)), { encoding: 'gzip' });
    expect(parseTikTokFrame(bomb)).toEqual([{ type: 'undecoded', detail: 'payload did not inflate' }]);
  });

  test('the im/fetch body is a bare WebcastResponse, gzip or not; the first fetch (no cursor) is backfill, polls are live', () => {
    const batch = response(chat('4004', 'first batch'));
    const first = 'https://webcast.tiktok.com/webcast/im/fetch/?room_id=1&cursor=&internal_ext=';
    const poll = 'https://webcast.tiktok.com/webcast/im/fetch/?room_id=1&cursor=1764000000123_7311';
    expect(messages(parseTikTokFetch(batch, first)).map((m) => [m.id, m.backfill])).toEqual([['4004', true]]);
    expect(messages(parseTikTokFetch(gzipSync(batch), poll)).map((m) => [m.id, m.backfill])).toEqual([['4004', undefined]]);
    expect(parseTikTokFetch(Buffer.from('<html>blocked</html>'))).toEqual([expect.objectContaining({ type: 'undecoded' })]);
    expect(tiktok.network?.responseUrlPattern?.test('https://webcast.tiktok.com/webcast/im/fetch/?room_id=1&cursor=')).toBe(true);
  });

  test('role badges by badge scene, as current frames carry them (admin 1, subscriber 4/7; grade 8 is no role)', () => {
    const who = { id: '6919629632300958726', nickname: 'almando29', uniqueId: 'almando29', badges: [{ badgeScene: 4 }, { badgeScene: 8 }, { badgeScene: 1 }] };
    const payload = encodeWebcast('WebcastChatMessage', { common: { method: 'WebcastChatMessage', msgId: '7270204318916594464', roomId: '7270193599273683745', createTime: '1692726385028' }, user: who, content: 'hi' });
    expect(messages(parseTikTokFrame(pushFrame(response({ method: 'WebcastChatMessage', payload }))))).toEqual([
      { id: '7270204318916594464', author: { name: 'almando29', id: '6919629632300958726', badges: ['subscriber', 'moderator'] }, text: 'hi', sentAt: '2023-08-22T17:46:25.028Z' },
    ]);
  });

  test('older text badges map to Earshot names; other TikTok badges (levels, fan clubs) are left out', () => {
    expect(tiktokBadges({ badges: [{ badges: [{ type: 'pm_mt_moderator_im', name: 'Moderator' }, { type: 'grade', name: 'Level 12' }] }, { badges: [{ name: 'Host' }] }] })).toEqual([
      'moderator',
      'owner',
    ]);
    expect(tiktokBadges({ badges: 'nonsense' })).toEqual([]);
  });

  test('the schema round-trips the envelope fields the tap relies on', () => {
    const decoded = decodeWebcast('WebcastPushFrame', pushFrame(new Uint8Array([1, 2, 3]), { encoding: 'pb' }));
    expect(decoded).toMatchObject({ seqId: '1', logId: '7300000000000000000', payloadEncoding: 'pb', payloadType: 'msg' });
    expect([...(decoded.payload as Uint8Array)]).toEqual([1, 2, 3]);
  });
});
