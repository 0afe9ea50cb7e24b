/** Message history: GET /api/sessions/:id/messages?q=&limit=&before= (newest first, full-text q, cursor paging). */
import { Router } from 'express';
import { z } from 'zod';
import type { Backend } from '../backend/types.ts';
import { EarshotError } from '../errors.ts';
import { describeZod } from './errors.ts';

export const MessagesQuery = z.object({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** An ISO time, or the `nextCursor` of the previous page. */
  before: z.string().trim().min(1).max(200).optional(),
});

const BuyersQuery = z.object({ limit: z.coerce.number().int().min(1).max(5_000).default(1_000) });

/**
 * Answers `{sessionId, messages, nextCursor}`; `nextCursor` is null on the last page. Messages of
 * sessions that were never stored give an empty page (history outlives the running session list).
 */
export function messageRoutes(backend: Pick<Backend, 'listMessages' | 'listBuyers'>): Router {
  const router = Router();
  router.get('/api/sessions/:id/messages', async (req, res) => {
    const sessionId = req.params.id;
    if (sessionId.length > 200) throw new EarshotError('invalid_body', 'Session id too long');
    const parsed = MessagesQuery.safeParse(firstValues(req.query));
    if (!parsed.success) throw new EarshotError('invalid_body', describeZod(parsed.error));
    const page = await backend.listMessages(sessionId, {
      q: parsed.data.q || undefined,
      limit: parsed.data.limit,
      before: parsed.data.before,
    });
    res.json({ sessionId, ...page });
  });
  /** The seller's pick list: every captured buyer of a session, first claimer first (`?limit=`, max 5,000). */
  router.get('/api/sessions/:id/buyers', async (req, res) => {
    const sessionId = req.params.id;
    if (sessionId.length > 200) throw new EarshotError('invalid_body', 'Session id too long');
    const parsed = BuyersQuery.safeParse(firstValues(req.query));
    if (!parsed.success) throw new EarshotError('invalid_body', describeZod(parsed.error));
    res.json({ sessionId, buyers: await backend.listBuyers(sessionId, parsed.data.limit) });
  });
  return router;
}

/** `?q=a&q=b` arrives as an array: the first value counts. */
function firstValues(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) out[key] = Array.isArray(value) ? value[0] : value;
  return out;
}
