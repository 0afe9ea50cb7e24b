/** YouTube Data API quota: GET /api/quota, and the short form /health shows. */
import { Router } from 'express';
import type { QuotaReader, QuotaSnapshot } from '../capture/youtube-api/quota.ts';

/** GET /api/quota -> {dailyLimit, used, remaining, resetsAt, exhausted, bySession, day, costs}. */
export function quotaRoutes(quota: QuotaReader): Router {
  const router = Router();
  router.get('/api/quota', (_req, res) => {
    res.set('cache-control', 'no-store').json(quota.snapshot());
  });
  return router;
}

/** The quota line of /health: totals only (per-session detail stays behind /api/quota and its token). */
export function quotaHealth(quota: QuotaReader): Pick<QuotaSnapshot, 'dailyLimit' | 'used' | 'remaining' | 'resetsAt' | 'exhausted'> {
  const { dailyLimit, used, remaining, resetsAt, exhausted } = quota.snapshot();
  return { dailyLimit, used, remaining, resetsAt, exhausted };
}
