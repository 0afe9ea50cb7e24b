/**
 * Offer context: whether anything is on offer in a session, and the final verdict a stored message gets.
 *
 * A buyer needs something to buy. "GIMME A MINUTE FAM", "BUY HUNTER'S POTION" and "me please" read like
 * claims to the rules, but on a gaming stream that sells nothing they are chatter. So the rule (and LLM)
 * verdict is settled against an {@link OfferContext} before it is stored: no offer, no purchase; and a
 * verdict below {@link AMBIGUOUS_BELOW} is stored as `other` (never as a purchase the dashboard's purchase
 * filter would show).
 *
 * The context is deliberately small so other sources (a claims ledger with open lots) can feed it:
 * anything that knows an offer is open sets one of its fields. Pure and dependency-free (Node and Deno).
 */
import { parseHostMessage } from '../ledger/parse.ts';
import { tokenize } from './normalize.ts';
import { codeToken } from './extract.ts';
import { AMBIGUOUS_BELOW, type Classification } from './types.ts';

/** What is known to be on offer in a session right now. Every field is optional evidence. */
export interface OfferContext {
  /** The session runs on a live-shopping platform (Whatnot) where the host sells by voice. */
  shoppingPlatform?: boolean;
  /** The host announced an item or lot in this session ("Lot 14, the denim jacket, $25"). */
  announcedItem?: boolean;
  /** The platform reported a sale or auction event in this session. */
  saleEvent?: boolean;
  /** Lots a claims ledger knows to be open (fed by the ledger; any open lot is an offer). */
  openLots?: readonly string[];
  /**
   * The stored row of the earliest announcement `announcedItem` rests on: a message stored before it
   * had nothing announced yet ("sold" typed before the host put anything up). See {@link offerAt}.
   */
  announcedAtRow?: number;
  /**
   * A chat auction is running ("bidding starts at 20", "going once" and no close since): a bare amount
   * ("25", "$35") is a bid, so a buyer. Derived from the host's lines here; a claims ledger that knows a
   * lot's auction is open sets it too.
   */
  auctionOpen?: boolean;
  /** The stored row of the host line that opened the running auction: a message before it bid on nothing. */
  auctionAtRow?: number;
}

/** Platforms where a live show is a sale by default: the host sells by voice, chat claims. */
export const LIVE_SHOPPING_PLATFORMS: readonly string[] = ['whatnot'];

/** Author badges that mark the host or seller (after capture's normalization, plus raw spellings). */
export const HOST_BADGES: readonly string[] = ['owner', 'host', 'broadcaster', 'seller'];

/** True when any evidence says something is on offer. */
export function isOnOffer(offer: OfferContext | undefined): boolean {
  if (!offer) return false;
  return offer.shoppingPlatform === true || offer.announcedItem === true || offer.saleEvent === true || (offer.openLots?.length ?? 0) > 0;
}

/** Words with which a host puts something up: "up next", "starting at", "lot 5", "bid". */
const OFFER_WORDS = new Set([
  'lot', 'lots', 'item', 'bid', 'bids', 'bidding', 'auction', 'starting', 'claim', 'claims', 'available', 'sale',
  'selling', 'price', 'priced', 'buy', 'sold', 'drop', 'listing', 'listed', 'deal', 'comment', 'type',
]);
const PRICE = /^[$\u20ac\u00a3]\d/;

/**
 * Whether a host's message puts something on offer: a price, or an item code next to an offer word
 * ("Lot 14 is the denim jacket, $25", "A2 is up, comment sold to claim", "next item #7 starting at 10").
 * A host saying "thanks for the follow" or "gg" offers nothing.
 */
export function isOfferAnnouncement(text: string): boolean {
  const tokens = tokenize(text);
  // A price is an offer: "$25", "80 dollars".
  if (tokens.some((t, i) => PRICE.test(t) || (/^\d+(?:\.\d{1,2})?$/.test(t) && /^(dollars?|bucks|usd|euros?|pounds)$/.test(tokens[i + 1] ?? '')))) return true;
  const offerWord = tokens.some((t) => OFFER_WORDS.has(t)) || tokens.some((t, i) => t === 'up' && ['next', 'first', 'now', 'is'].includes(tokens[i - 1] ?? ''));
  if (!offerWord) return false;
  return tokens.some((t, i) => {
    const before = tokens[i - 1];
    if (codeToken(t) !== undefined) return true;
    // "lot 5", "item 12"; "starting at 10", "for 25".
    return /^\d{1,4}(?:\.\d{1,2})?$/.test(t) && (before === 'lot' || before === 'item' || before === 'at' || before === 'for');
  });
}

/**
 * Whether a platform system message reports a sale ("ann won the auction", "bob bought Lot 3").
 * Only system messages count: a viewer typing "I bought one last week" is not a sale event.
 */
export function isSaleEvent(kind: string | undefined | null, text: string): boolean {
  if (kind !== 'system') return false;
  return /\b(won|bought|purchased|claimed|sold)\b/i.test(text);
}

/** One earlier message of the session, as ingest reads it to derive the offer context. */
export interface SessionLine {
  text: string;
  author: string;
  badges: readonly string[];
  kind?: string | null;
  /** The stored row id (order of arrival), when known. */
  rowId?: number;
}

/**
 * The offer as a message stored at `rowId` saw it: when only a host announcement opened the offer and
 * the message came before it, nothing was on offer for that message.
 */
export function offerAt(offer: OfferContext | undefined, rowId: number): OfferContext | undefined {
  if (!offer) return offer;
  let out = offer;
  if (offer.announcedAtRow !== undefined && rowId < offer.announcedAtRow) out = { ...out, announcedItem: false };
  if (offer.auctionOpen === true && offer.auctionAtRow !== undefined && rowId < offer.auctionAtRow) out = { ...out, auctionOpen: false };
  return out;
}

/**
 * Whether a chat auction runs after a host's message, given whether one ran before it: "bidding starts
 * at 20" or "going once" opens (or keeps) it; a winner named, a close ("sold!", "next"), a void or a new
 * lot announced without an auction ends it; anything else leaves it as it was. Reads the message with
 * the claims ledger's parser, so both agree on what the host said.
 */
export function auctionAfter(open: boolean, hostText: string): boolean {
  let state = open;
  for (const action of parseHostMessage(hostText)) {
    if (action.kind === 'auction' || action.kind === 'going') state = true;
    else if (action.kind !== 'price') state = false;
  }
  return state;
}

/**
 * Derives the offer context from a session's platform and recent messages: the host's messages (by
 * badge, or by name when the session's seller names are known) announcing an item, and platform sale
 * events. Pure; ingest reads the lines.
 */
export function deriveOfferContext(
  platform: string | null | undefined,
  lines: readonly SessionLine[],
  options: { sellerNames?: readonly string[] } = {},
): OfferContext {
  const sellers = new Set((options.sellerNames ?? []).map((n) => n.toLowerCase()));
  const isHost = (line: SessionLine): boolean =>
    line.badges.some((b) => HOST_BADGES.includes(b.toLowerCase())) || sellers.has(line.author.toLowerCase());
  const announcements = lines.filter((line) => isHost(line) && isOfferAnnouncement(line.text));
  // The host's lines oldest first (ingest reads the latest ones newest first): is an auction running now?
  const hostLines = lines.filter(isHost);
  const ordered = hostLines.every((l) => typeof l.rowId === 'number') ? [...hostLines].sort((a, b) => a.rowId! - b.rowId!) : hostLines;
  let auctionOpen = false;
  let auctionAtRow: number | undefined;
  for (const line of ordered) {
    const next = auctionAfter(auctionOpen, line.text);
    if (next && !auctionOpen) auctionAtRow = line.rowId;
    auctionOpen = next;
  }
  const rows = announcements.map((line) => line.rowId).filter((id): id is number => typeof id === 'number');
  const context: OfferContext = {
    shoppingPlatform: platform !== null && platform !== undefined && LIVE_SHOPPING_PLATFORMS.includes(platform),
    announcedItem: announcements.length > 0,
    saleEvent: lines.some((line) => isSaleEvent(line.kind, line.text)),
  };
  if (rows.length > 0 && rows.length === announcements.length) context.announcedAtRow = Math.min(...rows);
  if (auctionOpen) {
    context.auctionOpen = true;
    if (auctionAtRow !== undefined) context.auctionAtRow = auctionAtRow;
  }
  return context;
}

/** Confidence of a bare amount as a bid while an auction runs (a soft claim). */
const BID_IN_AUCTION = 0.8;

/** Confidence of the `other` a purchase becomes when nothing is on offer (a claim with nothing to claim). */
const NOTHING_ON_OFFER = 0.8;

/**
 * The verdict that is stored: a purchase needs something on offer (else `other`), and a verdict below
 * {@link AMBIGUOUS_BELOW} is `other` with `ambiguous: true` (its lean stays out of the purchase and
 * question lists). Details a purchase alone carries (quantity, item) go with the purchase.
 */
export function settleVerdict(c: Classification, offer: OfferContext | undefined): Classification {
  if (c.intent === 'other') return c;
  // A bare amount ("25", "$35") while a chat auction runs is a bid: a buyer.
  if (c.intent === 'purchase' && c.bid !== undefined && c.confidence < AMBIGUOUS_BELOW && offer?.auctionOpen === true && isOnOffer(offer)) {
    return { ...c, confidence: BID_IN_AUCTION, ambiguous: false };
  }
  if (c.intent === 'purchase' && !isOnOffer(offer)) {
    return { intent: 'other', confidence: NOTHING_ON_OFFER, source: c.source, ambiguous: false };
  }
  if (c.confidence < AMBIGUOUS_BELOW) {
    return { intent: 'other', confidence: Math.round((1 - c.confidence) * 100) / 100, source: c.source, ambiguous: true };
  }
  return c;
}
