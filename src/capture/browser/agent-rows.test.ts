import type { AgentRow } from '../agent/types.ts';
import { deletedIds, readAgentRows } from './agent-rows.ts';

const at = '2026-03-10T18:00:00.000Z';
const row = (over: Partial<AgentRow>): AgentRow => ({ sig: 'x', author: 'Ann', badges: [], text: 'hi', backfill: false, seenAt: 0, ...over });

describe('agent rows -> messages', () => {
  it('names a row by its platform id, or by its stream position under the prefix', () => {
    const read = readAgentRows(
      [row({ pid: ' yt\u0007-1 ', sig: 'a' }), row({ pos: 7, sig: 'Ann\u0000hi', backfill: true }), row({ sig: 'neither' })],
      'youtube',
      'mk1r2',
      at,
    );
    expect(read.messages.map((m) => [m.id, m.backfill])).toEqual([
      ['yt-1', false],
      ['mk1r2-7', true],
    ]);
    // The raw pid is remembered (the agent compares it with the page's), the position with its signature.
    expect(read.pids).toEqual([' yt\u0007-1 ']);
    expect(read.positions).toEqual([{ pos: 7, sig: 'Ann\u0000hi' }]);
  });

  it('builds the message like every other path: cleaned fields, badges, amounts read from the page', () => {
    const [message] = readAgentRows(
      [row({ pos: 0, author: ' Ann\u0000', authorId: 'ann_1', badges: ['Moderator'], text: 'red  one', paid: '$5.00' })],
      'youtube',
      'p',
      at,
    ).messages;
    expect(message).toEqual({
      id: 'p-0',
      platform: 'youtube',
      author: { name: 'Ann', id: 'ann_1', badges: ['moderator'] },
      text: 'red one',
      capturedAt: at,
      backfill: false,
      kind: 'paid',
      paid: { amount: 5, currency: 'USD', display: '$5.00' },
    });
  });

  it('turns a deletion report into the ids the messages went out with', () => {
    expect(deletedIds({ pids: [' a ', '\u0007'], positions: [3, 0] }, 'p')).toEqual(['a', 'p-3', 'p-0']);
    expect(deletedIds({ pids: [], positions: [] }, 'p')).toEqual([]);
  });
});
