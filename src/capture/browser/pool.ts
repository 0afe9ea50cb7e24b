/**
 * One Chromium for the whole service, one page per session. Launches lazily, relaunches after the
 * browser is lost, and tells page owners so they can recover.
 */
import { EventEmitter } from 'node:events';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { EarshotError, describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';

/** Flags that would weaken isolation or stability for hostile pages; dropped from the packaged defaults. */
const DROPPED_FLAGS = new Set([
  '--single-process',
  '--no-zygote',
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
]);

/** Always on: background pages must not be throttled (capture runs in pages nobody looks at). */
const REQUIRED_FLAGS = [
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--disable-ipc-flooding-protection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-first-run',
  '--mute-audio',
  '--disable-quic',
  '--blink-settings=imagesEnabled=false',
  '--autoplay-policy=user-gesture-required',
];

export interface BrowserPoolOptions {
  /** Overrides the packaged Chromium (CHROME_EXECUTABLE_PATH). */
  executablePath?: string;
  logger: Logger;
  /** Extra Chromium flags. */
  extraArgs?: string[];
}

export interface BrowserPoolEvents {
  /** The browser process went away; every page is gone. */
  lost: [];
  launched: [];
}

/** Owns the Chromium process. */
export class BrowserPool extends EventEmitter<BrowserPoolEvents> {
  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private closing = false;
  private launches = 0;
  private readonly options: BrowserPoolOptions;

  constructor(options: BrowserPoolOptions) {
    super();
    this.options = options;
    // Every session's source listens for `lost`: dozens of listeners are expected, not a leak.
    this.setMaxListeners(0);
  }

  /** True while a browser process is connected. */
  get isUp(): boolean {
    return this.browser?.connected === true;
  }

  get launchCount(): number {
    return this.launches;
  }

  /** The PID of the Chromium process (for memory accounting in benchmarks). */
  get pid(): number | undefined {
    return this.browser?.process()?.pid;
  }

  /** Opens a fresh page, launching (or relaunching) the browser when needed. */
  async newPage(): Promise<Page> {
    const browser = await this.getBrowser();
    return browser.newPage();
  }

  /** Launches the browser if none is up; concurrent callers share one launch. */
  async getBrowser(): Promise<Browser> {
    if (this.closing) throw new EarshotError('browser_unavailable', 'The browser pool is shutting down');
    if (this.browser?.connected) return this.browser;
    if (!this.launching) {
      this.launching = this.launch().finally(() => {
        this.launching = null;
      });
    }
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const { executablePath, args } = await resolveChromium(this.options.executablePath);
    const started = Date.now();
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath,
        headless: 'shell',
        args: [...args, ...REQUIRED_FLAGS, ...(this.options.extraArgs ?? [])],
        defaultViewport: { width: 1000, height: 900 },
        protocolTimeout: 60_000,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      throw new EarshotError('browser_unavailable', `Chromium failed to start: ${describeError(error)}`, {
        executablePath,
      }, { cause: error });
    }
    this.launches++;
    this.browser = browser;
    this.options.logger.info({ ms: Date.now() - started, pid: browser.process()?.pid }, 'chromium launched');
    browser.on('disconnected', () => this.browserOnDisconnected(browser));
    this.emit('launched');
    return browser;
  }

  private browserOnDisconnected(browser: Browser): void {
    if (this.browser !== browser) return;
    this.browser = null;
    if (this.closing) return;
    this.options.logger.warn('chromium disconnected; sessions will recover on a new browser');
    this.emit('lost');
  }

  async close(): Promise<void> {
    this.closing = true;
    const browser = this.browser ?? (await this.launching?.catch(() => null)) ?? null;
    this.browser = null;
    if (!browser) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([browser.close(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    } catch {
      // already gone
    } finally {
      clearTimeout(timer);
    }
    browser.process()?.kill('SIGKILL');
  }
}

/** Where Chromium lives and which flags it wants: the packaged @sparticuz/chromium unless overridden. */
async function resolveChromium(override?: string): Promise<{ executablePath: string; args: string[] }> {
  if (override) {
    return {
      executablePath: override,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--headless=new'].filter(
        (a) => !a.startsWith('--headless'),
      ),
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@sparticuz/chromium') as { default?: SparticuzChromium } & SparticuzChromium;
  const chromium = mod.default ?? mod;
  const executablePath = await chromium.executablePath();
  const args = chromium.args.filter((a) => !DROPPED_FLAGS.has(a) && !a.startsWith('--headless'));
  return { executablePath, args };
}

interface SparticuzChromium {
  executablePath(): Promise<string>;
  args: string[];
}
