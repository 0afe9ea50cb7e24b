/**
 * The contract between the in-page agent and Node: the settings and carried-over state the agent is
 * installed with, and the reports it sends back through the binding (validated by report.ts).
 * Types only, so the page modules can share them without pulling Node code into the bundle.
 */
import type { DomSpec } from '../platforms/types.ts';

/** Settings and carried-over state handed to the agent. */
export interface AgentConfig {
  bindingName: string;
  spec: DomSpec;
  sweepMs: number;
  /** The last known rows of the stream (oldest first), so a reloaded page realigns instead of repeating. */
  tail: AgentTailEntry[];
  /** The next free stream position. */
  nextPos: number;
  /** Platform ids already seen (recent ones), so a reloaded page does not repeat them. */
  seenIds: string[];
  /** True until the first sync after monitoring started: those rows are backfill. */
  firstSyncIsBackfill: boolean;
  /** Longest text kept per field. */
  maxText: number;
}

/**
 * One known row of the stream: its position and content signature. sessions.json and the
 * DATA_DIR/streams journals store these, so the shape must keep loading from earlier runs.
 */
export interface AgentTailEntry {
  pos: number;
  sig: string;
}

/** One captured row as the agent reports it. */
export interface AgentRow {
  /** Platform id from the row, if any. */
  pid?: string;
  /** Stream position (rows without a platform id). */
  pos?: number;
  sig: string;
  author: string;
  authorId?: string;
  badges: string[];
  text: string;
  paid?: string;
  backfill: boolean;
  /** Page time (ms since epoch) when the agent saw the row. */
  seenAt: number;
}

export type AgentReport =
  | { type: 'rows'; rows: AgentRow[]; reason: 'backfill' | 'mutation' | 'sweep' }
  | { type: 'deleted'; pids: string[]; positions: number[] }
  | { type: 'probe'; containerFound: boolean; rowCount: number; href: string; ended?: boolean };
