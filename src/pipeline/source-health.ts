/**
 * Whether a show's source is healthy, judged from its own traffic (pure: the session manager feeds it
 * admitted messages and the show's status, publishes its transitions and carries out its recoveries).
 *
 * - `live`: connected, and chat arrives as it usually does (or it is too early to say otherwise).
 * - `silent`: connected but silent: nothing since the start for SOURCE_SILENT_AFTER_MS, or a show whose
 *   usual traffic is too thin to call a pause a stall has been quiet that long.
 * - `recovering`: chat that had traffic went quiet for many of its usual gaps while the stream is live:
 *   the source is recovered first (a page reload, a reconnect) and given SOURCE_RECOVERY_GRACE_MS; the
 *   source's own recoveries (a crashed page) show here too.
 * - `stalled`: still nothing after the recovery's grace: reported (the dashboard, /metrics, webhooks).
 * - `ended`: the show is over.
 * Any new message makes the source `live` again.
 */
import type { SourceHealth } from '../../supabase/functions/_shared/contract.ts';
import type { SessionStatus } from '../domain/message.ts';

export interface HealthLimits {
  /** Nothing for this long (since the start, or on a thin show): `silent`. */
  silentAfterMs: number;
  /** The shortest quiet that counts as a stall, however busy the show. */
  stallMinMs: number;
  /** The longest quiet waited for before recovering, however thin the show. */
  stallMaxMs: number;
  /** A stall is a quiet of this many of the show's usual gaps between messages. */
  stallGaps: number;
  /** Usual traffic below this (messages per minute) is too thin to call a pause a stall. */
  minBaselinePerMin: number;
  /** After a recovery, how long chat has to come back before the stall is reported. */
  recoveryGraceMs: number;
  /**
   * The rate's window (a minute): the baseline is the 14 windows before it, and needs 2 of history.
   * Rates are per minute whatever the window.
   */
  rateWindowMs: number;
}

export const DEFAULT_HEALTH_LIMITS: HealthLimits = {
  silentAfterMs: 180_000,
  stallMinMs: 60_000,
  stallMaxMs: 600_000,
  stallGaps: 10,
  minBaselinePerMin: 1,
  recoveryGraceMs: 60_000,
  rateWindowMs: 60_000,
};

/** Buckets per rate window; the baseline spans this many windows (the last one included). */
const BUCKETS_PER_WINDOW = 6;
const BASELINE_WINDOWS = 15;
/** A baseline needs this many windows of history before the last one. */
const MIN_BASELINE_WINDOWS = 2;

const FINAL: ReadonlySet<SessionStatus> = new Set(['ended', 'stopped', 'error']);

export interface HealthVerdict {
  health: SourceHealth;
  /** The state differs from the one before this judgement. */
  changed: boolean;
  /** Recover the source now (reload the page, reconnect). */
  recover?: string;
}

export class HealthTracker {
  private readonly source: string;
  private readonly limits: HealthLimits;
  private readonly startedAt: number;
  /** [bucket start, count], oldest first, within the baseline window. */
  private readonly buckets: Array<[number, number]> = [];
  private lastAt = 0;
  private state: SourceHealth['state'] = 'live';
  private since: number;
  private detail: string | undefined;
  /** When this tracker asked the source to recover (0: not recovering on its request). */
  private recoverAskedAt = 0;
  private readonly bucketMs: number;
  private readonly windowMs: number;

  constructor(source: string, startedAt: number, limits: HealthLimits = DEFAULT_HEALTH_LIMITS) {
    this.source = source;
    this.startedAt = startedAt;
    this.since = startedAt;
    this.limits = limits;
    this.windowMs = limits.rateWindowMs;
    this.bucketMs = limits.rateWindowMs / BUCKETS_PER_WINDOW;
  }

  /** `count` messages were admitted at `now`. */
  observe(count: number, now: number): void {
    if (count <= 0) return;
    this.lastAt = now;
    const start = now - (now % this.bucketMs);
    const last = this.buckets.at(-1);
    if (last && last[0] === start) last[1] += count;
    else this.buckets.push([start, count]);
    this.prune(now);
  }

  /** Messages per minute over the last window (a minute by default). */
  ratePerMin(now: number): number {
    this.prune(now);
    let n = 0;
    for (const [start, count] of this.buckets) if (start + this.bucketMs > now - this.windowMs) n += count;
    return Math.round(n * (60_000 / this.windowMs) * 10) / 10;
  }

  /** The usual rate: messages per minute over the window before the last minute (null: too little history). */
  baselinePerMin(now: number): number | null {
    this.prune(now);
    const end = now - this.windowMs;
    const span = end - Math.max(this.startedAt, now - BASELINE_WINDOWS * this.windowMs);
    if (span < MIN_BASELINE_WINDOWS * this.windowMs) return null;
    let n = 0;
    // Buckets wholly before the last window (ratePerMin counts the others): the two never share one.
    for (const [start, count] of this.buckets) if (start + this.bucketMs <= end) n += count;
    return Math.round((n / (span / 60_000)) * 10) / 10;
  }

  /** The health as of `now` (the state of the last judgement, the rates of now). */
  current(now: number): SourceHealth {
    return {
      source: this.source,
      state: this.state,
      ratePerMin: this.ratePerMin(now),
      baselinePerMin: this.baselinePerMin(now),
      since: new Date(this.since).toISOString(),
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }

  /** How long a quiet must last to be a stall, for a show whose usual rate is `baseline`. */
  stallAfterMs(baseline: number): number {
    const usualGap = 60_000 / Math.max(baseline, 1e-9);
    return Math.min(this.limits.stallMaxMs, Math.max(this.limits.stallMinMs, this.limits.stallGaps * usualGap));
  }

  /** Judges the source as of `now`, the show being `status`. */
  judge(status: SessionStatus, now: number): HealthVerdict {
    const before = this.state;
    let recover: string | undefined;
    const quietMs = now - (this.lastAt || this.startedAt);
    if (FINAL.has(status)) {
      this.set('ended', now, undefined);
    } else if (this.lastAt > this.recoverAskedAt && this.recoverAskedAt > 0) {
      // Chat came back after the recovery.
      this.recoverAskedAt = 0;
      this.set('live', now, undefined);
    } else if (status === 'recovering') {
      // The source recovers on its own (a crashed page) or on our request: wait for it.
      if (this.state !== 'stalled') this.set('recovering', now, this.detail ?? 'the source is reconnecting');
    } else if (this.recoverAskedAt > 0) {
      if (now - this.recoverAskedAt >= this.limits.recoveryGraceMs) {
        this.set('stalled', now, `no chat for ${seconds(quietMs)} s, also after reloading`);
      }
    } else if (this.lastAt === 0) {
      if (quietMs >= this.limits.silentAfterMs) this.set('silent', now, `connected, but no chat since the start (${seconds(quietMs)} s)`);
      else this.set('live', now, undefined);
    } else {
      const baseline = this.baselinePerMin(now);
      if (baseline !== null && baseline >= this.limits.minBaselinePerMin && quietMs >= this.stallAfterMs(baseline)) {
        if (this.state === 'live' || this.state === 'silent') {
          this.recoverAskedAt = now;
          recover = `no chat for ${seconds(quietMs)} s (usually ${baseline}/min)`;
          this.set('recovering', now, `${recover}: recovering the source`);
        }
      } else if (quietMs >= this.limits.silentAfterMs) {
        this.set('silent', now, `no chat for ${seconds(quietMs)} s`);
      } else {
        this.set('live', now, undefined);
      }
    }
    return { health: this.current(now), changed: this.state !== before, ...(recover ? { recover } : {}) };
  }

  private set(state: SourceHealth['state'], now: number, detail: string | undefined): void {
    if (state !== this.state) this.since = now;
    this.state = state;
    this.detail = detail;
  }

  private prune(now: number): void {
    while (this.buckets.length > 0 && this.buckets[0]![0] + this.bucketMs <= now - BASELINE_WINDOWS * this.windowMs) this.buckets.shift();
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
