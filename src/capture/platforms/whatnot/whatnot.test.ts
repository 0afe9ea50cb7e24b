import type { NetworkChatEvent } from '../types.ts';
import { parseWhatnotFrame, whatnot } from './adapter.ts';

function messages(events: NetworkChatEvent[]) {
  return events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
}

describe('whatnot Phoenix frames', () => {
  it('reads new_msg arrays with the platform id, user and text', () => {
    const frame = JSON.stringify([
      null,
      null,
      'livestream:abc',
      'new_msg',
      { id: 'm-1', user: { id: 42, username: 'sneakerhead', is_moderator: true }, message: 'sold!', inserted_at: '2025-01-02T03:04:05Z' },
    ]);
    expect(parseWhatnotFrame(frame)).toEqual([
      {
        type: 'message',
        message: {
          id: 'm-1',
          author: { name: 'sneakerhead', id: '42', badges: ['moderator'] },
          text: 'sold!',
          sentAt: '2025-01-02T03:04:05.000Z',
        },
      },
    ]);
  });

  it('reads the object serializer too', () => {
    const frame = JSON.stringify({ topic: 't', event: 'new_msg', payload: { id: 7, user: { username: 'a' }, message: 'hi' }, ref: null });
    expect(messages(parseWhatnotFrame(frame)).map((m) => m.id)).toEqual(['7']);
  });

  it('ignores other events, replies, heartbeats and garbage', () => {
    for (const frame of [
      JSON.stringify(['1', '1', 'livestream:abc', 'phx_reply', { status: 'ok', response: {} }]),
      JSON.stringify([null, null, 'livestream:abc', 'tip_sent', { user: { username: 'x' }, amount: 5 }]),
      JSON.stringify([null, null, 'livestream:abc', 'viewer_count', { count: 12 }]),
      JSON.stringify([null, null, 'livestream:abc', 'new_msg', { user: { username: 'no id' }, message: 'x' }]),
      'not json',
      '[1,2]',
    ]) {
      expect(parseWhatnotFrame(frame)).toEqual([]);
    }
  });

  it('turns deletions and the end of the show into events', () => {
    expect(parseWhatnotFrame(JSON.stringify([null, null, 't', 'delete_msg', { id: 'm-1' }]))).toEqual([{ type: 'deleted', messageId: 'm-1' }]);
    expect(parseWhatnotFrame(JSON.stringify([null, null, 't', 'show_ended', {}]))).toEqual([{ type: 'ended', detail: 'show ended' }]);
  });

  it('identifies the show by its /live/<id> path', () => {
    expect(whatnot.streamIdentity?.(new URL('https://www.whatnot.com/live/abc-123?x=1'))).toBe('abc-123');
  });
});
