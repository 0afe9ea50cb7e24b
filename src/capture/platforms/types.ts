/** What an adapter tells capture about one platform: mostly data (URL patterns, selectors, frame parsers). */
import type { ChatMessage, Platform } from '../../domain/message.ts';

/** How the in-page agent finds and reads chat rows. All selectors are CSS; lists may be comma-separated. */
export interface DomSpec {
  /** The chat list element that holds the rows. */
  container: string;
  /** One chat row, searched inside the container. */
  row: string;
  /** The author name inside a row. */
  author: string;
  /** The message text inside a row (author text inside it is removed; images count by their alt). */
  text: string;
  /** Attribute of the row element that holds a stable platform message id, e.g. `id` on YouTube rows. */
  idAttribute?: string;
  /** Selector inside the row whose presence, or an attribute on the row, marks it deleted. */
  deleted?: string;
  /** Rows matching this are not chat (recommended-show cards, system banners). */
  exclude?: string;
  /** Badges inside a row: each match gives a badge from `attribute`, else alt/aria-label/title/text. */
  badges?: { selector: string; attribute?: string };
  /** Attribute on the row holding the author's platform id or login. */
  authorIdAttribute?: string;
  /** Paid-message amount inside a row (e.g. YouTube's #purchase-amount). */
  paidAmount?: string;
  /** Anywhere in the document: a visible match means the stream is over (an "ended" banner). */
  ended?: string;
}

/** A chat message as a network parser produces it: capture stamps platform and capture time. */
export type NetworkChatMessage = Omit<ChatMessage, 'capturedAt' | 'backfill' | 'platform'> & { backfill?: boolean };

/** An event parsed from the page's own network traffic (WebSocket frames, JSON responses). */
export type NetworkChatEvent =
  | { type: 'message'; message: NetworkChatMessage }
  | { type: 'deleted'; messageId: string }
  /** A ban or timeout: the platform removes every message of this author (their author.id). */
  | { type: 'author_removed'; authorId: string }
  | { type: 'ended'; detail?: string }
  /** The platform's own id of the show the page is on now (a channel that goes live again gets a new one). */
  | { type: 'show'; showId: string }
  /** A binary frame or event that did not decode (garbled bytes, a changed schema): dropped and counted. */
  | { type: 'undecoded'; detail?: string };

export interface NetworkSpec {
  /** Parses one WebSocket text frame the page received. Returns [] for frames that are not chat. */
  parseWebSocketFrame?(payload: string, socketUrl: string): NetworkChatEvent[];
  /** Parses one binary WebSocket frame (TikTok's protobuf), decoded once from CDP's base64. */
  parseBinaryFrame?(bytes: Uint8Array, socketUrl: string): NetworkChatEvent[];
  /** Responses whose bodies carry chat: JSON (YouTube's get_live_chat) or the chat page's own HTML (ytInitialData). */
  responseUrlPattern?: RegExp;
  /** Parses one response body whose URL matched `responseUrlPattern`. Returns [] when it holds no chat. */
  parseResponse?(body: string, url: string): NetworkChatEvent[];
  /** Like parseResponse for binary bodies (TikTok's protobuf `im/fetch`): the raw bytes. Wins over parseResponse. */
  parseResponseBytes?(body: Uint8Array, url: string): NetworkChatEvent[];
}

export interface PlatformAdapter {
  platform: Platform;
  /** A name for adapters that are not built in (JSON adapters under DATA_DIR/adapters report platform 'generic'). */
  name?: string;
  /** Whether this adapter handles a URL. */
  matches(url: URL): boolean;
  /** The lightest page that shows the chat for this URL (e.g. a popout). Defaults to the URL itself. */
  chatUrl?(url: URL): string;
  dom: DomSpec;
  network?: NetworkSpec;
  /**
   * Which stream a page URL shows (e.g. the TikTok host's @name). When the page moves on to a URL with
   * another identity (TikTok scrolls on to the next live), the stream we watched is over.
   */
  streamIdentity?(url: URL): string | undefined;
  /** Reload the page when no chat arrived for CHAT_STALL_RELOAD_MS (YouTube's web chat stalls silently). */
  reloadWhenStalled?: boolean;
}
