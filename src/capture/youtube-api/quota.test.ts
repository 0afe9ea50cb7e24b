import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../../test/fakes/virtual-clock.ts';
import { YouTubeApiError } from './errors.ts';
import { nextPacificMidnight, pacificDay, QuotaLedger } from './quota.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('nextPacificMidnight', () => {
  it('is 08:00 UTC in winter (PST) and 07:00 UTC in summer (PDT)', () => {
    expect(iso(nextPacificMidnight(Date.parse('2026-01-15T20:00:00Z')))).toBe('2026-01-16T08:00:00.000Z');
    expect(iso(nextPacificMidnight(Date.parse('2026-07-15T20:00:00Z')))).toBe('2026-07-16T07:00:00.000Z');
  });

  it('handles the 23-hour day when DST starts (8 March 2026)', () => {
    const before = nextPacificMidnight(Date.parse('2026-03-07T20:00:00Z'));
    const after = nextPacificMidnight(Date.parse('2026-03-08T20:00:00Z'));
    expect(iso(before)).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(after)).toBe('2026-03-09T07:00:00.000Z');
    expect(after - before).toBe(23 * 3600_000);
  });

  it('handles the 25-hour day when DST ends (1 November 2026)', () => {
    const start = nextPacificMidnight(Date.parse('2026-10-31T20:00:00Z'));
    const end = nextPacificMidnight(Date.parse('2026-11-01T12:00:00Z'));
    expect(iso(start)).toBe('2026-11-01T07:00:00.000Z');
    expect(iso(end)).toBe('2026-11-02T08:00:00.000Z');
    expect(end - start).toBe(25 * 3600_000);
  });

  it('moves to the following midnight exactly at midnight', () => {
    expect(iso(nextPacificMidnight(Date.parse('2026-03-09T06:59:59.999Z')))).toBe('2026-03-09T07:00:00.000Z');
    expect(iso(nextPacificMidnight(Date.parse('2026-03-09T07:00:00.000Z')))).toBe('2026-03-10T07:00:00.000Z');
    expect(pacificDay(Date.parse('2026-03-09T06:59:59.999Z'))).toBe('2026-03-08');
    expect(pacificDay(Date.parse('2026-03-09T07:00:00.000Z'))).toBe('2026-03-09');
  });
});

describe('QuotaLedger', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-quota-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts units per call and per session from the cost table', () => {
    const ledger = new QuotaLedger({ dailyLimit: 10_000, clock: new VirtualClock() });
    ledger.spend('videos.list', 'a');
    ledger.spend('liveChatMessages.list', 'a');
    ledger.spend('liveChatMessages.list', 'b');
    ledger.spend('liveChatMessages.insert', 'b');
    ledger.spend('liveChatMessages.stream', 'c');
    const snap = ledger.snapshot();
    expect(snap).toMatchObject({ dailyLimit: 10_000, used: 66, remaining: 9_934, exhausted: false, bySession: { a: 6, b: 55, c: 5 } });
  });

  it('refuses a call that would pass the daily limit, with code quota_exhausted', () => {
    const ledger = new QuotaLedger({ dailyLimit: 12, clock: new VirtualClock() });
    ledger.spend('liveChatMessages.list', 's');
    ledger.spend('liveChatMessages.list', 's');
    let error: unknown;
    try {
      ledger.spend('liveChatMessages.list', 's');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YouTubeApiError);
    expect((error as YouTubeApiError).code).toBe('quota_exhausted');
    expect((error as YouTubeApiError).reason).toBe('quotaExceeded');
    expect(ledger.snapshot().used).toBe(10);
    ledger.spend('videos.list', 's'); // 1 unit still fits
    expect(ledger.snapshot().used).toBe(11);
  });

  it('stays exhausted after Google says quotaExceeded until midnight Pacific, then starts from zero', () => {
    const clock = new VirtualClock(Date.parse('2026-03-10T18:00:00Z'));
    const ledger = new QuotaLedger({ dailyLimit: 10_000, clock });
    ledger.spend('liveChatMessages.list', 's');
    ledger.markExhausted();
    expect(ledger.exhausted).toBe(true);
    expect(() => ledger.spend('videos.list', 's')).toThrow(YouTubeApiError);
    expect(iso(ledger.resetsAt())).toBe('2026-03-11T07:00:00.000Z');
    clock.advance(ledger.resetsAt() - clock.now() - 1);
    expect(ledger.exhausted).toBe(true);
    clock.advance(1);
    expect(ledger.exhausted).toBe(false);
    expect(ledger.snapshot()).toMatchObject({ used: 0, bySession: {}, day: '2026-03-11' });
    ledger.spend('videos.list', 's');
    expect(ledger.snapshot().used).toBe(1);
  });

  it("keeps the day's usage across a restart (a file under DATA_DIR), not the previous day's", () => {
    const file = path.join(dir, 'youtube-quota.json');
    const clock = new VirtualClock(Date.parse('2026-03-10T18:00:00Z'));
    const first = new QuotaLedger({ dailyLimit: 10_000, clock, file });
    first.spend('liveChatMessages.list', 's1');
    first.spend('videos.list', 's2');
    first.markExhausted();
    const second = new QuotaLedger({ dailyLimit: 10_000, clock, file });
    expect(second.snapshot()).toMatchObject({ used: 6, exhausted: true, bySession: { s1: 5, s2: 1 } });
    clock.advance(24 * 3600_000);
    const nextDay = new QuotaLedger({ dailyLimit: 10_000, clock, file });
    expect(nextDay.snapshot()).toMatchObject({ used: 0, exhausted: false, bySession: {} });
  });

  it('starts from zero when the file is damaged instead of failing', () => {
    const file = path.join(dir, 'youtube-quota.json');
    fs.writeFileSync(file, '{not json');
    const ledger = new QuotaLedger({ dailyLimit: 100, clock: new VirtualClock(), file });
    expect(ledger.snapshot().used).toBe(0);
    ledger.spend('videos.list', 's');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).used).toBe(1);
  });
});
