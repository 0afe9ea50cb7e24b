/**
 * The contract between a browser session (BrowserSource) and its network path (NetworkTap): what the
 * path is given for each page the session opens, and what it may do with it. Types only.
 */
import type { ChatMessage, SessionStatus } from '../../domain/message.ts';

/** The part of a CDP session a network path uses (puppeteer's CDPSession satisfies it). */
export interface CdpClient {
  on(event: string, handler: (params: any) => void): unknown;
  send(method: string, params?: Record<string, unknown>): Promise<any>;
}

/** What a network path may do with one page of the session; BrowserSource hands it on to the merger. */
export interface NetworkContext {
  /** Messages parsed from the page's traffic, in order; the merger drops those the DOM already delivered. */
  emit(messages: ChatMessage[]): void;
  deleted(ids: string[]): void;
  status(status: SessionStatus, detail?: string): void;
  /** The platform's own id of the show the page is on (see SourceSink.show). */
  show?(showId: string): void;
}

/** A second capture path beside the DOM, reading the page's own traffic. */
export interface NetworkPath {
  /** Subscribes to one page's CDP session; runs for every page the session opens (first load, recoveries). */
  attach(client: CdpClient, context: NetworkContext): Promise<void> | void;
  /** Whether it reads chat (then DOM rows are reconciled with it) or only watches the page's navigation. */
  readonly readsChat: boolean;
  /** Its counters for the session's diagnostics. */
  describe?(): Record<string, unknown>;
}
