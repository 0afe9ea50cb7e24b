/**
 * The claims ledger's rules: given the show's lots and one chat message, what changes.
 *
 * - The host (by badge or by the seller names given at start) announces lots; the same code announced
 *   again after its lot moved on starts a new lot ("A1 (2)"), never merges two sales. Repeating the
 *   announcement of the lot on screen only updates its title or price.
 * - A new announcement in a later message closes the lot on screen ("sold" with a winner, else
 *   "unsold"); lots announced together in one message stay open together (a claim board).
 * - The first valid claim on an open lot wins; later claimers join the waitlist in order; the winner
 *   repeating the claim, or a waitlisted viewer repeating theirs, changes nothing.
 * - "pass"/"cancel" withdraws; a withdrawing winner hands the lot to the first waitlisted viewer.
 * - The host closes ("next", "sold!"), assigns or reassigns ("C3 goes to @amy") and voids ("void C3").
 *   A reassigned winner goes back to the head of the waitlist: a correction never drops a buyer.
 * - Chat auctions: once the host opens one ("bidding starts at 20"), a viewer's number ("25", "bid 30")
 *   is a bid when it beats the high bid; the highest bidder is the winner, the outbid viewers the
 *   waitlist (highest first); "sold!" closes the auction to the highest bidder. A number with no auction
 *   open is nothing, and so is a plain claim while bids are taken (the price is the bid).
 * - Every winner gets their own assignment (sale.ts) with fresh marks; every change raises the lot's
 *   version and is written down as a history entry (before -> after, by which message).
 *
 * Pure: state in, state out; ingest and the HTTP corrections carry the result to storage.
 */
import { normalizeCode, parseHostMessage, parseViewerMessage, type HostAction, type ViewerAction } from './parse.ts';

import { fromCents, toCents, type Assignment, type AssignmentState, type Lot, type LotAction, type LotClaim, type LotHistoryEntry } from './sale.ts';

/** A bid candidate (parse.ts returns one for "25", "bid 30", "$35"; the rules decide if it is a bid). */
export type BidAction = Extract<ViewerAction, { kind: 'bid' }>;
/** What the rules accept from a chat reader (parse.ts's actions). */
export type AnyViewerAction = ViewerAction;
export type AnyHostAction = HostAction;

export type { Assignment, Lot, LotClaim, LotStatus } from './sale.ts';
export { LOT_STATUSES } from './sale.ts';

/** A show's ledger: its lots in announcement order, and the lot on screen (the latest announced). */
export interface LedgerState {
  lots: Lot[];
  current: string | null;
}

/** A chat message as the ledger reads it. */
export interface LedgerMessage {
  id: string;
  author: string;
  text: string;
  at: string;
  /** Written by the host (badge or seller name). */
  host: boolean;
}

/** What a viewer's message did: it claimed `code` as winner or joined its waitlist. */
export interface ClaimOutcome {
  code: string;
  role: 'winner' | 'waitlist';
  /** The viewer had already claimed this lot: nothing new. */
  repeat: boolean;
}

export interface LedgerStep {
  state: LedgerState;
  /** Codes of lots this message changed (created or updated). */
  changed: string[];
  claim?: ClaimOutcome;
  /** One entry per changed lot: what the message did to it, before -> after. */
  history: LotHistoryEntry[];
}

/** An empty ledger. */
export function emptyLedger(): LedgerState {
  return { lots: [], current: null };
}

/** Badges that mark the host (after capture's normalization, plus raw spellings). */
export const HOST_BADGE_NAMES: readonly string[] = ['owner', 'host', 'broadcaster', 'seller'];

/** Platforms whose author names are display names, where case tells two people apart. */
const CASE_SENSITIVE_PLATFORMS: ReadonlySet<string> = new Set(['youtube']);

/**
 * Whether a message's author is the host: a host badge, or one of the seller names given at start.
 * A name matches exactly, after the normalization the platform itself applies: Twitch, Kick, TikTok and
 * Whatnot logins (and names on pages Earshot has no adapter for) are case-insensitive handles; YouTube
 * display names are not. The seller may write their name with a leading "@"; an author whose name
 * starts with "@" is a viewer typing it, never the host.
 */
export function isHostAuthor(author: string, badges: readonly string[], sellers: readonly string[], platform?: string): boolean {
  if (badges.some((b) => HOST_BADGE_NAMES.includes(b.toLowerCase()))) return true;
  if (author.startsWith('@') || author === '') return false;
  const fold = platform === undefined || !CASE_SENSITIVE_PLATFORMS.has(platform.toLowerCase());
  const name = fold ? author.toLowerCase() : author;
  return sellers.some((s) => {
    const seller = s.replace(/^@/, '');
    return (fold ? seller.toLowerCase() : seller) === name;
  });
}

const sameUser = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** What one message did to each lot, collected while applying it. */
interface Notes {
  changed: Set<string>;
  action: Map<string, LotAction>;
  reason: Map<string, string>;
  /** Lots that refused this message's claim or bid, and why (audit only). */
  refused: Map<string, string>;
}

function refuse(notes: Notes, lot: Lot, reason: string): undefined {
  notes.refused.set(lot.code, reason);
  return undefined;
}

function note(notes: Notes, lot: Lot, action: LotAction, reason?: string): void {
  notes.changed.add(lot.code);
  notes.action.set(lot.code, action);
  if (reason) notes.reason.set(lot.code, reason);
}

/** How the rules read chat (parse.ts by default; a test may read a dialect parse.ts does not know yet). */
export interface ChatReader {
  host(text: string): readonly AnyHostAction[];
  viewer(text: string): AnyViewerAction | null | undefined;
}

const PARSE: ChatReader = { host: parseHostMessage, viewer: parseViewerMessage };

/** Applies one message to the ledger. The state passed in is not modified. */
export function applyMessage(state: LedgerState, message: LedgerMessage, read: ChatReader = PARSE): LedgerStep {
  const draft: LedgerState = { lots: state.lots.map(cloneLot), current: state.current };
  const notes: Notes = { changed: new Set(), action: new Map(), reason: new Map(), refused: new Map() };
  let claim: ClaimOutcome | undefined;
  if (message.host) {
    let announced = false;
    for (const action of read.host(message.text)) {
      if (action.kind === 'announce' && !announced) {
        announced = true;
        // A new announcement moves the show on: the lot on screen closes (unless it is re-announced).
        const cur = findLot(draft, draft.current);
        if (cur && cur.status === 'open' && cur.baseCode !== action.code) close(cur, notes);
      }
      applyHost(draft, action, message, notes);
    }
  } else {
    const action = read.viewer(message.text);
    if (action) claim = applyViewer(draft, action, message, notes);
  }
  const history: LotHistoryEntry[] = [];
  for (const code of notes.changed) {
    const after = draft.lots.find((l) => l.code === code)!;
    const before = state.lots.find((l) => l.code === code) ?? null;
    after.version = (before?.version ?? 0) + 1;
    sync(after);
    const reason = notes.reason.get(code);
    history.push({
      at: message.at,
      by: { kind: 'message', messageId: message.id, username: message.author },
      action: notes.action.get(code)!,
      ...(reason ? { reason } : {}),
      before,
      after: cloneLot(after),
    });
  }
  for (const [code, reason] of notes.refused) {
    if (notes.changed.has(code)) continue;
    const lot = state.lots.find((l) => l.code === code);
    if (!lot) continue;
    history.push({ at: message.at, by: { kind: 'message', messageId: message.id, username: message.author }, action: 'refused', reason, before: lot, after: lot });
  }
  return { state: draft, changed: [...notes.changed], ...(claim ? { claim } : {}), history };
}

/** Applies messages in order; returns the final state, every changed code and the history written. */
export function applyMessages(
  state: LedgerState,
  messages: readonly LedgerMessage[],
  read: ChatReader = PARSE,
): { state: LedgerState; changed: string[]; claims: Map<string, ClaimOutcome>; history: LotHistoryEntry[] } {
  let cur = state;
  const changed = new Set<string>();
  const claims = new Map<string, ClaimOutcome>();
  const history: LotHistoryEntry[] = [];
  for (const m of messages) {
    const step = applyMessage(cur, m, read);
    cur = step.state;
    for (const c of step.changed) changed.add(c);
    if (step.claim) claims.set(m.id, step.claim);
    history.push(...step.history);
  }
  return { state: cur, changed: [...changed], claims, history };
}

/**
 * Brings a lot's derived fields in line with its truth: `price` from `priceCents`, the mirrored marks
 * from the current assignment, and the assignment itself from the winner (a winner without a current
 * assignment gets a new one with fresh marks; a lot whose winner left closes its assignment).
 */
export function sync(lot: Lot, ended: AssignmentState = 'replaced'): void {
  const cur = lot.assignment;
  const winner = lot.winner;
  if (cur && (!winner || !sameUser(cur.username, winner.username) || cur.state === 'replaced' || cur.state === 'withdrawn')) {
    if (cur.state === 'current' || cur.state === 'voided') cur.state = ended;
    lot.assignment = null;
  }
  if (winner && !lot.assignment) {
    const fresh: Assignment = {
      id: `a${lot.assignments.length + 1}`,
      username: winner.username,
      messageId: winner.messageId,
      at: winner.at,
      ...(winner.quantity !== undefined ? { quantity: winner.quantity } : {}),
      ...(winner.size !== undefined ? { size: winner.size } : {}),
      priceCents: winner.bidCents ?? lot.priceCents,
      paid: false,
      packed: false,
      shipped: false,
      state: 'current',
    };
    lot.assignments.push(fresh);
    lot.assignment = fresh;
  }
  if (lot.assignment) {
    if (lot.status === 'void') lot.assignment.state = 'voided';
    else if (lot.assignment.state === 'voided') lot.assignment.state = 'current';
    lot.assignment.priceCents = lot.winner?.bidCents ?? lot.priceCents;
  }
  lot.price = fromCents(lot.priceCents);
  lot.paid = lot.assignment?.paid ?? false;
  lot.packed = lot.assignment?.packed ?? false;
  lot.shipped = lot.assignment?.shipped ?? false;
}

/** A deep copy of a lot (its claims and assignments are objects of their own). */
export function cloneLot(lot: Lot): Lot {
  const assignments = lot.assignments.map((a) => ({ ...a }));
  const current = lot.assignment ? (assignments.find((a) => a.id === lot.assignment!.id) ?? { ...lot.assignment }) : null;
  return {
    ...lot,
    winner: lot.winner ? { ...lot.winner } : null,
    waitlist: lot.waitlist.map((w) => ({ ...w })),
    assignments,
    assignment: current,
    ...(lot.auction ? { auction: { ...lot.auction } } : {}),
  };
}

function findLot(state: LedgerState, code: string | null): Lot | undefined {
  if (code === null) return undefined;
  return state.lots.find((l) => l.code === code);
}

/** The lot a code names: its latest sale, preferring one still open ("A1" after "A1 (2)" opened). */
export function lotFor(state: LedgerState, code: string): Lot | undefined {
  // "A1 (2)" names one sale exactly (corrections); "A1" names the code's open sale, else its latest.
  if (/\(\d+\)$/.test(code)) return state.lots.find((l) => l.code === code);
  const base = normalizeCode(code);
  const all = state.lots.filter((l) => l.baseCode === base);
  return [...all].reverse().find((l) => l.status === 'open') ?? all[all.length - 1];
}

function close(lot: Lot, notes: Notes): void {
  if (lot.status !== 'open') return;
  lot.status = lot.winner ? 'sold' : 'unsold';
  if (lot.auction?.open) lot.auction.open = false;
  note(notes, lot, 'close');
}

function applyHost(state: LedgerState, action: AnyHostAction, message: LedgerMessage, notes: Notes): void {
  switch (action.kind) {
    case 'announce': {
      const cur = findLot(state, state.current);
      if (cur && cur.baseCode === action.code && cur.status === 'open') {
        // The host repeating the lot on screen: fill in what it said this time.
        if (action.title && action.title !== cur.title) cur.title = action.title;
        if (action.price !== null && !cur.auction?.bids) cur.priceCents = toCents(action.price);
        note(notes, cur, 'update');
        return;
      }
      announce(state, action.code, action.title, toCents(action.price), message, notes);
      return;
    }
    case 'assign': {
      const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (!lot || lot.status === 'void') return;
      const wasSold = lot.status === 'sold';
      const displaced = assignWinner(lot, action.username, { messageId: message.id, at: message.at });
      lot.status = 'sold';
      if (lot.auction?.open) lot.auction.open = false;
      if (displaced || !wasSold) note(notes, lot, 'assign', displaced ? `${displaced} reassigned by the host` : undefined);
      return;
    }
    case 'close': {
      const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (lot) close(lot, notes);
      return;
    }
    case 'void': {
      const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (!lot || lot.status === 'void') return;
      lot.status = 'void';
      if (lot.auction?.open) lot.auction.open = false;
      note(notes, lot, 'void', 'voided by the host');
      return;
    }
    case 'price': {
      const lot = findLot(state, state.current);
      if (!lot || lot.status !== 'open' || lot.auction?.bids) return;
      lot.priceCents = toCents(action.price);
      note(notes, lot, 'update');
      return;
    }
    case 'auction': {
      let lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (action.code && (!lot || lot.status !== 'open')) {
        // "auction A1 starts at $15" for a lot not on offer announces it.
        const cur = findLot(state, state.current);
        if (cur && cur.status === 'open') close(cur, notes);
        lot = announce(state, normalizeCode(action.code), null, toCents(action.startPrice), message, notes);
      }
      if (!lot || lot.status !== 'open' || lot.auction?.open) return;
      lot.auction = { open: true, highBidCents: null, bids: 0 };
      if (action.startPrice !== null) lot.priceCents = toCents(action.startPrice);
      note(notes, lot, 'auction');
      return;
    }
    case 'going':
      // The countdown changes nothing; "sold!" closes the auction.
      return;
  }
}

function announce(state: LedgerState, base: string, title: string | null, priceCents: number | null, message: LedgerMessage, notes: Notes): Lot {
  const sales = state.lots.filter((l) => l.baseCode === base).length;
  let code = sales === 0 ? base : `${base} (${sales + 1})`;
  // A seller's hand-made code could already be taken: never merge two lots.
  for (let n = sales + 2; state.lots.some((l) => l.code === code); n++) code = `${base} (${n})`;
  const lot: Lot = {
    code,
    baseCode: base,
    title,
    priceCents,
    price: fromCents(priceCents),
    status: 'open',
    winner: null,
    waitlist: [],
    assignment: null,
    assignments: [],
    paid: false,
    packed: false,
    shipped: false,
    version: 0,
    announcedBy: message.id,
    announcedAt: message.at,
    ord: state.lots.length + 1,
  };
  state.lots.push(lot);
  state.current = code;
  note(notes, lot, 'announce');
  return lot;
}

/**
 * Makes `username` the winner: their own claim (from the waitlist) is kept as evidence, else the
 * given message (the host's, or none for a correction). The previous winner goes to the head of the
 * waitlist (a correction never drops a buyer). Returns the displaced winner's name, if any.
 */
export function assignWinner(lot: Lot, username: string, source: { messageId: string | null; at: string }): string | undefined {
  const name = username.replace(/^@/, '');
  if (lot.winner && sameUser(lot.winner.username, name)) return undefined;
  const previous = lot.winner;
  const i = lot.waitlist.findIndex((w) => sameUser(w.username, name));
  if (i >= 0) {
    lot.winner = lot.waitlist[i]!;
    lot.waitlist.splice(i, 1);
  } else {
    lot.winner = { username: name, messageId: source.messageId, at: source.at };
  }
  if (previous) lot.waitlist.unshift(previous);
  return previous?.username;
}

function applyViewer(state: LedgerState, action: AnyViewerAction, message: LedgerMessage, notes: Notes): ClaimOutcome | undefined {
  const who = message.author;
  if (action.kind === 'withdraw') {
    const lot = action.code
      ? lotFor(state, action.code)
      : [...state.lots].reverse().find((l) => (l.status === 'open' || l.status === 'sold') && involves(l, who));
    if (!lot || !involves(lot, who) || lot.status === 'void') return undefined;
    if (lot.winner && sameUser(lot.winner.username, who)) {
      lot.winner = lot.waitlist.shift() ?? null;
      if (!lot.winner && lot.status === 'sold') lot.status = 'unsold';
      if (lot.auction && lot.winner?.bidCents !== undefined) {
        lot.auction.highBidCents = lot.winner.bidCents;
        lot.priceCents = lot.winner.bidCents;
      }
      sync(lot, 'withdrawn');
      note(notes, lot, 'withdraw', `${who} withdrew as winner`);
    } else {
      lot.waitlist = lot.waitlist.filter((w) => !sameUser(w.username, who));
      note(notes, lot, 'withdraw', `${who} left the waitlist`);
    }
    return undefined;
  }
  if (action.kind === 'bid') return applyBid(state, action, message, notes);
  if (action.kind === 'claim' && action.loose && action.code !== null && !lotFor(state, action.code)) {
    // "sold 2 size M" with no lot 2: two of the lot on screen.
    const quantity = Number(action.code);
    return applyViewer(
      state,
      { kind: 'claim', code: null, ...(quantity >= 1 && quantity <= 20 ? { quantity } : {}), ...(action.size ? { size: action.size } : {}) },
      message,
      notes,
    );
  }
  const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
  if (!lot) return undefined;
  const entry: LotClaim = {
    username: who,
    messageId: message.id,
    at: message.at,
    ...(action.kind === 'claim' && action.quantity !== undefined ? { quantity: action.quantity } : {}),
    ...(action.kind === 'claim' && action.size !== undefined ? { size: action.size } : {}),
  };
  if (action.kind === 'waitlist') {
    if (lot.status !== 'open' && lot.status !== 'sold') return undefined;
    if (lot.winner && sameUser(lot.winner.username, who)) return { code: lot.code, role: 'winner', repeat: true };
    if (lot.waitlist.some((w) => sameUser(w.username, who))) return { code: lot.code, role: 'waitlist', repeat: true };
    lot.waitlist.push(entry);
    note(notes, lot, 'waitlist');
    return { code: lot.code, role: 'waitlist', repeat: false };
  }
  // A claim: only an open lot takes claims ("sold" after the host moved on claims nothing), and an
  // auction is won by bidding, not by claiming. A claim naming its lot is kept for the audit ("I said
  // sold first"); a bare "sold" after the show moved on is chatter about nothing in particular.
  if (lot.status !== 'open') return action.code ? refuse(notes, lot, `${who}'s claim came after the lot was ${lot.status}`) : undefined;
  if (lot.auction?.open) return refuse(notes, lot, `${who} claimed instead of bidding`);
  if (lot.winner && sameUser(lot.winner.username, who)) return { code: lot.code, role: 'winner', repeat: true };
  if (lot.waitlist.some((w) => sameUser(w.username, who))) return { code: lot.code, role: 'waitlist', repeat: true };
  if (!lot.winner) {
    lot.winner = entry;
    note(notes, lot, 'claim');
    return { code: lot.code, role: 'winner', repeat: false };
  }
  lot.waitlist.push(entry);
  note(notes, lot, 'waitlist');
  return { code: lot.code, role: 'waitlist', repeat: false };
}

/** Largest bid taken (a typo of extra zeros is not a bid of a million). */
const MAX_BID_CENTS = 100_000_000;

/**
 * A bid on a lot with an open auction: it must beat the high bid (and reach the starting price). The
 * bidder becomes the winner at the bid's price; the outbid winner goes to the head of the waitlist, so
 * the waitlist stays in bid order, highest first.
 */
function applyBid(state: LedgerState, action: BidAction, message: LedgerMessage, notes: Notes): ClaimOutcome | undefined {
  const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
  if (!lot || lot.status !== 'open' || !lot.auction?.open) return undefined;
  const cents = toCents(action.amount);
  if (cents === null || cents <= 0 || cents > MAX_BID_CENTS) return undefined;
  const high = lot.auction.highBidCents;
  if (high !== null ? cents <= high : lot.priceCents !== null && cents < lot.priceCents) {
    return refuse(notes, lot, high !== null ? `${message.author}'s bid did not beat ${high / 100}` : `${message.author}'s bid was under the start`);
  }
  const who = message.author;
  const previous = lot.winner;
  lot.waitlist = lot.waitlist.filter((w) => !sameUser(w.username, who));
  lot.winner = { username: who, messageId: message.id, at: message.at, bidCents: cents };
  if (previous && !sameUser(previous.username, who)) lot.waitlist.unshift(previous);
  lot.auction.highBidCents = cents;
  lot.auction.bids++;
  lot.priceCents = cents;
  // Same bidder raising: a new winning claim, but the same buyer keeps their assignment.
  if (previous && sameUser(previous.username, who) && lot.assignment) {
    lot.assignment.messageId = message.id;
    lot.assignment.at = message.at;
  }
  note(notes, lot, 'bid', previous && !sameUser(previous.username, who) ? `${previous.username} outbid` : undefined);
  return { code: lot.code, role: 'winner', repeat: false };
}

function involves(lot: Lot, who: string): boolean {
  return (lot.winner !== null && sameUser(lot.winner.username, who)) || lot.waitlist.some((w) => sameUser(w.username, who));
}

/** The open lots (for the classifier's offer context: a claim on an open lot is a claim on something). */
export function openLots(state: LedgerState): string[] {
  return state.lots.filter((l) => l.status === 'open').map((l) => l.code);
}
