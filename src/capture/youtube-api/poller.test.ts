import { AdaptiveInterval } from './poller.ts';

describe('AdaptiveInterval', () => {
  it("follows the API's interval while chat is active, never under 2 s", () => {
    const timing = new AdaptiveInterval();
    expect(timing.next(5, 3_000)).toBe(3_000);
    expect(timing.next(1, 500)).toBe(2_000);
    expect(timing.next(1, 7_500)).toBe(7_500);
    expect(timing.next(1, undefined)).toBe(5_000);
  });

  it('slows down ×4 after 3 empty polls, capped at 30 s, and is fast again at the first message', () => {
    const timing = new AdaptiveInterval();
    const waits = [0, 0, 0, 0].map((n) => timing.next(n, 2_000));
    expect(waits).toEqual([2_000, 2_000, 8_000, 8_000]);
    expect(timing.idle).toBe(true);
    expect(timing.next(3, 2_000)).toBe(2_000);
    expect(timing.idle).toBe(false);
    const slow = [0, 0, 0].map(() => timing.next(0, 10_000));
    expect(slow).toEqual([10_000, 10_000, 30_000]);
  });

  it('never polls sooner than the API asks, even above the idle cap', () => {
    const timing = new AdaptiveInterval();
    expect([0, 0, 0].map(() => timing.next(0, 45_000))).toEqual([45_000, 45_000, 45_000]);
  });
});
