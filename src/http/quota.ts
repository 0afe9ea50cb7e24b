/** YouTube Data API quota: GET /api/quota, and the short form /health shows. */
import { Router } from 'express';
import { userOf } from '../auth/middleware.ts';
import type { QuotaReader, QuotaSnapshot } from '../capture/youtube-api/quota.ts';
import type { KnownSessions } from './messages.ts';

/**
 * GET /api/quota -> {dailyLimit, used, remaining, resetsAt, exhausted, bySession, day, costs}. The quota is
 * the deployment's (one API key), so totals are shared; with accounts `bySession` lists the caller's shows only.
 */
export function quotaRoutes(quota: QuotaReader, sessions?: KnownSessions): Router {
  const router = Router();
  router.get('/api/quota', (_req, res) => {
    const snapshot = quota.snapshot();
    const user = userOf(res);
    if (user && sessions) {
      snapshot.bySession = Object.fromEntries(Object.entries(snapshot.bySession).filter(([id]) => sessions.get(id, user)));
    }
    res.set('cache-control', 'no-store').json(snapshot);
  });
  return router;
}

/** The quota line of /health: totals only (per-session detail stays behind /api/quota and its token). */
export function quotaHealth(quota: QuotaReader): Pick<QuotaSnapshot, 'dailyLimit' | 'used' | 'remaining' | 'resetsAt' | 'exhausted'> {
  const { dailyLimit, used, remaining, resetsAt, exhausted } = quota.snapshot();
  return { dailyLimit, used, remaining, resetsAt, exhausted };
}
