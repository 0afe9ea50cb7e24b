/**
 * The contract between the in-page agent and Node: the settings and carried-over state the agent is
 * installed with, the reports it sends back through the binding (validated by report.ts), and the caps
 * both sides agree on. Types and plain constants only, so the page modules can share them without
 * pulling Node code into the bundle.
 */
import type { DomSpec } from '../platforms/types.ts';

/**
 * The most rows (or deletions) one report may carry: report.ts refuses a larger one whole. The agent
 * never comes near it: it sends at most {@link REPORT_LIMITS}.chunkRows per report.
 */
export const MAX_REPORT_ROWS = 5_000;

/** A report whose JSON is longer than this (UTF-16 code units) is dropped before JSON.parse runs. */
export const MAX_REPORT_CHARS = 8 * 1024 * 1024;

/** How the agent cuts what it has to send into reports, and how much unsent chat it holds at most. */
export interface ReportLimits {
  /** Rows (or deleted ids) per report: well under MAX_REPORT_ROWS. */
  chunkRows: number;
  /**
   * Estimated characters per report (the rows' strings): JSON escaping makes at most six characters of
   * one (a control character as \u0001), so 6 x this stays under MAX_REPORT_CHARS.
   */
  chunkChars: number;
  /** Rows sent per second in the long run (a token bucket refilled at this rate)... */
  rowsPerSecond: number;
  /** ...and at most this many at once (a page's history arrives in one go). */
  burstRows: number;
  /** Unsent rows kept at most; beyond it the oldest unsent rows are dropped and counted. */
  pendingRows: number;
  /** Unsent characters kept at most (long rows fill memory before many rows do). */
  pendingChars: number;
}

/** The caps the agent runs with. */
export const REPORT_LIMITS: ReportLimits = {
  chunkRows: 500,
  chunkChars: 1_000_000,
  // Twice the rate the capture bench holds exact (1,000 msg/s): a show a little busier than that must
  // never grow a backlog that ends in drops.
  rowsPerSecond: 2_000,
  burstRows: 5_000,
  pendingRows: 10_000,
  pendingChars: 8_000_000,
};

/**
 * The agent's own counters, carried by every probe. Counted per installed agent (one per document), so a
 * reloaded page starts again from zero with a new `run`; Node adds them up across runs (agent-stats.ts).
 */
export interface AgentStats {
  /** Random per installed agent: a change means a new document whose counters start from zero. */
  run: string;
  /**
   * Sweeps completed. Every row those sweeps found was queued before the probe went out, so with
   * `rowsPending` 0 it has reached the binding: specs wait on this instead of sleeping.
   */
  sweeps: number;
  /** `rows` reports sent. */
  chunks: number;
  /** Rows sent. */
  rowsSent: number;
  /** Rows dropped unsent because more were waiting than the caps allow (oldest first). */
  rowsDropped: number;
  /** Rows waiting to be sent right now. */
  rowsPending: number;
}

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
  /** How reports are cut and paced (REPORT_LIMITS; handed over because the page bundle imports no values). */
  limits: ReportLimits;
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
  | {
      type: 'probe';
      containerFound: boolean;
      rowCount: number;
      href: string;
      ended?: boolean;
      /** Selectors of the spec the page's CSS engine refuses (`container: div[`): the agent cannot watch. */
      invalidSelectors?: string[];
      stats?: AgentStats;
    };
