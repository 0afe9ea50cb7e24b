import { AgentCounters } from './agent-stats.ts';

const stats = (run: string, sweeps: number, extra: Partial<{ chunks: number; rowsSent: number; rowsDropped: number; rowsPending: number }> = {}) => ({
  run,
  sweeps,
  chunks: 0,
  rowsSent: 0,
  rowsDropped: 0,
  rowsPending: 0,
  ...extra,
});

describe("the agents' counters", () => {
  test('are zero before any probe', () => {
    expect(new AgentCounters().describe()).toEqual({ sweeps: 0, chunks: 0, rowsSent: 0, rowsDropped: 0, rowsPending: 0 });
  });

  test("follow one agent's latest probe", () => {
    const counters = new AgentCounters();
    counters.update(stats('a', 1, { chunks: 2, rowsSent: 900 }));
    counters.update(stats('a', 2, { chunks: 3, rowsSent: 1_000, rowsDropped: 5, rowsPending: 7 }));
    expect(counters.describe()).toEqual({ sweeps: 2, chunks: 3, rowsSent: 1_000, rowsDropped: 5, rowsPending: 7 });
  });

  test("add up across a reload: a new agent's counters start from zero", () => {
    const counters = new AgentCounters();
    counters.update(stats('a', 4, { chunks: 2, rowsSent: 10, rowsDropped: 1, rowsPending: 3 }));
    counters.update(stats('b', 1, { chunks: 1, rowsSent: 2 }));
    expect(counters.describe()).toEqual({ sweeps: 5, chunks: 3, rowsSent: 12, rowsDropped: 1, rowsPending: 0 });
    counters.update(stats('b', 2, { chunks: 1, rowsSent: 2 }));
    expect(counters.describe().sweeps).toBe(6);
  });
});
