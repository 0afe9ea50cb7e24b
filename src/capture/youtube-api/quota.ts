/**
 * YouTube Data API quota accounting. Google meters units per project per Pacific day and answers
 * `quotaExceeded` once they are spent; counting locally lets Earshot show usage (GET /api/quota,
 * /health), stop before it hits the wall, and keep the day's usage across restarts (a JSON file under
 * DATA_DIR). Google's answer stays the authority: a `quotaExceeded` marks the day exhausted whatever
 * the local count says (other apps may share the project).
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Clock } from './clock.ts';
import { YouTubeApiError } from './errors.ts';

/**
 * Units per call. Google's pages disagree on liveChatMessages.list (1 or 5): we count the higher figure so
 * the local limit errs on the safe side. A streaming connection is counted like one list call.
 */
export const QUOTA_COSTS = {
  'videos.list': 1,
  'liveChatMessages.list': 5,
  'liveChatMessages.stream': 5,
  'liveChatMessages.insert': 50,
} as const;

export type QuotaOperation = keyof typeof QUOTA_COSTS;

/** The time zone whose midnight resets YouTube quota. */
export const QUOTA_TIME_ZONE = 'America/Los_Angeles';

/** What GET /api/quota answers. */
export interface QuotaSnapshot {
  dailyLimit: number;
  used: number;
  remaining: number;
  /** ISO instant of the next reset (midnight Pacific). */
  resetsAt: string;
  /** True when Google said quotaExceeded or the local count reached the limit. */
  exhausted: boolean;
  /** Units per session today. */
  bySession: Record<string, number>;
  /** The Pacific date the counts belong to (YYYY-MM-DD). */
  day: string;
  costs: typeof QUOTA_COSTS;
}

/** What the routes and the health report need. */
export interface QuotaReader {
  snapshot(): QuotaSnapshot;
}

export interface QuotaLedgerOptions {
  dailyLimit: number;
  clock: Clock;
  /** Where the day's usage is kept across restarts; no file = memory only. */
  file?: string;
  logger?: Logger;
}

interface Persisted {
  day: string;
  used: number;
  exhausted: boolean;
  bySession: Record<string, number>;
}

const dayFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: QUOTA_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const wallFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: QUOTA_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

function parts(format: Intl.DateTimeFormat, ms: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return out;
}

/** The Pacific calendar date of an instant, as YYYY-MM-DD. */
export function pacificDay(ms: number): string {
  const p = parts(dayFormat, ms);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** How far Pacific wall-clock time is ahead of UTC at an instant (negative: -8 h or -7 h). */
function pacificOffset(ms: number): number {
  const p = parts(wallFormat, ms);
  const wallAsUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of the next midnight in Los Angeles after `ms`. DST-safe: the offset is read at the
 * target instant itself (midnight never falls in a DST gap; transitions happen at 02:00), so days of 23
 * and 25 hours come out right.
 */
export function nextPacificMidnight(ms: number): number {
  const today = parts(dayFormat, ms);
  const target = Date.UTC(today.year!, today.month! - 1, today.day! + 1);
  const first = target - pacificOffset(target);
  return target - pacificOffset(first);
}

/** Counts units per call, per session and per Pacific day against the daily limit. */
export class QuotaLedger implements QuotaReader {
  private readonly options: QuotaLedgerOptions;
  private state: Persisted;
  private warnedWrite = false;

  constructor(options: QuotaLedgerOptions) {
    this.options = options;
    this.state = this.load() ?? this.fresh();
  }

  get dailyLimit(): number {
    return this.options.dailyLimit;
  }

  /**
   * Records a call about to be made. Throws a local `quotaExceeded` YouTubeApiError (code
   * quota_exhausted) instead when the day is exhausted or the call would pass the limit.
   */
  spend(operation: QuotaOperation, sessionId: string | undefined): void {
    this.roll();
    const cost = QUOTA_COSTS[operation];
    if (this.state.exhausted || this.state.used + cost > this.options.dailyLimit) {
      throw new YouTubeApiError(
        0,
        'quotaExceeded',
        `YouTube API quota exhausted (${this.state.used}/${this.options.dailyLimit} units); resets at ${new Date(this.resetsAt()).toISOString()}`,
        { operation, local: true },
      );
    }
    this.state.used += cost;
    const key = sessionId ?? '(none)';
    this.state.bySession[key] = (this.state.bySession[key] ?? 0) + cost;
    this.save();
  }

  /** Google said quotaExceeded: nothing more today, whatever the local count. */
  markExhausted(): void {
    this.roll();
    if (this.state.exhausted) return;
    this.state.exhausted = true;
    this.save();
    this.options.logger?.warn({ used: this.state.used, resetsAt: new Date(this.resetsAt()).toISOString() }, 'youtube quota exhausted');
  }

  get exhausted(): boolean {
    this.roll();
    return this.state.exhausted || this.state.used >= this.options.dailyLimit;
  }

  /** Epoch ms of the next reset. */
  resetsAt(): number {
    return nextPacificMidnight(this.options.clock.now());
  }

  /** Units a session spent today. */
  usedBy(sessionId: string): number {
    this.roll();
    return this.state.bySession[sessionId] ?? 0;
  }

  snapshot(): QuotaSnapshot {
    this.roll();
    const used = this.state.used;
    return {
      dailyLimit: this.options.dailyLimit,
      used,
      remaining: Math.max(0, this.options.dailyLimit - used),
      resetsAt: new Date(this.resetsAt()).toISOString(),
      exhausted: this.exhausted,
      bySession: { ...this.state.bySession },
      day: this.state.day,
      costs: QUOTA_COSTS,
    };
  }

  private fresh(): Persisted {
    return { day: pacificDay(this.options.clock.now()), used: 0, exhausted: false, bySession: {} };
  }

  /** A new Pacific day starts from zero. */
  private roll(): void {
    const today = pacificDay(this.options.clock.now());
    if (this.state.day !== today) {
      this.state = { ...this.fresh(), day: today };
      this.save();
    }
  }

  private load(): Persisted | undefined {
    const file = this.options.file;
    if (!file || !fs.existsSync(file)) return undefined;
    try {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Persisted>;
      if (typeof raw.day !== 'string' || raw.day !== pacificDay(this.options.clock.now())) return undefined;
      const bySession: Record<string, number> = {};
      if (raw.bySession && typeof raw.bySession === 'object') {
        for (const [key, value] of Object.entries(raw.bySession)) {
          if (typeof value === 'number' && Number.isFinite(value) && value >= 0) bySession[key] = value;
        }
      }
      const used = typeof raw.used === 'number' && Number.isFinite(raw.used) && raw.used >= 0 ? raw.used : 0;
      return { day: raw.day, used, exhausted: raw.exhausted === true, bySession };
    } catch (error) {
      // A damaged file must not stop the service; starting from zero only under-counts one day.
      this.options.logger?.warn({ file, err: describeError(error) }, 'youtube quota file unreadable; starting from zero');
      return undefined;
    }
  }

  private save(): void {
    const file = this.options.file;
    if (!file) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic.sync(file, JSON.stringify(this.state), { fsync: true });
    } catch (error) {
      if (!this.warnedWrite) {
        this.warnedWrite = true;
        this.options.logger?.warn({ file, err: describeError(error) }, 'youtube quota file not writable; usage kept in memory');
      }
    }
  }
}
