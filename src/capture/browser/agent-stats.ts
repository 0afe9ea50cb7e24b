/**
 * The in-page agent's counters as a session shows them (`diagnostics.agent`). Each probe carries the
 * counters of the agent that sent it, which start from zero in every document the page loads (a reload,
 * a recovery): a new `run` means a new agent, and what the previous one counted is kept as a base.
 */
import type { AgentStats } from '../agent/types.ts';

/** `diagnostics.agent`: totals over the session's agents, `rowsPending` of the current one. */
export interface AgentDiagnostics {
  /** Sweeps completed (specs wait for this to rise instead of sleeping). */
  sweeps: number;
  /** `rows` reports the agents sent (the chunks a large page was cut into). */
  chunks: number;
  rowsSent: number;
  /** Rows the agents dropped unsent because more were waiting than the caps allow. */
  rowsDropped: number;
  /** Rows waiting in the current agent right now. */
  rowsPending: number;
}

type Totals = Omit<AgentDiagnostics, 'rowsPending'>;

export class AgentCounters {
  private base: Totals = { sweeps: 0, chunks: 0, rowsSent: 0, rowsDropped: 0 };
  private current: AgentStats | undefined;

  /** The counters of the latest probe. */
  update(stats: AgentStats): void {
    const previous = this.current;
    if (previous && previous.run !== stats.run) this.base = add(this.base, previous);
    this.current = stats;
  }

  describe(): AgentDiagnostics {
    const now = this.current;
    return { ...(now ? add(this.base, now) : this.base), rowsPending: now?.rowsPending ?? 0 };
  }
}

function add(a: Totals, b: Totals): Totals {
  return { sweeps: a.sweeps + b.sweeps, chunks: a.chunks + b.chunks, rowsSent: a.rowsSent + b.rowsSent, rowsDropped: a.rowsDropped + b.rowsDropped };
}
