/** Chat messages and sessions: the domain types every layer speaks. Wire formats convert into these once. */

/**
 * The platforms' names. The platforms themselves are registered in src/capture/platforms/registry.ts (the
 * domain imports nothing from the rest of src); the registry does not compile unless it names exactly these.
 */
export const PLATFORMS = ['whatnot', 'youtube', 'twitch', 'kick', 'tiktok', 'generic'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Badge names are normalized across platforms. */
export type Badge = 'owner' | 'moderator' | 'vip' | 'subscriber' | 'member' | 'verified' | (string & {});

export interface ChatAuthor {
  name: string;
  id?: string;
  badges: Badge[];
}

/** A paid message (Super Chat, Super Sticker, tip...). */
export interface PaidInfo {
  amount: number;
  currency: string;
  /** The platform's own display string, e.g. "$5.00". */
  display?: string;
}

/** One chat message, exactly once per session. `id` is the platform id or a stream-position id. */
export interface ChatMessage {
  id: string;
  platform: Platform;
  author: ChatAuthor;
  text: string;
  /** When the platform says it was sent (ISO 8601), if it says. */
  sentAt?: string;
  /** When Earshot captured it (ISO 8601). */
  capturedAt: string;
  /** True for messages that were already on the page when monitoring started. */
  backfill: boolean;
  kind?: 'text' | 'paid' | 'membership' | 'sticker' | 'system';
  paid?: PaidInfo;
}

/** The longest chat text we keep; longer text is cut (chat text is hostile input). */
export const MAX_TEXT_LENGTH = 2_000;
/** The longest author name we keep. */
export const MAX_AUTHOR_LENGTH = 200;

/** Trims, collapses control characters and caps length: every captured field goes through here. */
export function sanitizeText(value: unknown, max: number = MAX_TEXT_LENGTH): string {
  if (typeof value !== 'string') return '';
  // Control characters (except common whitespace) never reach storage or dashboards.
  // eslint-disable-next-line no-control-regex
  const cleaned = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').replace(/\s+/g, ' ').trim();
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

export const SESSION_STATUSES = [
  'starting',
  'live',
  'recovering',
  'no_chat_found',
  'quota_exhausted',
  'ended',
  'error',
  'stopped',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Where a session's messages come from. */
export type SourceKind = 'browser' | 'api';

/** CSS selectors a user gives for a page Earshot has no adapter for. */
export interface SelectorSet {
  container: string;
  row: string;
  author: string;
  text: string;
  /** Selector (within the row) or `@attr` naming an attribute that holds a stable message id. */
  id?: string;
}

/** What the session list shows (GET /api/sessions). */
export interface SessionInfo {
  sessionId: string;
  url: string;
  platform: Platform;
  source: SourceKind;
  status: SessionStatus;
  detail?: string;
  messageCount: number;
  buyerCount: number;
  lastMessageAt: string | null;
  startedAt: string;
  /** The seller who started the show (Supabase user id), when the service has accounts. */
  ownerId?: string;
  /** The host's usernames (start-monitoring's `seller`): their messages announce lots. */
  /** The platform's own id of this show (a Kick livestream id), when the page reveals it. */
  platformShowId?: string;
  sellers?: string[];
  /** Cluster mode: the instance running the show (INSTANCE_ID; null while it waits for one). */
  instance?: string | null;
}
