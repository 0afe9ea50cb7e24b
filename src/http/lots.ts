/**
 * The claims ledger over HTTP: a show's lots and their one count, the seller's corrections with undo and
 * history, the audit export, and the pick list.
 *
 * - `GET /api/sessions/:id/lots` -> `{sessionId, lots, summary}` (summarizeLots plus `interested`)
 * - `PATCH /api/sessions/:id/lots/:code` (version, winner, waitlist, priceCents/price, title, void,
 *   paid/packed/shipped/invoiced) -> `{sessionId, lot}` and a `lot_update {lot, summary}`; unknown lot ->
 *   404 `lot_not_found`, malformed body -> 400 `invalid_body`, stale version -> 409 `lot_changed` (+ `error.lot`)
 * - `POST /api/sessions/:id/lots/:code/undo` -> `{sessionId, lot}` and a `lot_update`; 404 `nothing_to_undo`,
 *   409 `lot_changed` when chat changed the lot since
 * - `GET /api/sessions/:id/lots/:code/history` -> `{sessionId, code, history}` oldest first
 * - `GET /api/sessions/:id/audit.json` -> `{sessionId, lots: [{code, title, status, entries}]}`; `audit.csv`
 * - `GET /api/sessions/:id/picklist` -> `{sessionId, buyers, summary}`; `picklist.csv?by=buyer|lot`
 *
 * A session the caller cannot see is a 404, like every session route.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { userOf } from '../auth/middleware.ts';
import type { Backend, Lot } from '../backend/types.ts';
import type { SessionEventBody, ShowSummary } from '../domain/events.ts';
import type { SessionInfo } from '../domain/message.ts';
import { EarshotError } from '../errors.ts';
import { csv, lotsCsv, pickList, pickListCsv } from '../../supabase/functions/_shared/ledger/corrections.ts';
import { normalizeLotName } from '../../supabase/functions/_shared/ledger/parse.ts';
import { isLiveStatus, summarizeLots } from '../../supabase/functions/_shared/ledger/sale.ts';
import { LotCode, LotPatchBody, describeIssues, type AuditLot } from '../../supabase/functions/_shared/contract.ts';
import { requireSession, type KnownSessions } from './messages.ts';

/** What the lot routes need of the backend. */
export type LedgerBackend = Pick<Backend, 'listLots' | 'correctLot' | 'undoLot' | 'lotHistory' | 'auditLots' | 'listInterested'>;

export interface LotRoutesOptions {
  backend: LedgerBackend;
  sessions: KnownSessions;
  /** Where a correction's lot_update goes (the session manager's publish). */
  publish: (sessionId: string, body: SessionEventBody) => void;
}

export const CsvQuery = z.object({ by: z.enum(['buyer', 'lot']).default('buyer') });

/** A show's lots and its one count (the dashboard header, Past shows and /buyers read the same). */
export async function showSummary(backend: LedgerBackend, info: SessionInfo): Promise<{ lots: Lot[]; summary: ShowSummary }> {
  if (!backend.listLots) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
  const lots = await backend.listLots(info.sessionId);
  const interested = backend.listInterested ? (await backend.listInterested(info.sessionId)).length : 0;
  return { lots, summary: { ...summarizeLots(lots, { live: isLiveStatus(info.status) }), interested } };
}

/** The lot code of a route, or 400. */
function codeOf(raw: string): string {
  const code = LotCode.safeParse(raw);
  if (!code.success) throw new EarshotError('invalid_body', 'Lot code must be 1 to 40 characters');
  return code.data;
}

/** Tries the code as written, then as the ledger spells it ("a1" -> "A1"). */
async function byCode<T>(code: string, run: (code: string) => Promise<T | undefined>): Promise<T | undefined> {
  const found = await run(code);
  if (found !== undefined) return found;
  const name = normalizeLotName(code);
  return name !== code ? run(name) : undefined;
}

function attachment(res: Response, sessionId: string, kind: string): void {
  const file = `${sessionId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}-${kind}.csv`;
  res.type('text/csv; charset=utf-8').setHeader('content-disposition', `attachment; filename="${file}"`);
}

/** The audit export as CSV, one row per change, per lot in announcement order (cells neutralized). */
export function auditCsv(lots: readonly AuditLot[]): string {
  const rows: Array<Array<string | null>> = [['lot', 'at', 'action', 'by', 'username', 'message_id', 'sent_at', 'captured_at', 'text', 'winner', 'reason']];
  for (const lot of lots) {
    for (const e of lot.entries) {
      rows.push([e.code, e.at, e.action, e.by.kind, e.username ?? (e.by.kind === 'seller' ? e.by.userId : null), e.messageId, e.sentAt, e.capturedAt, e.text, e.winner, e.reason]);
    }
  }
  return csv(rows);
}

export function lotRoutes(options: LotRoutesOptions): Router {
  const router = Router();
  const { backend, sessions } = options;

  async function lotsOf(sessionId: string): Promise<Lot[]> {
    if (!backend.listLots) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
    return backend.listLots(sessionId);
  }

  /** Announces a changed lot with the show's counts after it. */
  async function announce(info: SessionInfo, lot: Lot): Promise<void> {
    const { summary } = await showSummary(backend, info);
    options.publish(info.sessionId, { type: 'lot_update', lot, summary, by: 'seller' });
  }

  router.get('/api/sessions/:id/lots', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const { lots, summary } = await showSummary(backend, info);
    res.json({ sessionId: info.sessionId, lots, summary });
  });

  router.patch('/api/sessions/:id/lots/:code', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const code = codeOf(req.params.code);
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new EarshotError('invalid_body', 'Expected a JSON object body');
    }
    const patch = LotPatchBody.safeParse(req.body);
    if (!patch.success) throw new EarshotError('invalid_body', describeIssues(patch.error));
    const correct = backend.correctLot;
    if (!correct) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
    const act = { userId: userOf(res) ?? null };
    const lot = await byCode(code, (c) => correct.call(backend, info.sessionId, c, patch.data, act));
    if (!lot) throw new EarshotError('lot_not_found', `No lot ${code.slice(0, 40)} in session ${info.sessionId.slice(0, 100)}`, { sessionId: info.sessionId });
    await announce(info, lot);
    res.json({ sessionId: info.sessionId, lot });
  });

  router.post('/api/sessions/:id/lots/:code/undo', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const code = codeOf(req.params.code);
    const undo = backend.undoLot;
    if (!undo) throw new EarshotError('backend_unavailable', 'This backend keeps no claims ledger');
    const act = { userId: userOf(res) ?? null };
    const lot = await byCode(code, (c) => undo.call(backend, info.sessionId, c, act));
    if (!lot) throw new EarshotError('lot_not_found', `No lot ${code.slice(0, 40)} in session ${info.sessionId.slice(0, 100)}`, { sessionId: info.sessionId });
    await announce(info, lot);
    res.json({ sessionId: info.sessionId, lot });
  });

  router.get('/api/sessions/:id/lots/:code/history', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const code = codeOf(req.params.code);
    const read = backend.lotHistory;
    if (!read) throw new EarshotError('backend_unavailable', 'This backend keeps no lot history');
    let found = code;
    const history = await byCode(code, async (c) => {
      found = c;
      return read.call(backend, info.sessionId, c);
    });
    if (!history) throw new EarshotError('lot_not_found', `No lot ${code.slice(0, 40)} in session ${info.sessionId.slice(0, 100)}`, { sessionId: info.sessionId });
    res.json({ sessionId: info.sessionId, code: found, history });
  });

  async function auditOf(sessionId: string): Promise<AuditLot[]> {
    if (!backend.auditLots) throw new EarshotError('backend_unavailable', 'This backend keeps no lot history');
    return backend.auditLots(sessionId);
  }

  router.get('/api/sessions/:id/audit.json', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    res.json({ sessionId: info.sessionId, lots: await auditOf(info.sessionId) });
  });

  router.get('/api/sessions/:id/audit.csv', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const body = auditCsv(await auditOf(info.sessionId));
    attachment(res, info.sessionId, 'audit');
    res.send(body);
  });

  router.get('/api/sessions/:id/picklist', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const { lots, summary } = await showSummary(backend, info);
    res.json({ sessionId: info.sessionId, buyers: pickList(lots, { live: isLiveStatus(info.status) }), summary });
  });

  router.get('/api/sessions/:id/picklist.csv', async (req, res) => {
    const info = requireSession(sessions, req.params.id, userOf(res));
    const query = CsvQuery.safeParse(typeof req.query.by === 'string' ? { by: req.query.by } : {});
    if (!query.success) throw new EarshotError('invalid_body', 'by must be buyer or lot');
    const lots = await lotsOf(info.sessionId);
    const body = query.data.by === 'lot' ? lotsCsv(lots) : pickListCsv(lots, { live: isLiveStatus(info.status) });
    attachment(res, info.sessionId, query.data.by === 'lot' ? 'lots' : 'picklist');
    res.send(body);
  });
  return router;
}
