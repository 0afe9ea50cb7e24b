/**
 * One Chromium for the whole service, one page per session. Launches lazily, relaunches after the
 * browser is lost, and tells page owners so they can recover.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { EarshotError, describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { endLeftoverBrowser, removeBrowserRecord, writeBrowserRecord } from './browser-record.ts';

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
  /**
   * The service's DATA_DIR. Given, the browser gets its own profile (DATA_DIR/chromium-profile) and is
   * recorded in DATA_DIR/chromium.json, so the next start ends a browser this run left behind. Without
   * it (benchmarks, specs that drive the pool alone) puppeteer's temp profile is used and nothing is recorded.
   */
  dataDir?: string;
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
    const userDataDir = this.options.dataDir ? path.resolve(this.options.dataDir, 'chromium-profile') : undefined;
    const recordFile = this.options.dataDir ? path.resolve(this.options.dataDir, 'chromium.json') : undefined;
    if (userDataDir && recordFile) {
      // A browser an earlier run (or an earlier launch of this one) left behind goes first: a second
      // Chromium beside it would double the memory, and it may still hold this profile.
      await endLeftoverBrowser({ recordFile, userDataDir, logger: this.options.logger });
      // Each launch starts from an empty profile, as puppeteer's temp profiles did.
      try {
        fs.rmSync(userDataDir, { recursive: true, force: true });
      } catch (error) {
        this.options.logger.warn({ err: describeError(error) }, 'could not clear the chromium profile; reusing it');
      }
    }
    const started = Date.now();
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath,
        headless: 'shell',
        // --remote-debugging-pipe: Chromium talks CDP over fds 3/4 and exits when they close, i.e. when
        // this process dies however it dies (SIGKILL included). puppeteer starts it in a session of its
        // own (detached), so a signal to the service's process group alone would not reach it.
        pipe: true,
        userDataDir,
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
    const pid = browser.process()?.pid;
    if (pid !== undefined && userDataDir && recordFile) {
      try {
        writeBrowserRecord(recordFile, { pid, userDataDir, executablePath });
      } catch (error) {
        this.options.logger.warn({ err: describeError(error) }, 'could not record the chromium pid');
      }
    }
    this.options.logger.info({ ms: Date.now() - started, pid }, 'chromium launched');
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
    if (this.options.dataDir) removeBrowserRecord(path.resolve(this.options.dataDir, 'chromium.json'));
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
