/**
 * The service's shutdown as an ordered list of named steps. Each step runs once, in order, and a step
 * that fails (or hangs past its limit) is logged and passed: a broken backend connection must not keep
 * Chromium or the egress proxy running, nor a hung WebSocket close keep the outbox from being flushed.
 * Each step's duration is logged at debug level, so a slow shutdown says which step was slow.
 */
import { describeError } from './errors.ts';
import type { Logger } from './log.ts';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
  /** Longest wait for this step before the next one starts (default 15 s). */
  timeoutMs?: number;
}

export interface ShutdownReport {
  /** Steps that threw or timed out, in order. */
  failed: Array<{ name: string; error: string }>;
}

export async function runShutdown(steps: readonly ShutdownStep[], logger: Logger): Promise<ShutdownReport> {
  const failed: ShutdownReport['failed'] = [];
  for (const step of steps) {
    const startedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const limit = step.timeoutMs ?? 15_000;
      await Promise.race([
        Promise.resolve().then(step.run),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish within ${limit} ms`)), limit);
          timer.unref();
        }),
      ]);
      logger.debug({ step: step.name, ms: Date.now() - startedAt }, 'shutdown step done');
    } catch (error) {
      failed.push({ name: step.name, error: describeError(error) });
      logger.error({ step: step.name, ms: Date.now() - startedAt, err: describeError(error) }, 'shutdown step failed; going on');
    } finally {
      clearTimeout(timer);
    }
  }
  return { failed };
}
