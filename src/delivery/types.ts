/**
 * Reply delivery: the narrow interface every way of saying something in a chat implements (the YouTube
 * Data API, typing into a browser page), and the error that says whether trying again can help.
 */
import type { Platform, SourceKind } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';

/** Where a reply goes: a running session and how it was set up. */
export interface DeliveryTarget {
  sessionId: string;
  /** The monitored URL. */
  url: string;
  platform: Platform;
  source: SourceKind;
  /** The session's signed-in browser profile (DATA_DIR/profiles/<name>.json), if any. */
  profile: string | null;
  /** YouTube: the live chat id the API source already knows. */
  liveChatId?: string;
}

/** One way of delivering replies into chats. */
export interface ReplyTransport {
  readonly name: string;
  /** Whether this transport can speak in the target's chat. */
  accepts(target: DeliveryTarget): boolean;
  /** Says `text` in the chat. Throws DeliveryError (or anything, which counts as retryable). */
  send(target: DeliveryTarget, text: string): Promise<{ platformReplyId?: string }>;
  /** Releases everything (pages, timers). */
  close?(): Promise<void>;
}

/**
 * A failed delivery (code `delivery_failed`). `reason` is short and stable (the platform's reason or
 * ours) and is what the reply records; never holds secrets.
 */
export class DeliveryError extends EarshotError {
  readonly reason: string;
  /** True when the same reply may succeed later (network, 5xx, rate limits). */
  readonly retryable: boolean;
  constructor(reason: string, retryable: boolean, message: string = reason, options?: { cause?: unknown }) {
    super('delivery_failed', message, { reason, retryable }, options);
    this.name = 'DeliveryError';
    this.reason = reason;
    this.retryable = retryable;
  }
}
