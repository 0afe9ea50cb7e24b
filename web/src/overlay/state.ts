/**
 * What the overlay draws, as pure functions of what the service sent: the state read at (re)connect and
 * the overlay frames after it (contract WsOverlayEvent). Which lot is on screen and who bought last are
 * decided here, so the page only renders.
 */
import type { FeaturedMessage, OverlayLot, OverlayState, WsOverlayEvent } from '../../../supabase/functions/_shared/contract.ts';

export type { FeaturedMessage, OverlayLot, OverlayState, WsOverlayEvent };

export interface OverlayView {
  sessionId: string;
  /** The highest seq applied: `since` on the next subscribe. */
  seq: number;
  status: OverlayState['status'];
  lots: ReadonlyMap<string, OverlayLot>;
  featured: FeaturedMessage | null;
}

export function viewOf(state: OverlayState): OverlayView {
  return {
    sessionId: state.sessionId,
    seq: state.seq,
    status: state.status,
    lots: new Map(state.lots.map((lot) => [lot.code, lot])),
    featured: state.featured,
  };
}

/** Applies one frame; a frame at or below the view's seq (a replay of what the state held) changes nothing. */
export function applyFrame(view: OverlayView, frame: WsOverlayEvent): OverlayView {
  if (frame.sessionId !== view.sessionId || frame.seq <= view.seq) return view;
  switch (frame.type) {
    case 'lot_update': {
      const lots = new Map(view.lots);
      lots.set(frame.lot.code, frame.lot);
      return { ...view, seq: frame.seq, lots };
    }
    case 'featured_message':
      return { ...view, seq: frame.seq, featured: frame.featured };
    case 'session_status':
      return { ...view, seq: frame.seq, status: frame.status };
  }
  // A frame type a newer service sends that this page does not draw.
  return { ...view, seq: (frame as { seq: number }).seq };
}

/**
 * The lot on screen: the newest open lot (the one being sold now); when none is open, the newest lot
 * that closed with a result (sold or unsold), so "SOLD to amy" stays up until the next lot opens. Voided
 * lots never show.
 */
export function lotOnScreen(lots: Iterable<OverlayLot>): OverlayLot | null {
  let open: OverlayLot | null = null;
  let closed: OverlayLot | null = null;
  for (const lot of lots) {
    if (lot.status === 'open') {
      if (!open || lot.ord > open.ord) open = lot;
    } else if (lot.status !== 'void') {
      if (!closed || lot.ord > closed.ord) closed = lot;
    }
  }
  return open ?? closed;
}

/** The last buyer: the winner who got a lot most recently (sold, or winning an open one); none for void or unsold lots. */
export function lastBuyer(lots: Iterable<OverlayLot>): { username: string; code: string; priceCents: number | null } | null {
  let best: OverlayLot | null = null;
  for (const lot of lots) {
    if (!lot.winner || !lot.wonAt || lot.status === 'void' || lot.status === 'unsold') continue;
    if (!best || lot.wonAt > best.wonAt! || (lot.wonAt === best.wonAt && lot.ord > best.ord)) best = lot;
  }
  return best ? { username: best.winner!, code: best.code, priceCents: best.priceCents } : null;
}

/** The line under a lot: who has it, who waits, or how the bidding stands. */
export function lotLine(lot: OverlayLot, money: (cents: number | null) => string): string {
  const waiting = lot.waitlistCount > 0 ? ` · ${lot.waitlistCount} waiting` : '';
  if (lot.status === 'sold') return `SOLD to ${lot.winner ?? 'a buyer'}${waiting}`;
  if (lot.status === 'unsold') return 'Not sold';
  if (lot.auction?.open) return `${lot.auction.bids} ${lot.auction.bids === 1 ? 'bid' : 'bids'} · high ${money(lot.auction.highBidCents)}`;
  if (lot.winner) return `${lot.winner} has it${waiting}`;
  return 'Claim it in chat';
}
