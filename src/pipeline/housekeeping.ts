/**
 * Housekeeping on an interval: the retention job (messages older than RETENTION_DAYS are deleted) and
 * the stale-session closer (open sessions without chat for STALE_SESSION_HOURS are ended, in the
 * database and, when still running here, in the session manager). The clock is injected.
 */
import type { Backend, HousekeepingReport } from '../backend/types.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface HousekeeperOptions {
  backend: Pick<Backend, 'housekeep'>;
  logger: Logger;
  retentionDays: number;
  staleSessionHours: number;
  /** Time between passes (ms). */
  intervalMs: number;
  /** Milliseconds since epoch (Date.now in production). */
  clock?: () => number;
  /**
   * Sessions running in this process that went silent past the limit; the caller stops them.
   * Receives the ids the database closed.
   */
  onStaleSessions?: (sessionIds: string[]) => void | Promise<void>;
}

const HOUR_MS = 3_600_000;

export class Housekeeper {
  private readonly options: HousekeeperOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<HousekeepingReport | null> | null = null;
  private stopped = false;

  constructor(options: HousekeeperOptions) {
    this.options = options;
  }

  /** Runs passes every `intervalMs`, the first after `firstDelayMs`. Timers never keep the process alive. */
  start(firstDelayMs: number = Math.min(60_000, this.options.intervalMs)): void {
    this.stopped = false;
    this.arm(firstDelayMs);
  }

  /** One pass now. Never throws: failures are logged and the next pass tries again. */
  runOnce(): Promise<HousekeepingReport | null> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce().finally(() => this.arm(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<HousekeepingReport | null> {
    const now = (this.options.clock ?? Date.now)();
    try {
      const report = await this.options.backend.housekeep({
        deleteBefore: new Date(now - this.options.retentionDays * 24 * HOUR_MS),
        staleBefore: new Date(now - this.options.staleSessionHours * HOUR_MS),
        now: new Date(now),
      });
      if (report.deletedMessages > 0 || report.closedSessions.length > 0) {
        this.options.logger.info(report, 'housekeeping: old messages deleted, stale sessions ended');
      }
      if (report.closedSessions.length > 0) await this.options.onStaleSessions?.(report.closedSessions);
      return report;
    } catch (error) {
      this.options.logger.warn({ err: describeError(error) }, 'housekeeping failed; next pass retries');
      return null;
    }
  }
}
