import type { SessionInfo } from '../domain/message.ts';
import { deadLetterNotice, showsWithDeliveryReports, withDeliveryReport } from './delivery-report.ts';
import type { SessionDeliveryReport } from './forwarder.ts';
import type { Shows } from './session-manager.ts';

const info = (sessionId: string, extra: Record<string, unknown> = {}): SessionInfo =>
  ({ sessionId, url: 'https://www.whatnot.com/live/x', platform: 'whatnot', source: 'browser', status: 'live', messageCount: 0, buyerCount: 0, lastMessageAt: null, startedAt: '2026-01-01T00:00:00.000Z', ...extra }) as SessionInfo;

const report: SessionDeliveryReport = {
  deadLettered: 3,
  lastDeadLetter: { sessionId: 's', code: 'backend_rejected', reason: 'invalid input syntax for type json', at: '2026-01-01T00:00:00.000Z' },
};

describe('delivery report in session diagnostics', () => {
  test('adds the report beside what the source says, and nothing while nothing was dead-lettered', () => {
    const withSource = info('s', { diagnostics: { agent: { rows: 4 } } });
    expect(withDeliveryReport(withSource, report)).toEqual({ ...withSource, diagnostics: { agent: { rows: 4 }, ...report } });
    expect(withDeliveryReport(withSource, undefined)).toBe(withSource);
  });

  test('list and get carry each session its own report; the rest passes through', async () => {
    const shows = {
      list: () => [info('s'), info('t')],
      get: (id: string) => (id === 'gone' ? undefined : info(id)),
      ownerOf: () => 'owner-1',
      activeCount: 2,
    } as unknown as Shows;
    const wrapped = showsWithDeliveryReports(shows, (id) => (id === 's' ? report : undefined));
    expect(wrapped.list().map((s) => (s as { diagnostics?: unknown }).diagnostics)).toEqual([report, undefined]);
    expect((wrapped.get('s') as { diagnostics?: unknown }).diagnostics).toEqual(report);
    expect(wrapped.get('gone')).toBeUndefined();
    expect([wrapped.ownerOf('s'), wrapped.activeCount]).toEqual(['owner-1', 2]);
  });

  test('the dashboard line says how many and why', () => {
    expect(deadLetterNotice(withDeliveryReport(info('s'), report))).toBe('3 messages could not be stored: invalid input syntax for type json');
    expect(deadLetterNotice(withDeliveryReport(info('s'), { ...report, deadLettered: 1 }))).toBe('1 message could not be stored: invalid input syntax for type json');
    expect(deadLetterNotice(info('s'))).toBeUndefined();
    expect(deadLetterNotice(undefined)).toBeUndefined();
  });
});
