/**
 * The overlay's view of a show: its link tokens, the lot as viewers may see it, and the few hub frames an
 * overlay connection receives. An overlay link is a bearer secret on a stream PC (an OBS browser source
 * cannot send headers or sign in), so it opens one show's overlay and nothing else: it is not a seller's
 * session, it reaches no /api route, and the frames it receives carry nothing the stream does not show.
 */
import { createHash, randomBytes } from 'node:crypto';
import { OVERLAY_TEXT_LENGTH, type FeaturedMessage, type OverlayLot } from '../../supabase/functions/_shared/contract.ts';
import type { Lot } from '../domain/events.ts';

/** Prefix of overlay tokens: recognisable in a leaked paste, and never mistaken for a Supabase JWT. */
const TOKEN_PREFIX = 'eso_';

/** A new overlay token: 32 random bytes, base64url. */
export function newOverlayToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What storage keeps of a token (hex SHA-256); undefined for anything that is not one of ours. */
export function overlayTokenHash(token: string | undefined): string | undefined {
  if (!token || !token.startsWith(TOKEN_PREFIX) || token.length !== TOKEN_PREFIX.length + 43) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(token.slice(TOKEN_PREFIX.length))) return undefined;
  return createHash('sha256').update(token).digest('hex');
}

/** The lot as the overlay shows it (see OverlayLot: no marks, no waitlist names). */
export function overlayLot(lot: Lot): OverlayLot {
  return {
    code: lot.code,
    title: lot.title,
    priceCents: lot.assignment?.priceCents ?? lot.priceCents,
    status: lot.status,
    winner: lot.winner?.username ?? null,
    waitlistCount: lot.waitlist.length,
    wonAt: lot.winner ? (lot.assignment?.at ?? lot.winner.at) : null,
    ...(lot.auction ? { auction: { open: lot.auction.open, highBidCents: lot.auction.highBidCents, bids: lot.auction.bids } } : {}),
    announcedAt: lot.announcedAt,
    ord: lot.ord,
  };
}

/** A chat message cut to what the overlay shows: the text at most OVERLAY_TEXT_LENGTH code points. */
export function featuredFrom(
  message: { messageId: string; author: string; text: string; platform: string; sentAt?: string },
  now: Date = new Date(),
): FeaturedMessage {
  const points = [...message.text];
  const text = points.length > OVERLAY_TEXT_LENGTH ? `${points.slice(0, OVERLAY_TEXT_LENGTH - 1).join('')}…` : message.text;
  return {
    messageId: message.messageId,
    author: [...message.author].slice(0, 60).join(''),
    text,
    platform: message.platform,
    ...(message.sentAt ? { sentAt: message.sentAt } : {}),
    featuredAt: now.toISOString(),
  };
}

/** The event types an overlay connection receives; everything else of the show is withheld. */
const OVERLAY_TYPES = new Set(['lot_update', 'featured_message', 'session_status']);

/** The type of a serialized event: `publish` writes `type` first, and every stamped event comes from it. */
export function frameType(data: string): string | undefined {
  return /^\{"type":"([a-z_]+)"/.exec(data)?.[1];
}

/**
 * A serialized session event as an overlay connection receives it, or undefined when it receives nothing
 * of it. Lots are reduced to OverlayLot; the show's counts (`summary`) and who corrected stay out.
 */
export function overlayFrame(data: string): string | undefined {
  const type = frameType(data);
  if (type === undefined || !OVERLAY_TYPES.has(type)) return undefined;
  if (type !== 'lot_update') return data;
  const event = JSON.parse(data) as { sessionId: string; seq: number; lot: Lot };
  return JSON.stringify({ type, sessionId: event.sessionId, seq: event.seq, lot: overlayLot(event.lot) });
}
