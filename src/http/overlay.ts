/**
 * The on-stream overlay over HTTP (src/overlay/view.ts says what a link may do):
 *
 *   POST /api/sessions/:id/overlay-link   -> 201 {sessionId, url, token, createdAt}: a new link, shown once;
 *                                            the show's older link stops working (and its pages are closed)
 *   GET  /api/sessions/:id/overlay        -> {sessionId, hasLink, linkCreatedAt, featured}
 *   PUT  /api/sessions/:id/featured       {messageId | null} -> {sessionId, featured}: shown on the overlay
 *   GET  /overlay/:sessionId?token=       the overlay page (for an OBS browser source)
 *   GET  /overlay/:sessionId/state        the overlay's state; the token as `x-overlay-token` or `?token=`
 *
 * The /api routes are the seller's (signed in, their own shows: another's is 404). The /overlay routes ask
 * for nothing but the link's token: a token that is unknown, replaced, or another show's is the same 401
 * `invalid_overlay_token`, so a link never tells whether some other show exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { userOf } from '../auth/middleware.ts';
import type { Lot } from '../backend/types.ts';
import type { SessionEventBody } from '../domain/events.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';
import { featuredFrom, newOverlayToken, overlayLot, overlayTokenHash } from '../overlay/view.ts';
import { FeaturedBody, type OverlayState } from '../../supabase/functions/_shared/contract.ts';
import type { OverlayStore } from '../../supabase/functions/_shared/overlay/store.ts';
import { dashboardIndex } from './app.ts';
import { requireSession, type KnownSessions } from './messages.ts';
import { parseBody } from './sessions.ts';

/**
 * The overlay page's own policy, stricter than the dashboard's: its scripts and styles from this origin
 * only, its one connection back here (the state and /ws), nothing framed, no forms.
 */
export const OVERLAY_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The built overlay page of a dashboard build (re-read when rebuilt); undefined while it is not built. */
export function overlayPage(webDist: string): () => string | undefined {
  const file = path.join(webDist, 'overlay.html');
  const read = dashboardIndex(file, []);
  return () => (fs.existsSync(file) ? read() : undefined);
}

export interface OverlayRoutesOptions {
  /** Undefined where no database is reachable for it (Supabase mode without SUPABASE_DB_URL). */
  store: OverlayStore | undefined;
  sessions: KnownSessions;
  listLots: ((sessionId: string) => Promise<Lot[]>) | undefined;
  /** Where featured_message and overlay_link_changed go (the session manager's publish). */
  publish: (sessionId: string, body: SessionEventBody) => void;
  /** The show's seq now (the hub's), read before the state so /ws resumes from it. */
  lastSeq: (sessionId: string) => number;
  /** A message still in the hub's ring (newer than storage may hold yet). */
  recentMessage: (sessionId: string, messageId: string) => ChatMessage | undefined;
  /** The built overlay page (web/dist/overlay.html); undefined while the dashboard is not built. */
  page: () => string | undefined;
}

export function overlayRoutes(options: OverlayRoutesOptions): Router {
  const router = Router();
  const storeOf = (): OverlayStore => {
    if (!options.store) throw new EarshotError('overlay_unavailable', 'The overlay needs a database this service reaches (SUPABASE_DB_URL in Supabase mode)');
    return options.store;
  };
  const owner = (res: Response): string | null => userOf(res) ?? null;

  router.post('/api/sessions/:id/overlay-link', async (req, res) => {
    const info = requireSession(options.sessions, req.params.id, userOf(res));
    const token = newOverlayToken();
    const { createdAt } = await storeOf().setLink(info.sessionId, owner(res), overlayTokenHash(token)!);
    // Pages holding the old link are closed wherever they are connected; those with this one reconnect.
    options.publish(info.sessionId, { type: 'overlay_link_changed' });
    const url = `${req.protocol}://${req.get('host') ?? 'localhost'}/overlay/${encodeURIComponent(info.sessionId)}?token=${token}`;
    res.status(201).set('cache-control', 'no-store').json({ sessionId: info.sessionId, url, token, createdAt });
  });

  router.get('/api/sessions/:id/overlay', async (req, res) => {
    const info = requireSession(options.sessions, req.params.id, userOf(res));
    res.json(await storeOf().settings(info.sessionId, owner(res)));
  });

  router.put('/api/sessions/:id/featured', async (req, res) => {
    const info = requireSession(options.sessions, req.params.id, userOf(res));
    const { messageId } = parseBody(FeaturedBody, req.body);
    const store = storeOf();
    const featured = messageId === null ? null : featuredFrom(await findMessage(store, info, messageId));
    await store.setFeatured(info.sessionId, owner(res), featured);
    options.publish(info.sessionId, { type: 'featured_message', featured });
    res.json({ sessionId: info.sessionId, featured });
  });

  /** The message as the overlay shows it: from the hub's ring when it just arrived, else from storage. */
  async function findMessage(store: OverlayStore, info: SessionInfo, messageId: string): Promise<Parameters<typeof featuredFrom>[0]> {
    const recent = options.recentMessage(info.sessionId, messageId);
    if (recent) {
      return { messageId: recent.id, author: recent.author.name, text: recent.text, platform: recent.platform, ...(recent.sentAt ? { sentAt: recent.sentAt } : {}) };
    }
    const stored = await store.findMessage(info.sessionId, messageId);
    if (!stored) throw new EarshotError('message_not_found', `No message ${messageId.slice(0, 100)} in this show`, { sessionId: info.sessionId });
    return stored;
  }

  /** The show a request's link opens when it is `sessionId`; otherwise the one refusal. */
  async function requireLink(req: Request, sessionId: string): Promise<void> {
    const header = req.get('x-overlay-token');
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    const hash = overlayTokenHash(header ?? query);
    const show = hash ? await storeOf().showOfLink(hash) : undefined;
    if (!show || show.sessionId !== sessionId) {
      throw new EarshotError('invalid_overlay_token', 'This overlay link is not valid (it may have been replaced)');
    }
  }

  const overlayHeaders = (res: Response): Response =>
    res.set('content-security-policy', OVERLAY_CSP).set('cache-control', 'no-store').set('x-frame-options', 'DENY');

  router.get('/overlay/:sessionId', (_req, res) => {
    // The page is the same for every show and holds nothing: it reads its state with the token it was given.
    const page = options.page();
    if (page === undefined) throw new EarshotError('not_found', 'The dashboard is not built (npm run build)');
    overlayHeaders(res).type('html').send(page);
  });

  router.get('/overlay/:sessionId/state', async (req, res) => {
    const sessionId = req.params.sessionId;
    overlayHeaders(res);
    await requireLink(req, sessionId);
    const seq = options.lastSeq(sessionId);
    const [lots, featured] = await Promise.all([options.listLots ? options.listLots(sessionId) : Promise.resolve([]), storeOf().featuredOf(sessionId)]);
    const state: OverlayState = {
      sessionId,
      seq,
      status: options.sessions.get(sessionId)?.status ?? 'ended',
      lots: lots.map(overlayLot),
      featured,
    };
    res.json(state);
  });
  return router;
}
