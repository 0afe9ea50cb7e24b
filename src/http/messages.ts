/**
 * Message history: GET /api/sessions/:id/messages?q=&limit=&before= (newest first, full-text q, cursor
 * paging), and GET /api/messages?q= (the same search over the caller's shows at once).
 */
import { Router } from 'express';
import { z } from 'zod';
import { userOf } from '../auth/middleware.ts';
import type { Backend, MessagePage } from '../backend/types.ts';
import type { SessionInfo } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';
import { describeZod } from './errors.ts';
import { isLiveStatus, ledgerBuyers, summarizeLots } from '../../supabase/functions/_shared/ledger/sale.ts';

export const MessagesQuery = z.object({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** An ISO time, or the `nextCursor` of the previous page. */
  before: z.string().trim().min(1).max(200).optional(),
});

/** GET /api/messages: a search over every show the caller may see. */
export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The newest shows a search across shows reads (one full-text query each): bounded work per request. */
export const SEARCH_SHOWS = 50;
/** How many of those queries run at once (the backend's pool is shared with ingest). */
const SEARCH_PARALLEL = 4;

export const BuyersQuery = z.object({ limit: z.coerce.number().int().min(1).max(5_000).default(1_000) });

/** The question the routes ask the session manager: is there such a session, and may this caller see it? */
export interface KnownSessions {
  get(sessionId: string, viewer?: string): SessionInfo | undefined;
  list(viewer?: string): SessionInfo[];
}

/** 404 session_not_found for a session the caller cannot see: unknown, or another seller's. */
export function requireSession(sessions: KnownSessions, sessionId: string, viewer: string | undefined): SessionInfo {
  if (sessionId.length > 200) throw new EarshotError('invalid_body', 'Session id too long');
  const info = sessions.get(sessionId, viewer);
  if (!info) throw new EarshotError('session_not_found', `No session ${sessionId.slice(0, 100)}`, { sessionId });
  return info;
}

/**
 * Answers `{sessionId, messages, nextCursor}`; `nextCursor` is null on the last page. History outlives a
 * show (stopped and ended sessions stay listed, across restarts); a session the caller cannot see is a 404,
 * like GET /api/sessions/:id.
 */
export function messageRoutes(backend: Pick<Backend, 'listMessages' | 'listLots' | 'listInterested'>, sessions: KnownSessions): Router {
  const router = Router();
  /**
   * `{q, messages: [message + sessionId, showTitle], shows, moreShows}`: the caller's newest SEARCH_SHOWS
   * shows searched like one show is, merged newest first. Only the caller's shows are read (the list is
   * theirs), so another seller's messages never appear.
   */
  router.get('/api/messages', async (req, res) => {
    const parsed = SearchQuery.safeParse(firstValues(req.query));
    if (!parsed.success) throw new EarshotError('invalid_body', describeZod(parsed.error));
    const { q, limit } = parsed.data;
    const shows = sessions.list(userOf(res)).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    const searched = shows.slice(0, SEARCH_SHOWS);
    const hits: Array<MessagePage['messages'][number] & { sessionId: string; showTitle: string | null }> = [];
    // A few at a time, not all at once: a seller with 50 past shows must not take the whole pool.
    for (let i = 0; i < searched.length; i += SEARCH_PARALLEL) {
      const group = searched.slice(i, i + SEARCH_PARALLEL);
      const pages = await Promise.all(group.map((s) => backend.listMessages(s.sessionId, { q, limit })));
      pages.forEach((page, j) => {
        for (const m of page.messages) hits.push({ ...m, sessionId: group[j]!.sessionId, showTitle: group[j]!.title ?? null });
      });
    }
    hits.sort((a, b) => b.capturedAt.localeCompare(a.capturedAt));
    res.json({ q, messages: hits.slice(0, limit), shows: searched.length, moreShows: shows.length > searched.length });
  });
  router.get('/api/sessions/:id/messages', async (req, res) => {
    const sessionId = req.params.id;
    requireSession(sessions, sessionId, userOf(res));
    const parsed = MessagesQuery.safeParse(firstValues(req.query));
    if (!parsed.success) throw new EarshotError('invalid_body', describeZod(parsed.error));
    const page = await backend.listMessages(sessionId, {
      q: parsed.data.q || undefined,
      limit: parsed.data.limit,
      before: parsed.data.before,
    });
    res.json({ sessionId, ...page });
  });
  /**
   * The ledger's buyers (winners of sold and pending lots, the same people the summary counts) and the
   * interested viewers (purchase intent no lot holds: leads, not buyers). `?limit=` caps each list.
   */
  router.get('/api/sessions/:id/buyers', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const parsed = BuyersQuery.safeParse(firstValues(req.query));
    if (!parsed.success) throw new EarshotError('invalid_body', describeZod(parsed.error));
    if (!backend.listLots) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
    const live = isLiveStatus(info.status);
    const lots = await backend.listLots(info.sessionId);
    const interested = backend.listInterested ? await backend.listInterested(info.sessionId) : [];
    res.json({
      sessionId: info.sessionId,
      buyers: ledgerBuyers(lots, { live }).slice(0, parsed.data.limit),
      interested: interested.slice(0, parsed.data.limit),
      summary: { ...summarizeLots(lots, { live }), interested: interested.length },
    });
  });
  return router;
}

/** `?q=a&q=b` arrives as an array: the first value counts. */
function firstValues(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) out[key] = Array.isArray(value) ? value[0] : value;
  return out;
}
