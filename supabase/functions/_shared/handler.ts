/**
 * The monitor-realtime-stream function as a plain `(Request) => Promise<Response>`: authenticate, parse,
 * run the core, answer JSON. The Deno entry wraps it in Deno.serve; tests call it directly too.
 *
 * - POST: ingest (seed single body or batch) -> `{results: IngestResult[]}`; actions
 *   upsert_session -> `{ok:true}`, mark_deleted -> `{updated}`, housekeep -> HousekeepingReport.
 * - GET `?streamSessionId=&q=&limit=&before=` -> MessagePage; GET `?action=buyers&streamSessionId=&limit=`
 *   -> `{buyers}`; GET `?action=lots&streamSessionId=` -> `{lots, summary}`; `?action=lot_history&code=` ->
 *   `{history}`; `?action=audit` -> `{lots}`; `?action=interested` -> `{interested}`; GET `?action=ping` ->
 *   `{status:"ok"}`; POST `{action:"correct_lot", streamSessionId, code, patch}` -> `{lot}` (unknown lot:
 *   404 lot_not_found; stale version: 409 lot_changed with `error.lot`), `undo_lot` -> `{lot}`,
 *   `settle_lots` -> `{lots}` (the lots it closed).
 * Errors: `{error:{code,message}}` with a 4xx for the caller's mistakes (never retried by the service)
 * and a 5xx for ours (retried). Database messages are logged, not returned: they can quote data.
 */
import type { Sql } from './db.ts';
import { authenticate, type AuthSecrets } from './auth.ts';
import { CoreError, EarshotError, isDataError, LotChangedError, statusFor } from './errors.ts';
import { listBuyers, listMessages } from './history.ts';
import { runHousekeeping } from './housekeeping.ts';
import { ingestMessages, type IngestOptions } from './ingest.ts';
import { markDeleted, upsertSession } from './sessions.ts';
import { BuyersQuery, HistoryQuery, LotHistoryQuery, LotsQuery, parseIngestBody, parseWith } from './contract.ts';
import { auditLots, correctLot, listInterested, lotHistory, saveSellers, settleLots, showLots, undoLot } from './ledger/store.ts';

export interface MonitorHandlerOptions extends AuthSecrets {
  sql: Sql;
  ingest: IngestOptions;
  /** Largest body accepted, in bytes (default 2 MiB). */
  maxBodyBytes?: number;
  /** Clock for signature windows and timestamps (tests pass a fixed one). */
  now?: () => number;
  /** Where unexpected errors are reported (console.error by default). */
  onError?: (error: unknown) => void;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** Builds the request handler of monitor-realtime-stream. */
export function createMonitorHandler(options: MonitorHandlerOptions): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((error: unknown) => console.error('monitor-realtime-stream failed', error));

  return async function handleMonitorRequest(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      if (request.method !== 'POST' && request.method !== 'GET') {
        throw new CoreError('method_not_allowed', 'Use POST (ingest, actions) or GET (history)');
      }
      const declared = Number(request.headers.get('content-length') ?? '0');
      if (declared > maxBodyBytes) throw new CoreError('body_too_large', `Body over ${maxBodyBytes} bytes`);
      const body = request.method === 'POST' ? await request.text() : url.search;
      if (body.length > maxBodyBytes) throw new CoreError('body_too_large', `Body over ${maxBodyBytes} bytes`);

      const auth = await authenticate(request.headers, body, options, now());
      if (!auth.ok) {
        if (!options.serviceRoleKey && !options.signingSecret) {
          throw new CoreError('not_configured', 'Set SUPABASE_SERVICE_ROLE_KEY or INGEST_SIGNING_SECRET for this function');
        }
        throw new CoreError('unauthorized', `Unauthorized: ${auth.reason}`);
      }
      if (request.method === 'GET') return json(200, await handleGet(url));
      return json(200, await handlePost(body));
    } catch (error) {
      // A stale correction answers with the lot as it is now, so the dashboard can redraw and decide again.
      if (error instanceof LotChangedError) return json(409, { error: { code: error.code, message: error.message, lot: error.lot } });
      if (error instanceof EarshotError) return json(statusFor(error.code), { error: { code: error.code, message: error.message } });
      if (isDataError(error)) {
        onError(error);
        return json(400, { error: { code: 'invalid_body', message: 'The database rejected the data' } });
      }
      onError(error);
      return json(500, { error: { code: 'internal', message: 'Internal error' } });
    }
  };

  async function handleGet(url: URL): Promise<unknown> {
    if (url.searchParams.get('action') === 'ping') {
      await options.sql.query('select 1');
      return { status: 'ok' };
    }
    if (url.searchParams.get('action') === 'buyers') {
      const params = Object.fromEntries(url.searchParams);
      delete params.action;
      const query = parseWith(BuyersQuery, params);
      return { buyers: await listBuyers(options.sql, query.streamSessionId, query.limit) };
    }
    const action = url.searchParams.get('action');
    if (action === 'lots' || action === 'audit' || action === 'interested') {
      const query = parseWith(LotsQuery, { streamSessionId: url.searchParams.get('streamSessionId') ?? undefined });
      if (action === 'audit') return { lots: await auditLots(options.sql, query.streamSessionId) };
      if (action === 'interested') return { interested: await listInterested(options.sql, query.streamSessionId) };
      const { lots, summary } = await showLots(options.sql, query.streamSessionId);
      return { lots, summary };
    }
    if (action === 'lot_history') {
      const query = parseWith(LotHistoryQuery, { streamSessionId: url.searchParams.get('streamSessionId') ?? undefined, code: url.searchParams.get('code') ?? undefined });
      const history = await lotHistory(options.sql, query.streamSessionId, query.code);
      if (!history) throw new CoreError('lot_not_found', `No lot ${query.code.slice(0, 40)}`);
      return { history };
    }
    const query = parseWith(HistoryQuery, Object.fromEntries(url.searchParams));
    return listMessages(options.sql, query.streamSessionId, query);
  }

  async function handlePost(raw: string): Promise<unknown> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new CoreError('invalid_json', 'Body is not valid JSON');
    }
    const parsed = parseIngestBody(body, () => crypto.randomUUID());
    const at = new Date(now());
    switch (parsed.kind) {
      case 'messages':
        return { results: await ingestMessages(options.sql, parsed.sessionId, parsed.messages, options.ingest) };
      case 'session':
        await upsertSession(options.sql, parsed.session, at);
        if (parsed.session.sellers) await saveSellers(options.sql, parsed.session.sessionId, parsed.session.sellers);
        return { ok: true };
      case 'correct_lot': {
        const lot = await correctLot(options.sql, parsed.sessionId, parsed.code, parsed.patch, { userId: parsed.userId, now: at });
        if (!lot) throw new CoreError('lot_not_found', `No lot ${parsed.code.slice(0, 40)}`);
        return { lot };
      }
      case 'undo_lot': {
        const lot = await undoLot(options.sql, parsed.sessionId, parsed.code, { userId: parsed.userId, now: at });
        if (!lot) throw new CoreError('lot_not_found', `No lot ${parsed.code.slice(0, 40)}`);
        return { lot };
      }
      case 'settle_lots':
        return { lots: await settleLots(options.sql, parsed.sessionId, at) };
      case 'deleted':
        return { updated: await markDeleted(options.sql, parsed.sessionId, parsed.messageIds, at) };
      case 'housekeep':
        return runHousekeeping(options.sql, {
          deleteBefore: new Date(parsed.deleteBefore),
          staleBefore: new Date(parsed.staleBefore),
          now: at,
        });
    }
  }
}
