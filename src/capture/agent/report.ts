/**
 * The wire contract between the in-page agent and Node. The agent runs in an isolated world the page
 * cannot reach, but it reads a hostile page's DOM and a bug (or a page that breaks the agent's
 * assumptions) must not turn into garbage messages: every binding payload is parsed with these schemas
 * and what does not fit is dropped whole and counted (BrowserSource's `droppedReports`).
 */
import { z } from 'zod';
import { MAX_REPORT_CHARS, MAX_REPORT_ROWS, type AgentReport } from './types.ts';

/**
 * Upper bounds well above what the agent sends (it clips texts to MAX_TEXT_LENGTH and cuts reports into
 * chunks far below MAX_REPORT_ROWS: types.ts REPORT_LIMITS), below what hurts.
 */
const MAX_FIELD = 10_000;
const MAX_ROWS = MAX_REPORT_ROWS;
/** A report larger than this is dropped before JSON.parse even runs. */
export const MAX_REPORT_BYTES = MAX_REPORT_CHARS;
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const field = z.string().max(MAX_FIELD);
const position = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const rowSchema = z
  .object({
    pid: z.string().min(1).max(MAX_FIELD).optional(),
    pos: position.optional(),
    sig: z.string().max(MAX_FIELD * 2 + 1),
    author: field,
    authorId: field.optional(),
    badges: z.array(field).max(100),
    text: field,
    paid: field.optional(),
    backfill: z.boolean(),
    seenAt: z.number().finite(),
  })
  .refine((row) => row.pid !== undefined || row.pos !== undefined, { message: 'a row needs a pid or a pos' });

/** One agent report as the service accepts it. */
export const agentReportSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('rows'),
    rows: z.array(rowSchema).min(1).max(MAX_ROWS),
    reason: z.enum(['backfill', 'mutation', 'sweep']),
  }),
  z.object({
    type: z.literal('deleted'),
    pids: z.array(z.string().min(1).max(MAX_FIELD)).max(MAX_ROWS),
    positions: z.array(position).max(MAX_ROWS),
  }),
  z.object({
    type: z.literal('probe'),
    containerFound: z.boolean(),
    rowCount: z.number().int().min(-1),
    href: z.string().max(MAX_FIELD),
    ended: z.boolean().optional(),
    invalidSelectors: z.array(z.string().max(MAX_FIELD)).max(20).optional(),
    stats: z
      .object({ run: z.string().min(1).max(40), sweeps: count, chunks: count, rowsSent: count, rowsDropped: count, rowsPending: count })
      .optional(),
  }),
]);

/** What `parseAgentReport` says about one payload. */
export type ParsedAgentReport = { ok: true; report: AgentReport } | { ok: false; reason: string };

/** Parses one binding payload; never throws. */
export function parseAgentReport(payload: string): ParsedAgentReport {
  if (payload.length > MAX_REPORT_BYTES) return { ok: false, reason: 'report too large' };
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = agentReportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid report' };
  }
  return { ok: true, report: parsed.data as AgentReport };
}
