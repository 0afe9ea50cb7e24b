/** Chat messages and sessions: the domain types every layer speaks. Wire formats convert into these once. */
import type { ChatAuthor, ChatMessage as ContractMessage, PaidInfo, SessionSales, SourceHealth } from '../../supabase/functions/_shared/contract.ts';

/**
 * The platforms' names. The platforms themselves are registered in src/capture/platforms/registry.ts (the
 * domain imports nothing from the rest of src); the registry does not compile unless it names exactly these.
 */
export const PLATFORMS = ['whatnot', 'youtube', 'twitch', 'kick', 'tiktok', 'generic'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Badge names are normalized across platforms. */
export type Badge = 'owner' | 'moderator' | 'vip' | 'subscriber' | 'member' | 'verified' | (string & {});

/** Who wrote a message and what they paid: the contract's types (supabase/functions/_shared/contract.ts). */
export type { ChatAuthor, PaidInfo };

/**
 * One chat message, exactly once per session. `id` is the platform id or a stream-position id. The
 * contract's message, narrowed to the platforms the service knows.
 */
export type ChatMessage = ContractMessage<Platform>;

/** The caps and the sanitizer of chat text (hostile input), shared with the backend core. */
export { MAX_AUTHOR_LENGTH, MAX_ID_LENGTH, MAX_TEXT_LENGTH, sanitizeText } from '../../supabase/functions/_shared/text.ts';

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
  /** The ledger's buyers: distinct winners of sold lots plus those of pending lots (sales.buyers + pending buyers). */
  buyerCount: number;
  /** The show's sales as the ledger counts them (lot_update's summary); absent before the first lot. */
  sales?: SessionSales;
  lastMessageAt: string | null;
  startedAt: string;
  /** The seller who started the show (Supabase user id), when the service has accounts. */
  ownerId?: string;
  /** The platform's own id of this show (a Kick livestream id), when the page reveals it. */
  platformShowId?: string;
  /** The host's usernames (start-monitoring's `seller`): their messages announce lots. */
  sellers?: string[];
  /** The show's title (src/domain/show-title.ts): the page's, until the seller names it. */
  title?: string;
  /** Who gave the title: the page, or the seller (then the page's no longer replaces it). */
  titleBy?: 'page' | 'seller';
  /** Cluster mode: the instance running the show (INSTANCE_ID; null while it waits for one). */
  instance?: string | null;
  /** The source's health as of now (src/pipeline/source-health.ts), on the instance that runs the show. */
  health?: SourceHealth;
}
