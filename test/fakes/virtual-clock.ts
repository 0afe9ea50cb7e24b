/**
 * A clock whose time moves only when code sleeps on it: `sleep(ms)` records the wait, advances `now` by
 * it, lets the test act (`onSleep`), and resolves on the next macrotask. Timing logic is tested without
 * waiting, and the recorded waits are what the assertions read.
 */
import type { Clock } from '../../src/capture/youtube-api/clock.ts';

export class VirtualClock implements Clock {
  private current: number;
  /** Every wait asked for, in order. */
  readonly sleeps: number[] = [];
  /** Runs after time moved and before the sleeper wakes (post messages, change the fake's answers...). */
  onSleep: ((ms: number, index: number) => void | Promise<void>) | undefined;
  /** Safety net: after this many sleeps, sleeping blocks until aborted (a runaway loop cannot spin). */
  maxSleeps: number;

  constructor(startMs: number = Date.parse('2026-03-10T18:00:00Z'), maxSleeps = 500) {
    this.current = startMs;
    this.maxSleeps = maxSleeps;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward without anyone sleeping. */
  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    if (this.sleeps.length >= this.maxSleeps) {
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    const index = this.sleeps.length;
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
    await this.onSleep?.(ms, index);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Resolves once at least `count` sleeps happened. */
  waitForSleeps(count: number, timeoutMs = 10_000): Promise<void> {
    return waitUntil(() => this.sleeps.length >= count, timeoutMs, `${count} sleeps (have ${this.sleeps.length}: ${this.sleeps.join(', ')})`);
  }
}

/** Polls a condition on the event loop (real time) until it holds; for asynchronous effects in tests. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
