/**
 * A faithful re-creation of the seed monitor's capture loop, kept only to compare against: every 1,500 ms
 * it runs `page.evaluate` to read the chat rows currently in the DOM and reports each row whose
 * `username:text` it has not seen before. Consequences by design: anything that scrolled out of a
 * virtualized list between two polls is never seen, a viewer repeating the same text is reported once,
 * and a message waits on average half an interval (750 ms) before anyone hears of it.
 */
import type { Page } from 'puppeteer-core';

export interface SeedPollerOptions {
  page: Page;
  /** The seed polled every 1.5 s. */
  intervalMs?: number;
  rowSelector: string;
  authorSelector: string;
  textSelector: string;
  /** Called for each new row, with the time (performance.now()) the poll returned. */
  onMessage(message: { username: string; text: string }, detectedAt: number): void;
  clock: () => number;
}

export class SeedPoller {
  private readonly options: SeedPollerOptions;
  private timer: NodeJS.Timeout | null = null;
  private readonly processed = new Set<string>();
  /** Polls completed so far. */
  polls = 0;
  /** Polls that threw (page busy, navigating). */
  errors = 0;

  constructor(options: SeedPollerOptions) {
    this.options = options;
  }

  start(): void {
    // Like the seed: a plain setInterval with an async body; a slow evaluate does not delay the next tick.
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 1500);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    const { page, rowSelector, authorSelector, textSelector } = this.options;
    let rows: Array<{ username: string; text: string }>;
    try {
      rows = await page.evaluate(
        (rowSel, authorSel, textSel) =>
          Array.from(document.querySelectorAll(rowSel)).map((row) => ({
            username: (row.querySelector(authorSel)?.textContent ?? '').trim(),
            text: (row.querySelector(textSel)?.textContent ?? '').trim(),
          })),
        rowSelector,
        authorSelector,
        textSelector,
      );
    } catch {
      this.errors++;
      return;
    }
    const at = this.options.clock();
    this.polls++;
    for (const row of rows) {
      if (!row.username || !row.text) continue;
      const key = `${row.username}:${row.text}`;
      if (this.processed.has(key)) continue;
      this.processed.add(key);
      this.options.onMessage(row, at);
    }
  }
}
