import { parseAgentReport } from './report.ts';
import { MAX_REPORT_ROWS } from './types.ts';

const row = { pos: 3, sig: 'ann\u0000hi', author: 'ann', badges: ['moderator'], text: 'hi', backfill: false, seenAt: 1_700_000_000_000 };

describe('parseAgentReport', () => {
  test('accepts what the agent sends: rows, deletions, probes', () => {
    expect(parseAgentReport(JSON.stringify({ type: 'rows', reason: 'mutation', rows: [row, { ...row, pos: undefined, pid: 'abc' }] }))).toMatchObject({
      ok: true,
      report: { type: 'rows', rows: [{ pos: 3 }, { pid: 'abc' }] },
    });
    expect(parseAgentReport(JSON.stringify({ type: 'deleted', pids: ['abc'], positions: [3] })).ok).toBe(true);
    expect(parseAgentReport(JSON.stringify({ type: 'probe', containerFound: true, rowCount: -1, href: 'TypeError: x' })).ok).toBe(true);
    const stats = { run: 'k3j2', sweeps: 4, chunks: 12, rowsSent: 6_000, rowsDropped: 0, rowsPending: 0 };
    expect(parseAgentReport(JSON.stringify({ type: 'probe', containerFound: false, rowCount: 0, href: 'x', invalidSelectors: ['container: div['], stats }))).toMatchObject({
      ok: true,
      report: { invalidSelectors: ['container: div['], stats },
    });
  });

  test.each([
    ['not JSON', '{"type":'],
    ['an array', '[]'],
    ['an unknown type', JSON.stringify({ type: 'eval', code: 'x' })],
    ['a row without identity', JSON.stringify({ type: 'rows', reason: 'sweep', rows: [{ ...row, pos: undefined }] })],
    ['a negative position', JSON.stringify({ type: 'rows', reason: 'sweep', rows: [{ ...row, pos: -1 }] })],
    ['a fractional position', JSON.stringify({ type: 'deleted', pids: [], positions: [1.5] })],
    ['a non-string author', JSON.stringify({ type: 'rows', reason: 'sweep', rows: [{ ...row, author: { toString: 1 } }] })],
    ['an empty batch', JSON.stringify({ type: 'rows', reason: 'sweep', rows: [] })],
    ['an oversized text', JSON.stringify({ type: 'rows', reason: 'sweep', rows: [{ ...row, text: 'x'.repeat(20_000) }] })],
    ['a string probe count', JSON.stringify({ type: 'probe', containerFound: true, rowCount: '3', href: '' })],
    ['negative agent counters', JSON.stringify({ type: 'probe', containerFound: true, rowCount: 3, href: '', stats: { run: 'a', sweeps: -1, chunks: 0, rowsSent: 0, rowsDropped: 0, rowsPending: 0 } })],
    ['more rows than MAX_REPORT_ROWS', JSON.stringify({ type: 'rows', reason: 'sweep', rows: Array.from({ length: MAX_REPORT_ROWS + 1 }, (_, i) => ({ ...row, pos: i })) })],
  ])('drops %s', (_name, payload) => {
    const parsed = parseAgentReport(payload);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toBeTruthy();
  });
});
