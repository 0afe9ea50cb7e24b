/// <reference types="jest" />
import { averagePerMinute } from './show-stats.ts';

describe('averagePerMinute: a stopped show rated over the time it had chat', () => {
  it('divides the messages by the minutes from start to the last message', () => {
    expect(averagePerMinute(1_200, '2026-12-07T20:00:00.000Z', '2026-12-07T20:10:00.000Z')).toBe(120);
    expect(averagePerMinute(100, '2026-12-07T20:00:00.000Z', '2026-12-07T20:03:00.000Z')).toBe(33);
  });

  it('counts under a minute of chat as one minute, and has no rate without messages or dates', () => {
    expect(averagePerMinute(40, '2026-12-07T20:00:00.000Z', '2026-12-07T20:00:20.000Z')).toBe(40);
    expect(averagePerMinute(0, '2026-12-07T20:00:00.000Z', null)).toBeNull();
    expect(averagePerMinute(5, '2026-12-07T20:00:00.000Z', null)).toBeNull();
    expect(averagePerMinute(5, 'not a date', '2026-12-07T20:00:20.000Z')).toBeNull();
  });
});
