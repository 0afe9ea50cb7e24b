/** A Chromium for specs that drive pages themselves (the dashboard), launched as src/capture/browser/pool.ts does. */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { until } from './wait.ts';

interface SparticuzChromium {
  executablePath(): Promise<string>;
  args: string[];
}

/** The packaged @sparticuz/chromium, or `executableOverride` (CHROME_EXECUTABLE_PATH) with plain flags. */
export async function launchBrowser(
  executableOverride?: string,
  viewport: { width: number; height: number } = { width: 1366, height: 820 },
): Promise<Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@sparticuz/chromium') as { default?: SparticuzChromium } & SparticuzChromium;
  const chromium = mod.default ?? mod;
  const executablePath = executableOverride ?? (await chromium.executablePath());
  const args = executableOverride
    ? ['--no-sandbox', '--disable-dev-shm-usage']
    : chromium.args.filter((a) => a !== '--single-process' && !a.startsWith('--headless'));
  return puppeteer.launch({ executablePath, headless: 'shell', args, defaultViewport: viewport });
}

/**
 * Opens one of the dashboard's phone tabs (its label, e.g. 'Lots') and waits until it is the pressed
 * one. A click can land on a layout that is still moving (a banner or a notice arriving just then), so
 * the tab is clicked again until the dashboard says it is open; clicking an open tab changes nothing.
 */
export async function openPane(page: Page, label: string): Promise<void> {
  const state = (): Promise<'open' | 'closed' | 'missing'> =>
    page.evaluate((name) => {
      const button = [...document.querySelectorAll('.pane-tabs button')].find((b) => (b.textContent ?? '').startsWith(name));
      if (!button) return 'missing';
      return button.getAttribute('aria-pressed') === 'true' ? 'open' : 'closed';
    }, label);
  await until(
    async () => {
      const now = await state();
      if (now === 'open') return true;
      if (now === 'closed') {
        for (const b of await page.$$('.pane-tabs button')) {
          if ((await b.evaluate((el) => el.textContent ?? '')).startsWith(label)) await b.click().catch(() => undefined);
        }
      }
      return false;
    },
    `the ${label} tab to open`,
    30_000,
    200,
  );
}
