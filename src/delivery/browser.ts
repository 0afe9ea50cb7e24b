/**
 * Replies into browser platforms' chats by typing into the page's chat input, like a person would:
 * one page per session (opened on the first reply, closed after a while without replies), signed in
 * with the session's browser profile (DATA_DIR/profiles/<name>.json: the account's exported cookies)
 * when it has one. The page loads no images, media or fonts. It shares the service's Chromium, whose
 * every connection goes through the egress proxy (src/net/egress-proxy.ts), the SSRF guard.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CookieParam, HTTPRequest, Page } from 'puppeteer-core';
import { judgeRequest } from '../capture/browser/request-guard.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { chatInputSelector } from './chat-inputs.ts';
import { DeliveryError, type DeliveryTarget, type ReplyTransport } from './types.ts';

const PROFILE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface BrowserReplyTransportOptions {
  /** Opens a fresh page in the service's Chromium (BrowserPool.newPage). */
  openPage: () => Promise<Page>;
  /** DATA_DIR/profiles. */
  profilesDir: string;
  /** An extra per-URL check of the page's requests (true = allowed); addresses are the egress proxy's job. */
  allowRequest?: (url: string) => Promise<boolean>;
  logger: Logger;
  /** Chat input selector per target (defaults to the per-platform table). */
  inputSelector?: (target: DeliveryTarget) => string | undefined;
  /** A page without replies for this long is closed (default 5 minutes). */
  idleCloseMs?: number;
  /** Navigation and input timeouts (default 30 s / 15 s). */
  navigationTimeoutMs?: number;
  inputTimeoutMs?: number;
}

interface SenderPage {
  page: Page;
  url: string;
  profile: string | null;
  idle: NodeJS.Timeout | null;
}

export class BrowserReplyTransport implements ReplyTransport {
  readonly name = 'browser';
  private readonly options: BrowserReplyTransportOptions;
  private readonly pages = new Map<string, SenderPage>();
  private closed = false;

  constructor(options: BrowserReplyTransportOptions) {
    this.options = options;
  }

  private selectorFor(target: DeliveryTarget): string | undefined {
    return (this.options.inputSelector ?? ((t: DeliveryTarget) => chatInputSelector(t.platform)))(target);
  }

  accepts(target: DeliveryTarget): boolean {
    return target.source === 'browser' && this.selectorFor(target) !== undefined;
  }

  async send(target: DeliveryTarget, text: string): Promise<{ platformReplyId?: string }> {
    if (this.closed) throw new DeliveryError('shutting_down', true);
    const selector = this.selectorFor(target);
    if (!selector) throw new DeliveryError('no_chat_input', false, `No chat input is known for ${target.platform}`);
    const sender = await this.pageFor(target);
    try {
      const input = await sender.page.waitForSelector(selector, { visible: true, timeout: this.options.inputTimeoutMs ?? 15_000 });
      if (!input) throw new DeliveryError('no_chat_input', false, 'The chat input is not on the page');
      // Clear what may be left from a failed attempt, then type and send as a person does.
      await input.evaluate((el) => {
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.value = '';
        else if ((el as HTMLElement).isContentEditable) el.textContent = '';
      });
      await input.focus();
      await sender.page.keyboard.type(text);
      await sender.page.keyboard.press('Enter');
      this.touch(target.sessionId, sender);
      return {};
    } catch (error) {
      // A page in an unknown state is not reused.
      await this.release(target.sessionId);
      if (error instanceof DeliveryError) throw error;
      // The page loaded but its chat input never showed (signed out, chat closed, a new layout): trying
      // again types into the same page, so the seller is told at once instead of after every backoff.
      if ((error as { name?: string }).name === 'TimeoutError') {
        throw new DeliveryError('no_chat_input', false, describeError(error), { cause: error });
      }
      throw new DeliveryError('page_error', true, describeError(error), { cause: error });
    }
  }

  private async pageFor(target: DeliveryTarget): Promise<SenderPage> {
    const existing = this.pages.get(target.sessionId);
    if (existing && existing.url === target.url && existing.profile === target.profile && !existing.page.isClosed()) return existing;
    if (existing) await this.release(target.sessionId);
    const cookies = target.profile ? await this.readProfile(target.profile) : [];
    let page: Page;
    try {
      page = await this.options.openPage();
    } catch (error) {
      throw new DeliveryError('browser_unavailable', true, describeError(error), { cause: error });
    }
    const sender: SenderPage = { page, url: target.url, profile: target.profile, idle: null };
    this.pages.set(target.sessionId, sender);
    try {
      await page.setRequestInterception(true);
      page.on('request', (request) => void this.onRequest(request));
      if (cookies.length > 0) await page.setCookie(...cookies);
      await page.goto(target.url, { waitUntil: 'domcontentloaded', timeout: this.options.navigationTimeoutMs ?? 30_000 });
    } catch (error) {
      await this.release(target.sessionId);
      throw new DeliveryError('page_error', true, describeError(error), { cause: error });
    }
    this.touch(target.sessionId, sender);
    return sender;
  }

  private async onRequest(request: HTTPRequest): Promise<void> {
    try {
      // The same guard as the capture pages (request-guard.ts).
      const verdict = await judgeRequest(request.resourceType(), request.url(), this.options.allowRequest);
      if (verdict === 'allowed') await request.continue();
      else await request.abort('blockedbyclient');
    } catch {
      // The page went away while we decided.
    }
  }

  /** Cookies of a profile: a JSON array of cookies (or {cookies: [...]}), as browser extensions export them. */
  private async readProfile(name: string): Promise<CookieParam[]> {
    if (!PROFILE_NAME.test(name)) throw new DeliveryError('profile_invalid', false, 'Bad profile name');
    let raw: string;
    try {
      raw = await fs.readFile(path.join(this.options.profilesDir, `${name}.json`), 'utf8');
    } catch {
      throw new DeliveryError('profile_missing', false, `No profile file ${name}.json under the profiles folder`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new DeliveryError('profile_invalid', false, `Profile ${name}.json is not JSON`);
    }
    const list = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { cookies?: unknown })?.cookies) ? (parsed as { cookies: unknown[] }).cookies : null;
    if (!list) throw new DeliveryError('profile_invalid', false, `Profile ${name}.json holds no cookie list`);
    return list.flatMap((c): CookieParam[] => {
      const cookie = c as Record<string, unknown>;
      if (typeof cookie.name !== 'string' || typeof cookie.value !== 'string') return [];
      const out: CookieParam = { name: cookie.name, value: cookie.value };
      if (typeof cookie.domain === 'string') out.domain = cookie.domain;
      if (typeof cookie.path === 'string') out.path = cookie.path;
      if (typeof cookie.url === 'string') out.url = cookie.url;
      if (typeof cookie.secure === 'boolean') out.secure = cookie.secure;
      if (typeof cookie.httpOnly === 'boolean') out.httpOnly = cookie.httpOnly;
      const expires = cookie.expires ?? cookie.expirationDate;
      if (typeof expires === 'number' && expires > 0) out.expires = expires;
      return [out];
    });
  }

  private touch(sessionId: string, sender: SenderPage): void {
    if (sender.idle) clearTimeout(sender.idle);
    sender.idle = setTimeout(() => void this.release(sessionId), this.options.idleCloseMs ?? 5 * 60_000);
    sender.idle.unref();
  }

  /** Closes a session's page. */
  async release(sessionId: string): Promise<void> {
    const sender = this.pages.get(sessionId);
    if (!sender) return;
    this.pages.delete(sessionId);
    if (sender.idle) clearTimeout(sender.idle);
    await sender.page.close().catch((error) => this.options.logger.debug({ sessionId, err: describeError(error) }, 'sender page close failed'));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pages.keys()].map((id) => this.release(id)));
  }
}
