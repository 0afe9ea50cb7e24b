/**
 * The claims ledger over HTTP: a show's lots, the seller's corrections, and the pick list.
 *
 * - `GET /api/sessions/:id/lots` -> `{sessionId, lots, summary}`
 * - `PATCH /api/sessions/:id/lots/:code` (winner, waitlist, price, title, void, paid/packed/shipped) ->
 *   `{lot}`, and a `lot_update` event; unknown lot -> 404 `lot_not_found`, malformed body -> 400 `invalid_body`
 * - `GET /api/sessions/:id/picklist` -> `{sessionId, buyers: [{username, lots, total, unpriced, paid, packed, shipped}]}`
 * - `GET /api/sessions/:id/picklist.csv?by=buyer|lot` -> CSV (one row per lot won, by buyer; or every lot)
 *
 * A session the caller cannot see is a 404, like every session route.
 */
import { Router } from 'express';
import { z } from 'zod';
import { userOf } from '../auth/middleware.ts';
import type { Backend, Lot } from '../backend/types.ts';
import type { SessionEventBody } from '../domain/events.ts';
import { EarshotError } from '../errors.ts';
import { lotsCsv, pickList, pickListCsv } from '../../supabase/functions/_shared/ledger/corrections.ts';
import { normalizeLotName } from '../../supabase/functions/_shared/ledger/parse.ts';
import { LotCode, LotPatchBody, describeIssues } from '../../supabase/functions/_shared/contract.ts';
import { requireSession, type KnownSessions } from './messages.ts';

export interface LotRoutesOptions {
  backend: Pick<Backend, 'listLots' | 'correctLot'>;
  sessions: KnownSessions;
  /** Where a correction's lot_update goes (the session manager's publish). */
  publish: (sessionId: string, body: SessionEventBody) => void;
}

export const CsvQuery = z.object({ by: z.enum(['buyer', 'lot']).default('buyer') });

/** Totals of a show at a glance (past shows list them). */
export interface LotSummary {
  lots: number;
  sold: number;
  open: number;
  buyers: number;
  /** Sum of the prices of lots won (voided lots left out). */
  revenue: number;
}

/** Counts a show's lots. */
export function summarize(lots: readonly Lot[]): LotSummary {
  const buyers = pickList(lots);
  return {
    lots: lots.filter((l) => l.status !== 'void').length,
    sold: lots.filter((l) => l.status !== 'void' && l.winner !== null).length,
    open: lots.filter((l) => l.status === 'open').length,
    buyers: buyers.length,
    revenue: Math.round(buyers.reduce((sum, b) => sum + b.total, 0) * 100) / 100,
  };
}

export function lotRoutes(options: LotRoutesOptions): Router {
  const router = Router();
  const { backend, sessions } = options;

  async function lotsOf(sessionId: string): Promise<Lot[]> {
    if (!backend.listLots) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
    return backend.listLots(sessionId);
  }

  router.get('/api/sessions/:id/lots', async (req, res) => {
    const sessionId = req.params.id;
    requireSession(sessions, sessionId, userOf(res));
    const lots = await lotsOf(sessionId);
    res.json({ sessionId, lots, summary: summarize(lots) });
  });

  router.patch('/api/sessions/:id/lots/:code', async (req, res) => {
    const sessionId = req.params.id;
    requireSession(sessions, sessionId, userOf(res));
    const code = LotCode.safeParse(req.params.code);
    if (!code.success) throw new EarshotError('invalid_body', 'Lot code must be 1 to 40 characters');
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new EarshotError('invalid_body', 'Expected a JSON object body');
    }
    const patch = LotPatchBody.safeParse(req.body);
    if (!patch.success) throw new EarshotError('invalid_body', describeIssues(patch.error));
    if (!backend.correctLot) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
    const name = normalizeLotName(code.data);
    const lot = (await backend.correctLot(sessionId, code.data, patch.data)) ?? (name !== code.data ? await backend.correctLot(sessionId, name, patch.data) : undefined);
    if (!lot) throw new EarshotError('lot_not_found', `No lot ${code.data.slice(0, 40)} in session ${sessionId.slice(0, 100)}`, { sessionId });
    options.publish(sessionId, { type: 'lot_update', lot });
    res.json({ sessionId, lot });
  });

  router.get('/api/sessions/:id/picklist', async (req, res) => {
    const sessionId = req.params.id;
    requireSession(sessions, sessionId, userOf(res));
    res.json({ sessionId, buyers: pickList(await lotsOf(sessionId)) });
  });

  router.get('/api/sessions/:id/picklist.csv', async (req, res) => {
    const sessionId = req.params.id;
    requireSession(sessions, sessionId, userOf(res));
    const query = CsvQuery.safeParse(typeof req.query.by === 'string' ? { by: req.query.by } : {});
    if (!query.success) throw new EarshotError('invalid_body', 'by must be buyer or lot');
    const lots = await lotsOf(sessionId);
    const body = query.data.by === 'lot' ? lotsCsv(lots) : pickListCsv(lots);
    const file = `${sessionId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}-${query.data.by === 'lot' ? 'lots' : 'picklist'}.csv`;
    res.type('text/csv; charset=utf-8').setHeader('content-disposition', `attachment; filename="${file}"`);
    res.send(body);
  });
  return router;
}
