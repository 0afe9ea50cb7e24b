/**
 * Waiting on a condition, once for every spec: polls `probe` until it returns a value other than
 * undefined/false, or fails after `timeoutMs` saying what it waited for (and the last value seen).
 * Specs wait on states and events, never on a fixed sleep: a busy machine only makes them slower.
 */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
