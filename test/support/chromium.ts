/** A Chromium for specs that drive pages themselves (the dashboard), launched as src/capture/browser/pool.ts does. */
import puppeteer, { type Browser } from 'puppeteer-core';

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
