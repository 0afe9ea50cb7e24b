/** The narrow interface between capture and the pipeline: a source of chat for one session. */
import type { ChatMessage, SessionStatus, SourceKind } from '../domain/message.ts';
import type { StartRequest } from '../domain/session.ts';
import type { PlatformAdapter } from './platforms/types.ts';
import { describeError, isEarshotError } from '../errors.ts';

/**
 * The status detail for a source that failed: it names the failure's code when there is one
 * (`url_not_allowed: ...`, `invalid_selectors: ...`), so a client can tell why without parsing prose.
 */
export function failureDetail(error: unknown): string {
  return isEarshotError(error) ? `${error.code}: ${error.message}` : describeError(error);
}

/** Where a source delivers what it captures. */
export interface SourceSink {
  /** New messages in stream order. The pipeline deduplicates; sources should still not repeat. */
  messages(batch: ChatMessage[]): void;
  /** Messages the platform deleted (moderation). */
  deleted(messageIds: string[], reason?: string): void;
  /** Source status changes (live, recovering, no_chat_found, ended, error, quota_exhausted...). */
  status(status: SessionStatus, detail?: string): void;
  /**
   * The platform's own id of the show being captured (a Kick livestream id...), when the page reveals
   * it. A different id later means the channel went live again: that is a new show.
   */
  show?(showId: string): void;
  /** The show's title as the page names it (its document title); raw page text, cleaned by the pipeline. */
  title?(title: string): void;
}

/** Where a reply goes, as the source knows it. */
export interface ChatTarget {
  /** YouTube: the live chat the API source reads (replies post to it without looking it up again). */
  liveChatId?: string;
}

export interface ChatSource {
  readonly kind: SourceKind;
  /** Starts capturing; resolves once the source is running (not necessarily live yet). */
  start(): Promise<void>;
  /** Stops capturing and releases everything the source holds. Idempotent. */
  stop(): Promise<void>;
  /** Reconnects (a browser source reloads its page): what source health asks when chat stalls. */
  recover?(reason: string): Promise<void>;
  /** A current picture of the page, for sources that have one. */
  screenshot?(): Promise<Buffer>;
  /** Extra facts for /api/sessions and /health (quota used, path in use...). */
  describe?(): Record<string, unknown>;
  /** What reply delivery needs to speak in this chat, beyond the URL (YouTube: the live chat id). */
  chatTarget?(): ChatTarget;
  /** State that lets a new source for the same session continue where this one stopped (after a restart). */
  saveState?(): unknown;
  /** The state `saveState` returned is now durable (sessions.json written): what it covers may be forgotten. */
  stateSaved?(state: unknown): void;
}

export interface SourceFactoryInput {
  sessionId: string;
  url: URL;
  request: StartRequest;
  adapter: PlatformAdapter;
  source: SourceKind;
  sink: SourceSink;
  /** Prefix for stream-position message ids; unique per session run (identity.ts `runPrefix`). */
  idPrefix: string;
  /** What a previous source of this session saved (restart), for the source to continue from. */
  resumeState?: unknown;
}

/** Builds the source for a session (main.ts decides browser vs API). */
export type SourceFactory = (input: SourceFactoryInput) => ChatSource;
