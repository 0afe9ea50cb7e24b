/**
 * The overlay's picture: the featured message, the lot on screen (code, title, price, who has it and how
 * many wait) and the last buyer, on cards that read on a dark or a light stream. Chat text (names, the
 * featured message, lot titles) is React text only, clipped by CSS to a few lines.
 */
import { formatCents } from '../ledger.ts';
import { lastBuyer, lotLine, lotOnScreen, type OverlayView } from './state.ts';

export type Phase = 'connecting' | 'live' | 'invalid' | 'offline';

export function Overlay({ view, phase }: { view: OverlayView | null; phase: Phase }) {
  if (phase === 'invalid') {
    // Seen in OBS while setting up; a seller who made a new link pastes that one.
    return (
      <div className="ov-notice" data-testid="overlay-invalid">
        This overlay link is no longer valid. Make a new one in Earshot (On-stream overlay) and paste it into OBS.
      </div>
    );
  }
  if (!view) return null;
  const lot = lotOnScreen(view.lots.values());
  const buyer = lastBuyer(view.lots.values());
  return (
    <div className="ov-stack">
      {view.featured && (
        <figure className="ov-card ov-featured" data-testid="overlay-featured">
          <figcaption className="ov-author">{view.featured.author}</figcaption>
          <blockquote className="ov-text">{view.featured.text}</blockquote>
        </figure>
      )}
      {lot && (
        <section className={`ov-card ov-lot ov-${lot.status}`} data-testid="overlay-lot" data-code={lot.code} aria-label="Lot on screen">
          <div className="ov-lot-head">
            <span className="ov-code" data-testid="overlay-code">
              {lot.code}
            </span>
            {lot.title && (
              <span className="ov-title" data-testid="overlay-title">
                {lot.title}
              </span>
            )}
            <span className="ov-price" data-testid="overlay-price">
              {formatCents(lot.priceCents)}
            </span>
          </div>
          <div className="ov-line" data-testid="overlay-line">
            {lotLine(lot, formatCents)}
          </div>
        </section>
      )}
      {buyer && (
        <div className="ov-card ov-buyer" data-testid="overlay-buyer">
          <span className="ov-label">Last buyer</span> <span className="ov-name">{buyer.username}</span>{' '}
          <span className="ov-meta">
            {buyer.code} · {formatCents(buyer.priceCents)}
          </span>
        </div>
      )}
      {phase === 'offline' && <div className="ov-dot" title="Reconnecting to Earshot" aria-hidden="true" />}
    </div>
  );
}
