import { yt } from '../../../test/fakes/youtube-api-server.ts';
import { mapItems } from './mapping.ts';

const at = '2026-03-10T18:00:00.000Z';

describe('mapItems', () => {
  it('maps a text message with the YouTube id as the key and badges from authorDetails', () => {
    const page = mapItems([yt.text('is the blue one still available?', { name: 'Ann', owner: true, moderator: true, member: true, verified: true }, 'LCC.abc')], {
      backfill: true,
      capturedAt: at,
    });
    expect(page.messages).toEqual([
      {
        id: 'LCC.abc',
        platform: 'youtube',
        author: { name: 'Ann', id: 'UC-Ann', badges: ['owner', 'moderator', 'member', 'verified'] },
        text: 'is the blue one still available?',
        sentAt: '2026-01-01T12:00:00.000Z',
        capturedAt: at,
        backfill: true,
        kind: 'text',
      },
    ]);
  });

  it('carries Super Chat and Super Sticker amounts from amountMicros', () => {
    const page = mapItems(
      [yt.superChat('sold! the red one', '5000000', 'USD', '$5.00', { name: 'Bo' }), yt.superSticker('Thumbs up', '1990000', 'EUR', '€1.99')],
      { backfill: false, capturedAt: at },
    );
    expect(page.messages[0]).toMatchObject({ kind: 'paid', text: 'sold! the red one', paid: { amount: 5, currency: 'USD', display: '$5.00' } });
    expect(page.messages[1]).toMatchObject({ kind: 'sticker', text: 'Thumbs up', paid: { amount: 1.99, currency: 'EUR', display: '€1.99' } });
  });

  it('maps new members and milestones as membership messages', () => {
    const page = mapItems([yt.newSponsor('Gold'), yt.milestone('a year already!', 12)], { backfill: false, capturedAt: at });
    expect(page.messages.map((m) => [m.kind, m.text])).toEqual([
      ['membership', 'Welcome to Gold!'],
      ['membership', 'a year already!'],
    ]);
  });

  it('sorts deletions, bans and the chat end out of the messages, keeping order of the rest', () => {
    const page = mapItems([yt.text('one', {}, 'a'), yt.deleted('a'), yt.banned('troll'), yt.text('two', {}, 'b'), yt.chatEnded()], {
      backfill: false,
      capturedAt: at,
    });
    expect(page.messages.map((m) => m.id)).toEqual(['a', 'b']);
    expect(page.deletedIds).toEqual(['a']);
    expect(page.bans).toEqual([{ channelId: 'UC-troll', name: 'troll', banType: 'permanent' }]);
    expect(page.chatEnded).toBe(true);
  });

  it('treats chat text as data: control characters stripped, length capped, unknown types and junk skipped', () => {
    const long = yt.text(`<script>alert(1)</script>\u0000${'x'.repeat(5_000)}`, { name: 'Eve\u0007' }, 'x1');
    const page = mapItems([long, { id: 'p1', snippet: { type: 'pollEvent' } }, null as never, { snippet: { type: 'textMessageEvent' } }], {
      backfill: false,
      capturedAt: at,
    });
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]!.text.startsWith('<script>alert(1)</script>x')).toBe(true);
    expect(page.messages[0]!.text).toHaveLength(2_000);
    expect(page.messages[0]!.author.name).toBe('Eve');
    expect(page.ignored).toBe(2);
  });
});
