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
 *
 * Pure: state in, state out; ingest and the HTTP corrections carry the result to storage.
 */
import { normalizeCode, parseHostMessage, parseViewerMessage, type HostAction, type ViewerAction } from './parse.ts';

import { toCents, type Lot, type LotClaim } from './sale.ts';

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
}

/** An empty ledger. */
export function emptyLedger(): LedgerState {
  return { lots: [], current: null };
}

/** Badges that mark the host (after capture's normalization, plus raw spellings). */
export const HOST_BADGE_NAMES: readonly string[] = ['owner', 'host', 'broadcaster', 'seller'];

/** Whether a message's author is the host: a host badge, or one of the seller names given at start. */
export function isHostAuthor(author: string, badges: readonly string[], sellers: readonly string[]): boolean {
  if (badges.some((b) => HOST_BADGE_NAMES.includes(b.toLowerCase()))) return true;
  const name = author.replace(/^@/, '').toLowerCase();
  return sellers.some((s) => s.replace(/^@/, '').toLowerCase() === name);
}

const sameUser = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Applies one message to the ledger. The state passed in is not modified. */
export function applyMessage(state: LedgerState, message: LedgerMessage): LedgerStep {
  const draft: LedgerState = { lots: state.lots.map(cloneLot), current: state.current };
  const changed = new Set<string>();
  let claim: ClaimOutcome | undefined;
  if (message.host) {
    let announced = false;
    for (const action of parseHostMessage(message.text)) {
      if (action.kind === 'announce' && !announced) {
        announced = true;
        // A new announcement moves the show on: the lot on screen closes (unless it is re-announced).
        const cur = findLot(draft, draft.current);
        if (cur && cur.status === 'open' && cur.baseCode !== action.code) close(cur, changed);
      }
      applyHost(draft, action, message, changed);
    }
  } else {
    const action = parseViewerMessage(message.text);
    if (action) claim = applyViewer(draft, action, message, changed);
  }
  return { state: draft, changed: [...changed], ...(claim ? { claim } : {}) };
}

/** Applies messages in order; returns the final state and every changed code. */
export function applyMessages(state: LedgerState, messages: readonly LedgerMessage[]): { state: LedgerState; changed: string[]; claims: Map<string, ClaimOutcome> } {
  let cur = state;
  const changed = new Set<string>();
  const claims = new Map<string, ClaimOutcome>();
  for (const m of messages) {
    const step = applyMessage(cur, m);
    cur = step.state;
    for (const c of step.changed) changed.add(c);
    if (step.claim) claims.set(m.id, step.claim);
  }
  return { state: cur, changed: [...changed], claims };
}

function cloneLot(lot: Lot): Lot {
  return { ...lot, winner: lot.winner ? { ...lot.winner } : null, waitlist: lot.waitlist.map((w) => ({ ...w })) };
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

function close(lot: Lot, changed: Set<string>): void {
  if (lot.status !== 'open') return;
  lot.status = lot.winner ? 'sold' : 'unsold';
  changed.add(lot.code);
}

function applyHost(state: LedgerState, action: HostAction, message: LedgerMessage, changed: Set<string>): void {
  switch (action.kind) {
    case 'announce': {
      const cur = findLot(state, state.current);
      if (cur && cur.baseCode === action.code && cur.status === 'open') {
        // The host repeating the lot on screen: fill in what it said this time.
        if (action.title && action.title !== cur.title) cur.title = action.title;
        if (action.price !== null) cur.price = action.price;
        changed.add(cur.code);
        return;
      }
      const sales = state.lots.filter((l) => l.baseCode === action.code).length;
      let code = sales === 0 ? action.code : `${action.code} (${sales + 1})`;
      // A seller's hand-made code could already be taken: never merge two lots.
      for (let n = sales + 2; state.lots.some((l) => l.code === code); n++) code = `${action.code} (${n})`;
      state.lots.push({
        code,
        baseCode: action.code,
        title: action.title,
        priceCents: toCents(action.price),
        price: action.price,
        status: 'open',
        winner: null,
        waitlist: [],
        assignment: null,
        assignments: [],
        version: 1,
        paid: false,
        packed: false,
        shipped: false,
        announcedBy: message.id,
        announcedAt: message.at,
        ord: state.lots.length + 1,
      });
      state.current = code;
      changed.add(code);
      return;
    }
    case 'assign': {
      const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (!lot || lot.status === 'void') return;
      assignWinner(lot, action.username, { messageId: message.id, at: message.at });
      lot.status = 'sold';
      changed.add(lot.code);
      return;
    }
    case 'close': {
      const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (lot) close(lot, changed);
      return;
    }
    case 'void': {
      const lot = action.code ? lotFor(state, action.code) : findLot(state, state.current);
      if (!lot || lot.status === 'void') return;
      lot.status = 'void';
      changed.add(lot.code);
      return;
    }
    case 'price': {
      const lot = findLot(state, state.current);
      if (!lot || lot.status !== 'open') return;
      lot.price = action.price;
      changed.add(lot.code);
      return;
    }
  }
}

/**
 * Makes `username` the winner: their own claim (from the waitlist) is kept as evidence, else the
 * given message (the host's, or none for a correction). The previous winner is dropped, not waitlisted:
 * the host or seller reassigning means that claim did not stand.
 */
export function assignWinner(lot: Lot, username: string, source: { messageId: string | null; at: string }): void {
  const name = username.replace(/^@/, '');
  if (lot.winner && sameUser(lot.winner.username, name)) return;
  const i = lot.waitlist.findIndex((w) => sameUser(w.username, name));
  if (i >= 0) {
    lot.winner = lot.waitlist[i]!;
    lot.waitlist.splice(i, 1);
  } else {
    lot.winner = { username: name, messageId: source.messageId, at: source.at };
  }
}

function applyViewer(state: LedgerState, action: ViewerAction, message: LedgerMessage, changed: Set<string>): ClaimOutcome | undefined {
  const who = message.author;
  if (action.kind === 'withdraw') {
    const lot = action.code
      ? lotFor(state, action.code)
      : [...state.lots].reverse().find((l) => (l.status === 'open' || l.status === 'sold') && involves(l, who));
    if (!lot || !involves(lot, who) || lot.status === 'void') return undefined;
    if (lot.winner && sameUser(lot.winner.username, who)) {
      lot.winner = lot.waitlist.shift() ?? null;
      if (!lot.winner && lot.status === 'sold') lot.status = 'unsold';
    } else {
      lot.waitlist = lot.waitlist.filter((w) => !sameUser(w.username, who));
    }
    changed.add(lot.code);
    return undefined;
  }
  if (action.kind === 'claim' && action.loose && action.code !== null && !lotFor(state, action.code)) {
    // "sold 2 size M" with no lot 2: two of the lot on screen.
    const quantity = Number(action.code);
    return applyViewer(
      state,
      { kind: 'claim', code: null, ...(quantity >= 1 && quantity <= 20 ? { quantity } : {}), ...(action.size ? { size: action.size } : {}) },
      message,
      changed,
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
    changed.add(lot.code);
    return { code: lot.code, role: 'waitlist', repeat: false };
  }
  // A claim: only an open lot takes claims ("sold" after the host moved on claims nothing).
  if (lot.status !== 'open') return undefined;
  if (lot.winner && sameUser(lot.winner.username, who)) return { code: lot.code, role: 'winner', repeat: true };
  if (lot.waitlist.some((w) => sameUser(w.username, who))) return { code: lot.code, role: 'waitlist', repeat: true };
  if (!lot.winner) {
    lot.winner = entry;
    changed.add(lot.code);
    return { code: lot.code, role: 'winner', repeat: false };
  }
  lot.waitlist.push(entry);
  changed.add(lot.code);
  return { code: lot.code, role: 'waitlist', repeat: false };
}

function involves(lot: Lot, who: string): boolean {
  return (lot.winner !== null && sameUser(lot.winner.username, who)) || lot.waitlist.some((w) => sameUser(w.username, who));
}

/** The open lots (for the classifier's offer context: a claim on an open lot is a claim on something). */
export function openLots(state: LedgerState): string[] {
  return state.lots.filter((l) => l.status === 'open').map((l) => l.code);
}
