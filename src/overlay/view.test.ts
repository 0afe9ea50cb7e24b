import { ledgerLot } from '../../test/support/builders.ts';
import { OVERLAY_TEXT_LENGTH, OverlayLot, WsOverlayEvent } from '../../supabase/functions/_shared/contract.ts';
import { featuredFrom, frameType, newOverlayToken, overlayFrame, overlayLot, overlayTokenHash } from './view.ts';

const claim = (username: string, at: string) => ({ username, messageId: `m-${username}`, at });

describe('overlay tokens', () => {
  it('are random, and hash to 64 hex characters the same way each time', () => {
    const a = newOverlayToken();
    const b = newOverlayToken();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^eso_[A-Za-z0-9_-]{43}$/);
    expect(overlayTokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(overlayTokenHash(a)).toBe(overlayTokenHash(a));
    expect(overlayTokenHash(a)).not.toBe(overlayTokenHash(b));
  });

  it('refuse anything that is not one of ours before any lookup', () => {
    const token = newOverlayToken();
    for (const bad of [undefined, '', 'eso_', token.slice(0, -1), `${token}x`, token.replace('eso_', 'esx_'), `eso_${'a'.repeat(42)}=`, 'Bearer abc']) {
      expect(overlayTokenHash(bad)).toBeUndefined();
    }
  });
});

describe('the overlay form of a lot', () => {
  const lot = ledgerLot({
    code: 'B7',
    title: 'Carhartt jacket',
    priceCents: 8000,
    winner: claim('cat', '2026-01-01T00:01:00.000Z'),
    waitlist: [claim('dan', '2026-01-01T00:01:01.000Z'), claim('eve', '2026-01-01T00:01:02.000Z')],
    assignment: { id: 'a1', username: 'cat', messageId: 'm-cat', at: '2026-01-01T00:01:00.000Z', priceCents: 7500, paid: true, packed: true, shipped: false, state: 'current' },
    paid: true,
    packed: true,
  });

  it('keeps what the stream shows and drops the marks and the waitlist names', () => {
    const view = overlayLot(lot);
    expect(OverlayLot.parse(view)).toEqual(view);
    // The winner's own price (a correction or an auction) is what they pay.
    expect(view).toEqual({
      code: 'B7',
      title: 'Carhartt jacket',
      priceCents: 7500,
      status: 'open',
      winner: 'cat',
      waitlistCount: 2,
      wonAt: '2026-01-01T00:01:00.000Z',
      announcedAt: lot.announcedAt,
      ord: 1,
    });
    const text = JSON.stringify(view);
    for (const hidden of ['dan', 'eve', 'paid', 'packed', 'shipped', 'assignment']) expect(text).not.toContain(hidden);
  });

  it('has no winner or won-at for a lot nobody holds', () => {
    expect(overlayLot(ledgerLot())).toMatchObject({ winner: null, wonAt: null, waitlistCount: 0, priceCents: 1800 });
  });
});

describe('overlay frames', () => {
  const stamp = (body: object, seq = 3): string => JSON.stringify({ ...body, sessionId: 's1', seq });

  it('reads the type the hub serialized first', () => {
    expect(frameType(stamp({ type: 'lot_update', lot: ledgerLot() }))).toBe('lot_update');
    expect(frameType('{"sessionId":"s","type":"lot_update"}')).toBeUndefined();
    expect(frameType('not json')).toBeUndefined();
  });

  it('reduces lot updates to the overlay lot and leaves the counts out', () => {
    const frame = overlayFrame(stamp({ type: 'lot_update', lot: ledgerLot({ winner: claim('amy', '2026-01-01T00:00:05.000Z') }), summary: { revenueCents: 1800 }, by: 'seller' }));
    const parsed = JSON.parse(frame!);
    expect(WsOverlayEvent.parse(parsed)).toEqual(parsed);
    expect(parsed).toEqual({ type: 'lot_update', sessionId: 's1', seq: 3, lot: expect.objectContaining({ code: 'A1', winner: 'amy' }) });
    expect(frame).not.toContain('revenueCents');
    expect(frame).not.toContain('seller');
  });

  it('passes featured messages and statuses as they are, and nothing else of the show', () => {
    const featured = stamp({ type: 'featured_message', featured: null });
    expect(overlayFrame(featured)).toBe(featured);
    const status = stamp({ type: 'session_status', status: 'live' });
    expect(overlayFrame(status)).toBe(status);
    for (const withheld of [
      { type: 'new_message', message: { id: 'm1', text: 'hi' } },
      { type: 'buyer_detected', messageId: 'm1', buyer: { username: 'amy' } },
      { type: 'answer', messageId: 'm1', answer: 'We ship Mondays' },
      { type: 'reply_status', replyId: 'r1', status: 'sent' },
      { type: 'message_deleted', messageId: 'm1' },
      { type: 'source_health', health: {} },
      { type: 'overlay_link_changed' },
    ]) {
      expect(overlayFrame(stamp(withheld))).toBeUndefined();
    }
  });
});

describe('a featured message', () => {
  it('is cut to the overlay length in code points, never inside an emoji', () => {
    const long = '😀'.repeat(OVERLAY_TEXT_LENGTH + 10);
    const featured = featuredFrom({ messageId: 'm1', author: 'dana', text: long, platform: 'whatnot' }, new Date('2026-01-01T00:00:00Z'));
    expect([...featured.text]).toHaveLength(OVERLAY_TEXT_LENGTH);
    expect(featured.text.endsWith('😀…')).toBe(true);
    expect(featured.featuredAt).toBe('2026-01-01T00:00:00.000Z');
    const short = featuredFrom({ messageId: 'm2', author: 'x'.repeat(100), text: 'short', platform: 'kick', sentAt: '2026-01-01T00:00:00.000Z' });
    expect(short).toMatchObject({ text: 'short', sentAt: '2026-01-01T00:00:00.000Z' });
    expect(short.author).toHaveLength(60);
  });
});
