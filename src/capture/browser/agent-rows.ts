/**
 * The in-page agent's reports -> messages and deletion ids (the DOM path's half of identity): a row the
 * page names keeps the platform's id, a row without one is named by its stream position under the
 * session's id prefix. Pure: BrowserSource keeps the stream state and hands the result to the merger.
 */
import { platformId, positionalId } from '../../../supabase/functions/_shared/identity.ts';
import type { ChatMessage, Platform } from '../../domain/message.ts';
import type { AgentRow, AgentTailEntry } from '../agent/types.ts';
import { buildChatMessage } from '../message.ts';

/** What one batch of rows gives: the messages, and what the stream mirror must remember of them. */
export interface ReadRows {
  messages: ChatMessage[];
  /** Positions newly handed out (rows without a platform id), in order: for the tail and the journal. */
  positions: AgentTailEntry[];
  /** Platform ids as the agent read them (raw: a re-seeded agent compares them with the page's). */
  pids: string[];
}

/** The messages of a `rows` report, each under its platform id or its positional id. */
export function readAgentRows(rows: readonly AgentRow[], platform: Platform, idPrefix: string, capturedAt: string): ReadRows {
  const out: ReadRows = { messages: [], positions: [], pids: [] };
  for (const row of rows) {
    let id: string;
    if (typeof row.pid === 'string' && row.pid) {
      id = row.pid;
      out.pids.push(row.pid);
    } else if (typeof row.pos === 'number') {
      id = positionalId(idPrefix, row.pos);
      out.positions.push({ pos: row.pos, sig: row.sig });
    } else {
      continue;
    }
    const message = buildChatMessage({
      platform,
      id,
      author: { name: row.author, id: row.authorId, badges: row.badges },
      text: row.text,
      capturedAt,
      backfill: row.backfill,
      paid: row.paid,
    });
    if (message) out.messages.push(message);
  }
  return out;
}

/** The ids of a `deleted` report: platform ids cleaned, positions under the session's prefix. */
export function deletedIds(report: { pids: readonly string[]; positions: readonly number[] }, idPrefix: string): string[] {
  const ids: string[] = [];
  for (const pid of report.pids) {
    const id = platformId(pid);
    if (id) ids.push(id);
  }
  for (const pos of report.positions) ids.push(positionalId(idPrefix, pos));
  return ids;
}
