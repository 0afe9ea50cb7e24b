import { HealthTracker, type HealthLimits } from './source-health.ts';

const LIMITS: HealthLimits = { silentAfterMs: 120_000, stallMinMs: 60_000, stallMaxMs: 600_000, stallGaps: 10, minBaselinePerMin: 1, recoveryGraceMs: 30_000, rateWindowMs: 60_000 };
const T0 = 1_800_000_000_000;
const MIN = 60_000;

/** A show with `perMin` messages a minute from T0 for `minutes` (one observation every 60/perMin s). */
function busy(perMin: number, minutes: number): HealthTracker {
  const tracker = new HealthTracker('browser', T0, LIMITS);
  const every = MIN / perMin;
  for (let t = T0; t < T0 + minutes * MIN; t += every) tracker.observe(1, t);
  return tracker;
}

describe('source health', () => {
  it('counts the last minute and the usual rate before it', () => {
    const tracker = busy(30, 6);
    const now = T0 + 6 * MIN;
    expect(tracker.ratePerMin(now)).toBe(30);
    expect(tracker.baselinePerMin(now)).toBeCloseTo(30, 0);
    // Too little history for a baseline.
    expect(busy(30, 1).baselinePerMin(T0 + 90_000)).toBeNull();
  });

  it('reads rates per minute over a shorter window too', () => {
    const tracker = new HealthTracker('browser', T0, { ...LIMITS, rateWindowMs: 6_000 });
    for (let t = T0; t < T0 + 30_000; t += 1_000) tracker.observe(1, t);
    expect(tracker.ratePerMin(T0 + 30_000)).toBe(60);
    expect(tracker.baselinePerMin(T0 + 30_000)).toBeCloseTo(60, -1);
  });

  it('waits many usual gaps before a stall on a thin show, the minimum on a busy one', () => {
    const tracker = new HealthTracker('browser', T0, LIMITS);
    expect(tracker.stallAfterMs(120)).toBe(60_000);
    expect(tracker.stallAfterMs(2)).toBe(300_000);
    expect(tracker.stallAfterMs(0.5)).toBe(600_000);
  });

  it('is live at the start, then silent when nothing came since the start', () => {
    const tracker = new HealthTracker('browser', T0, LIMITS);
    expect(tracker.judge('live', T0 + 60_000)).toMatchObject({ health: { state: 'live' }, changed: false });
    const silent = tracker.judge('live', T0 + 120_000);
    expect(silent).toMatchObject({ changed: true, health: { state: 'silent', source: 'browser', ratePerMin: 0 } });
    expect(silent.health.detail).toMatch(/no chat since the start/);
    expect(silent.recover).toBeUndefined();
    tracker.observe(1, T0 + 130_000);
    expect(tracker.judge('live', T0 + 131_000)).toMatchObject({ changed: true, health: { state: 'live' } });
  });

  it('recovers a busy show that went quiet first, and reports the stall only if chat does not come back', () => {
    const tracker = busy(60, 5);
    const quietFrom = T0 + 5 * MIN;
    expect(tracker.judge('live', quietFrom + 30_000).health.state).toBe('live');
    const stall = tracker.judge('live', quietFrom + 61_000);
    expect(stall).toMatchObject({ changed: true, health: { state: 'recovering' } });
    expect(stall.recover).toMatch(/^no chat for 6\d s \(usually (59|60)(\.\d)?\/min\)$/);
    // The source reloads (its own status says so); nothing yet.
    expect(tracker.judge('recovering', quietFrom + 70_000)).toMatchObject({ changed: false, health: { state: 'recovering' } });
    expect(tracker.judge('live', quietFrom + 80_000).recover).toBeUndefined();
    const stalled = tracker.judge('live', quietFrom + 61_000 + 30_000);
    expect(stalled).toMatchObject({ changed: true, health: { state: 'stalled' } });
    expect(stalled.health.detail).toMatch(/also after reloading/);
    // Reported once, never recovered again in a loop.
    expect(tracker.judge('live', quietFrom + 200_000)).toMatchObject({ changed: false, health: { state: 'stalled' } });
    tracker.observe(3, quietFrom + 210_000);
    expect(tracker.judge('live', quietFrom + 211_000)).toMatchObject({ changed: true, health: { state: 'live', ratePerMin: 3 } });
  });

  it('calls a recovery that brought chat back live, without reporting a stall', () => {
    const tracker = busy(60, 5);
    const quietFrom = T0 + 5 * MIN;
    expect(tracker.judge('live', quietFrom + 61_000).recover).toBeDefined();
    tracker.observe(1, quietFrom + 75_000);
    expect(tracker.judge('live', quietFrom + 76_000)).toMatchObject({ changed: true, health: { state: 'live' } });
    expect(tracker.judge('live', quietFrom + 120_000).health.state).toBe('live');
  });

  it('calls a thin show that pauses silent, not stalled, and recovers nothing', () => {
    const tracker = busy(0.5, 10);
    const quietFrom = T0 + 10 * MIN;
    const verdict = tracker.judge('live', quietFrom + 130_000);
    expect(verdict).toMatchObject({ health: { state: 'silent' } });
    expect(verdict.recover).toBeUndefined();
  });

  it("follows the source's own recovery and the show's end", () => {
    const tracker = busy(20, 3);
    expect(tracker.judge('recovering', T0 + 3 * MIN)).toMatchObject({ changed: true, health: { state: 'recovering' } });
    tracker.observe(1, T0 + 3 * MIN + 5_000);
    expect(tracker.judge('live', T0 + 3 * MIN + 6_000).health.state).toBe('live');
    expect(tracker.judge('stopped', T0 + 4 * MIN)).toMatchObject({ changed: true, health: { state: 'ended' } });
  });
});
