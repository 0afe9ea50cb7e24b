/** What starting a session asks for: shared by the HTTP layer, the session manager, its store and the sources. */
import type { Platform, SelectorSet, SourceKind } from './message.ts';

/** What POST /api/start-monitoring accepts (validated by the HTTP layer). */
export interface StartRequest {
  url: string;
  sessionId?: string;
  platform?: Platform;
  source?: SourceKind;
  selectors?: SelectorSet;
  /** For API sources: fall back to the browser when the API cannot serve (quota exhausted). */
  fallback?: boolean;
  /** The signed-in seller starting the show (accounts); set by the HTTP layer from the token, never from the body. */
  ownerId?: string;
  /** The host's usernames (start-monitoring's `seller`): their messages announce lots. */
  seller?: string[];
}
