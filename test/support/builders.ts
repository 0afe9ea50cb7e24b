/**
 * Builders of the domain's values for tests, in one light module (no backend, no browser): a chat message
 * as capture delivers it, a session as the service upserts it. Unit tests and specs share them.
 */
import type { Lot } from '../../src/domain/events.ts';
import type { ChatMessage, SessionInfo } from '../../src/domain/message.ts';

let counter = 0;

/** A chat message as capture would deliver it. */
export function chat(text: string, author = 'viewer', overrides: Partial<ChatMessage> = {}): ChatMessage {
  counter++;
  return {
    id: `m-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    platform: 'whatnot',
    author: { name: author, badges: [] },
    text,
    capturedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + counter * 1000).toISOString(),
    backfill: false,
    ...overrides,
  };
}

/** A live Whatnot session as the service would upsert it; `overrides` change any field. */
export function sessionInfo(sessionId: string, overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    sessionId,
    url: `https://www.whatnot.com/live/${sessionId}`,
    platform: 'whatnot',
    source: 'browser',
    status: 'live',
    messageCount: 0,
    buyerCount: 0,
    lastMessageAt: null,
    startedAt: '2026-01-01T11:00:00.000Z',
    ...overrides,
  };
}

/** An open lot with no claims yet (the ledger's shape); `overrides` change any field. */
export function ledgerLot(overrides: Partial<Lot> = {}): Lot {
  return {
    code: 'A1',
    baseCode: 'A1',
    title: 'beanie',
    priceCents: 1800,
    price: 18,
    status: 'open',
    winner: null,
    waitlist: [],
    assignment: null,
    assignments: [],
    paid: false,
    packed: false,
    shipped: false,
    version: 1,
    announcedBy: 'hannah',
    announcedAt: '2026-01-01T00:00:00.000Z',
    ord: 1,
    ...overrides,
  };
}
