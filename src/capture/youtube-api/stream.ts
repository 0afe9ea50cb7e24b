/**
 * Server streaming (liveChat/messages/stream): one long response pushes pages as chat happens, each with
 * a nextPageToken. A dropped connection resumes from the last token, so nothing is lost or repeated.
 */
import type { LiveChatApi } from './client.ts';
import { classifyFailure } from './errors.ts';
import type { ChatCursor } from './poller.ts';
import type { LiveChatMessageListResponse } from './youtube.external.ts';

export interface StreamLoop {
  api: LiveChatApi;
  cursor: ChatCursor;
  liveChatId: string;
  sessionId: string;
  signal: AbortSignal;
  /** Hands one page to the session; returns true when the chat is over. */
  deliver(page: LiveChatMessageListResponse): boolean;
}

/** How one streaming connection ended. */
export interface StreamOutcome {
  /** The chat is over (offlineAt or chatEndedEvent). */
  ended: boolean;
  /** Pages this connection delivered. */
  pages: number;
  /** Chat items in those pages (heartbeat pages carry none). */
  items: number;
  /** Set when the connection broke after delivering pages (resume it; not a failure of the chat). */
  dropped?: unknown;
}

/**
 * Reads one streaming connection to its end. Rejects with the API error when the connection could
 * not start or broke before delivering anything, so the caller backs off (or falls back to polling).
 */
export async function streamLiveChat(loop: StreamLoop): Promise<StreamOutcome> {
  const { cursor, signal } = loop;
  let pages = 0;
  let items = 0;
  try {
    for await (const page of loop.api.streamMessages(loop.liveChatId, cursor.pageToken, { sessionId: loop.sessionId, signal })) {
      pages++;
      items += Array.isArray(page.items) ? page.items.length : 0;
      const ended = loop.deliver(page);
      if (typeof page.nextPageToken === 'string' && page.nextPageToken) cursor.pageToken = page.nextPageToken;
      if (ended || signal.aborted) return { ended, pages, items };
    }
  } catch (error) {
    if (pages > 0 && !signal.aborted && classifyFailure(error) === 'transient') return { ended: false, pages, items, dropped: error };
    throw error;
  }
  return { ended: false, pages, items };
}
