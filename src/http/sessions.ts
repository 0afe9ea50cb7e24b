/** Monitoring control routes: start, stop, list. */
import { Router } from 'express';
import { z } from 'zod';
import { userOf } from '../auth/middleware.ts';
import { defaultSellerFor } from '../capture/platforms/default-seller.ts';
import { detectPlatform } from '../capture/platforms/index.ts';
import { PLATFORMS } from '../domain/message.ts';
import { MAX_TITLE_LENGTH } from '../domain/show-title.ts';
import { EarshotError } from '../errors.ts';
import type { Shows } from '../pipeline/session-manager.ts';
import { describeZod } from './errors.ts';

const selector = z.string().trim().min(1).max(500);
/** A platform username as the seller types it ("@hannah" or "hannah"). */
const sellerName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .transform((v) => v.replace(/^@+/, ''))
  .pipe(z.string().min(1));

export const StartBody = z
  .object({
    url: z.string().trim().min(1).max(2048),
    sessionId: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only')
      .optional(),
    platform: z.enum(PLATFORMS).optional(),
    source: z.enum(['browser', 'api']).optional(),
    fallback: z.boolean().optional(),
    /** The host's username, or a list: their messages announce lots (as a host badge does). */
    seller: z
      .union([sellerName, z.array(sellerName).min(1).max(20)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional(),
    selectors: z
      .object({ container: selector, row: selector, author: selector, text: selector, id: selector.optional() })
      .strict()
      .optional(),
  })
  .strict();

/** PUT /api/sessions/:id/sellers: the host's usernames (one or a list), replacing the show's. */
export const SellersBody = z
  .object({
    seller: z.union([sellerName, z.array(sellerName).min(1).max(20)]).transform((v) => (Array.isArray(v) ? v : [v])),
  })
  .strict();

/** PUT /api/sessions/:id/title: the seller's name for the show, or null to take the page's again. */
export const TitleBody = z.object({ title: z.string().trim().min(1).max(MAX_TITLE_LENGTH).nullable() }).strict();

export const StopBody = z.object({ sessionId: z.string().trim().min(1).max(100) }).strict();

/** Parses a body with a schema or throws invalid_body with the reasons. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new EarshotError('invalid_body', 'Expected a JSON object body');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new EarshotError('invalid_body', describeZod(result.error));
  return result.data;
}

/**
 * The request with its host named: the `seller` given, else the channel the URL names (twitch.tv/<name>,
 * kick.com/<name>, tiktok.com/@<name>), so the claims ledger knows the host without configuration.
 */
export function withDefaultSeller<T extends { url: string; platform?: (typeof PLATFORMS)[number]; seller?: string[] }>(body: T): T {
  if (body.seller && body.seller.length > 0) return body;
  let url: URL;
  try {
    url = new URL(body.url);
  } catch {
    return body; // the session manager refuses the URL with its own coded error
  }
  const seller = defaultSellerFor(url, body.platform ?? detectPlatform(url));
  return seller.length > 0 ? { ...body, seller } : body;
}

export function sessionRoutes(sessions: Shows): Router {
  const router = Router();
  router.post('/api/start-monitoring', async (req, res) => {
    const body = withDefaultSeller(parseBody(StartBody, req.body));
    // The owner comes from the verified token only; the body cannot name one (strict schema).
    const owner = userOf(res);
    const { info, created } = await sessions.start(owner ? { ...body, ownerId: owner } : body);
    res.status(created ? 201 : 200).json(info);
  });
  router.post('/api/stop-monitoring', async (req, res) => {
    const body = parseBody(StopBody, req.body);
    const info = await sessions.stop(body.sessionId, userOf(res));
    res.json({ sessionId: info.sessionId, status: 'stopped' });
  });
  router.get('/api/sessions', (_req, res) => {
    res.json(sessions.list(userOf(res)));
  });
  router.put('/api/sessions/:id/sellers', (req, res) => {
    const body = parseBody(SellersBody, req.body);
    const info = sessions.setSellers(req.params.id, body.seller, userOf(res));
    res.json({ sessionId: info.sessionId, sellers: info.sellers ?? [] });
  });
  router.put('/api/sessions/:id/title', (req, res) => {
    const body = parseBody(TitleBody, req.body);
    res.json(sessions.setTitle(req.params.id, body.title, userOf(res)));
  });
  router.get('/api/sessions/:id', (req, res) => {
    const info = sessions.get(req.params.id, userOf(res));
    if (!info) throw new EarshotError('session_not_found', `No session ${req.params.id}`, { sessionId: req.params.id });
    res.json(info);
  });
  return router;
}
