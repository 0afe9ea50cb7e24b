/**
 * Captures one session's chat from a Chromium page: installs the in-page agent, receives its batches
 * through a CDP binding, blocks heavy and private sub-requests, and recovers the page after a crash or a
 * lost browser without losing or repeating messages (the agent is re-seeded with the stream's tail).
 */
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import type { CDPSession, Page, Protocol } from 'puppeteer-core';
import type { ChatMessage, SessionStatus } from '../../domain/message.ts';
import { MAX_AUTHOR_LENGTH, MAX_TEXT_LENGTH, sanitizeText } from '../../domain/message.ts';
import { describeError, EarshotError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { CaptureMetrics } from '../../metrics.ts';
import { agentScript, type AgentConfig, type AgentRow, type AgentTailEntry } from '../agent/agent.ts';
import { parseAgentReport } from '../agent/report.ts';
import type { DomGate } from '../network/reconcile.ts';
import { normalizeBadges, parseAmount } from '../platforms/common.ts';
import type { PlatformAdapter } from '../platforms/types.ts';
import type { ChatSource, SourceSink } from '../source.ts';
import type { SessionEgress } from '../../net/egress-proxy.ts';
import type { BrowserPool } from './pool.ts';
import { continueStream, type StreamJournal } from './stream-journal.ts';

const BINDING = '__earshotEmit';
/**
 * The isolated world the agent and the paint switch run in. It shares the page's DOM but not its
 * JavaScript globals, and the binding is scoped to it (Runtime.addBinding executionContextName), so the
 * page's own scripts can neither see Earshot nor call the binding to forge chat.
 */
export const AGENT_WORLD = '__earshot_agent';
const BLOCKED_RESOURCE_TYPES = new Set<string>(['Image', 'Media', 'Font']);
const TAIL_KEEP = 2000;
const SEEN_KEEP = 5000;
/** Waits between attempts to reopen a lost page: from about 250 ms, at most 30 s, decorrelated jitter. */
const RECOVERY_BACKOFF = new ExponentialBackoff({ initialDelay: 250, maxDelay: 30_000 });

/**
 * Runs before the page's own scripts, in AGENT_WORLD: hides the whole document with `visibility: hidden`, so Chromium
 * stops painting and compositing a page nobody looks at. Layout is untouched (virtualized lists still
 * measure their rows, IntersectionObserver still fires, `getClientRects()` still tells visible banners
 * from hidden ones) and the agent reads text nodes, not rendered text. Painting was most of Chromium's
 * CPU per watched page (npm run bench, concurrency at 10 msg/s per page: 25 pages 139% -> 47% of a
 * core, 10 pages 101% -> 29%; docs/PERFORMANCE.md). `__earshotPaint(true)` paints again for a screenshot.
 * The stylesheet is constructed in the isolated world and adopted by the shared document; the switch
 * is a global of that world only.
 */
export const SUPPRESS_PAINT_SCRIPT = `(() => {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('html { visibility: hidden !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    Object.defineProperty(window, '__earshotPaint', { value: (on) => { sheet.disabled = Boolean(on); } });
  } catch (error) {
    // An old engine without constructable stylesheets: the page simply keeps painting.
  }
})();`;

export interface BrowserSourceOptions {
  sessionId: string;
  /** The page to open (already rewritten to the platform's lightest chat page). */
  url: string;
  adapter: PlatformAdapter;
  pool: BrowserPool;
  sink: SourceSink;
  logger: Logger;
  sweepMs: number;
  noChatTimeoutMs: number;
  /**
   * An extra per-URL check of the page's requests (true = allowed). The SSRF guard itself is the egress
   * proxy (`egress`): it sees every connection, WebSockets included, and the address it connects to.
   */
  allowRequest?: (url: string) => Promise<boolean>;
  /**
   * The session's egress: its pages open in their own browser context behind the session's proxy port,
   * and the proxy's refusals for it are reported as `refusedRequests`. Without it, pages open in the
   * pool's default context (behind the browser-wide proxy when the pool was launched with one).
   */
  egress?: SessionEgress;
  /** Prefix for stream-position ids; stable for the session so ids never collide across page reloads. */
  idPrefix: string;
  /** Called with a PNG when the session turns `no_chat_found` (SAVE_SCREENSHOTS). */
  onScreenshot?: (png: Buffer, status: SessionStatus) => void;
  /** State saved by a previous source of this session (`saveState`), to continue the same stream. */
  resumeState?: unknown;
  /**
   * Positions handed out since the last save (stream-journal.ts): a service killed between two saves
   * resumes from the saved tail continued with these, so it never hands out a position twice.
   */
  journal?: StreamJournal;
  /** Extra hook for network-path capture (platform frame parsers); receives the page's CDP session. */
  attachNetwork?: (client: CDPSession, context: NetworkContext) => Promise<void> | void;
  /**
   * Network first, DOM as fallback: when a network path runs, DOM rows and DOM deletions pass through
   * this gate, which drops what the network already delivered and hands on the rest (possibly later).
   */
  domGate?: DomGate;
  /** Reload the page when no new chat arrived for this long (YouTube's web chat stalls silently). */
  stallReloadMs?: number;
  /** Capture latency (agent saw the row -> Node received it) and dropped reports, for GET /metrics. */
  metrics?: CaptureMetrics;
}

/** What a network-path attachment can do with a page. */
export interface NetworkContext {
  emit(messages: ChatMessage[]): void;
  deleted(ids: string[]): void;
  status(status: SessionStatus, detail?: string): void;
  show(showId: string): void;
}

export class BrowserSource implements ChatSource {
  readonly kind = 'browser' as const;
  private readonly options: BrowserSourceOptions;
  private page: Page | null = null;
  private client: CDPSession | null = null;
  private stopped = false;
  private recovering: Promise<void> | null = null;
  private status: SessionStatus = 'starting';
  private statusDetail: string | undefined;
  // Mirror of the agent's stream state, to re-seed a fresh page after a crash.
  private tail: AgentTailEntry[] = [];
  private nextPos = 0;
  private seenIds: string[] = [];
  private everSynced = false;
  private pageOpenedAt = 0;
  private chatSeenAt = 0;
  /** When the last new message arrived on either path (stall detection; chatSeenAt also counts visible rows). */
  private newChatAt = 0;
  private recoveries = 0;
  /** Images, media and fonts failed at once; sub-requests the URL guard refused. */
  private blockedRequests = 0;
  private refusedRequests = 0;
  /** Agent reports that failed validation (report.ts), dropped whole. */
  private droppedReports = 0;
  private readonly onPoolLost = (): void => {
    void this.recover('browser lost');
  };

  private readonly idPrefix: string;

  constructor(options: BrowserSourceOptions) {
    this.options = options;
    this.idPrefix = options.idPrefix;
    const saved = parseSavedState(options.resumeState);
    if (saved) {
      const continued = continueStream(saved, options.journal?.read() ?? []);
      this.tail = continued.tail;
      this.nextPos = continued.nextPos;
      this.seenIds = saved.seenIds;
      this.everSynced = true;
      this.idPrefix = saved.idPrefix;
    } else {
      // A new stream: whatever an older one left in this session's journal is not about it.
      options.journal?.saved(Number.POSITIVE_INFINITY);
    }
  }

  /** The stream's tail and id prefix, so the next source for this session realigns instead of repeating. */
  saveState(): SavedBrowserState {
    return { v: 1, idPrefix: this.idPrefix, nextPos: this.nextPos, tail: this.tail.slice(-300), seenIds: this.seenIds.slice(-1000) };
  }

  stateSaved(state: unknown): void {
    const saved = parseSavedState(state);
    if (saved) this.options.journal?.saved(saved.nextPos);
  }

  async start(): Promise<void> {
    this.options.pool.on('lost', this.onPoolLost);
    await this.openPage();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.options.pool.off('lost', this.onPoolLost);
    const page = this.page;
    this.page = null;
    this.client = null;
    if (page) await page.close().catch(() => undefined);
    await this.options.egress?.close().catch(() => undefined);
    this.options.journal?.close();
  }

  async screenshot(): Promise<Buffer> {
    if (!this.page) throw new EarshotError('no_page', 'The session has no page open right now', { sessionId: this.options.sessionId });
    const page = this.page;
    const client = this.client;
    // Painting is off while capturing (SUPPRESS_PAINT_SCRIPT): on for one frame, then off again. The
    // switch lives in the agent's world, which only our CDP session can enter.
    const paint = (on: boolean): Promise<unknown> =>
      (client ? this.evaluateInAgentWorld(client, paintExpression(on)) : Promise.resolve()).catch(() => undefined);
    await paint(true);
    try {
      return Buffer.from(await page.screenshot({ type: 'png' }));
    } finally {
      await paint(false);
    }
  }

  describe(): Record<string, unknown> {
    return {
      recoveries: this.recoveries,
      streamPosition: this.nextPos,
      blockedRequests: this.blockedRequests,
      refusedRequests: this.refusedRequests + (this.options.egress?.refusals ?? 0),
      droppedReports: this.droppedReports,
      pageUrl: this.page?.url(),
      ...(this.options.adapter.name ? { adapter: this.options.adapter.name } : {}),
      ...this.options.domGate?.describe?.(),
    };
  }

  private recordPositions(positions: AgentTailEntry[]): void {
    if (positions.length === 0 || !this.options.journal) return;
    try {
      this.options.journal.append(positions);
    } catch (error) {
      // A full disk must not stop capture: the outbox reports it; only a kill before the next save could repeat a position.
      this.options.logger.warn({ sessionId: this.options.sessionId, err: describeError(error) }, 'could not record stream positions');
    }
  }

  private setStatus(status: SessionStatus, detail?: string): void {
    if (this.stopped) return;
    if (status === this.status && detail === this.statusDetail) return;
    this.status = status;
    this.statusDetail = detail;
    this.options.sink.status(status, detail);
  }

  private agentConfig(): AgentConfig {
    return {
      bindingName: BINDING,
      spec: this.options.adapter.dom,
      sweepMs: this.options.sweepMs,
      tail: this.tail,
      nextPos: this.nextPos,
      seenIds: this.seenIds,
      firstSyncIsBackfill: !this.everSynced,
      maxText: MAX_TEXT_LENGTH,
    };
  }

  private async openPage(): Promise<void> {
    const { pool, logger, url } = this.options;
    const page = this.options.egress ? await this.options.egress.openPage() : await pool.newPage();
    if (this.stopped) {
      await page.close().catch(() => undefined);
      return;
    }
    this.page = page;
    page.on('error', (error) => this.pageOnCrash(page, error));
    page.on('close', () => this.pageOnClose(page));
    const client = await page.createCDPSession();
    this.client = client;
    client.on('Runtime.bindingCalled', (event) => {
      if (event.name === BINDING && this.page === page) this.onReport(event.payload);
    });
    client.on('Fetch.requestPaused', (event) => void this.onRequestPaused(client, event));
    await client.send('Runtime.enable');
    await client.send('Runtime.addBinding', { name: BINDING, executionContextName: AGENT_WORLD });
    await client.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
    await client.send('Page.enable');
    // A fresh page (about:blank until goto), so registering for new documents covers every document it loads.
    await client.send('Page.addScriptToEvaluateOnNewDocument', { source: SUPPRESS_PAINT_SCRIPT, worldName: AGENT_WORLD });
    await client.send('Page.addScriptToEvaluateOnNewDocument', { source: agentScript(this.agentConfig()), worldName: AGENT_WORLD });
    if (this.options.attachNetwork) {
      await this.options.attachNetwork(client, {
        emit: (messages) => {
          if (this.stopped || this.page !== page || messages.length === 0) return;
          this.chatArrived();
          this.options.sink.messages(messages);
        },
        deleted: (ids) => {
          if (!this.stopped) this.options.sink.deleted(ids);
        },
        status: (status, detail) => this.setStatus(status, detail),
        show: (showId) => {
          if (!this.stopped) this.options.sink.show?.(showId);
        },
      });
    }
    this.pageOpenedAt = Date.now();
    this.chatSeenAt = 0;
    this.newChatAt = 0;
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 45_000 });
    } catch (error) {
      if (this.stopped || this.page !== page) return;
      logger.warn({ sessionId: this.options.sessionId, err: describeError(error) }, 'page failed to load');
      throw error;
    }
  }

  private async onRequestPaused(client: CDPSession, event: Protocol.Fetch.RequestPausedEvent): Promise<void> {
    try {
      if (BLOCKED_RESOURCE_TYPES.has(event.resourceType)) {
        this.blockedRequests++;
        await client.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' });
        return;
      }
      if (this.options.allowRequest && !(await this.options.allowRequest(event.request.url))) {
        this.refusedRequests++;
        this.options.logger.debug({ sessionId: this.options.sessionId, url: event.request.url }, 'sub-request blocked');
        await client.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'AccessDenied' });
        return;
      }
      await client.send('Fetch.continueRequest', { requestId: event.requestId });
    } catch {
      // the page or the request went away meanwhile
    }
  }

  /** Runs an expression in the main frame's AGENT_WORLD (the same world the new-document scripts use). */
  private async evaluateInAgentWorld(client: CDPSession, expression: string): Promise<void> {
    const { frameTree } = await client.send('Page.getFrameTree');
    const { executionContextId } = await client.send('Page.createIsolatedWorld', {
      frameId: frameTree.frame.id,
      worldName: AGENT_WORLD,
    });
    await client.send('Runtime.evaluate', { expression, contextId: executionContextId, awaitPromise: true });
  }

  private onReport(payload: string): void {
    const parsed = parseAgentReport(payload);
    if (!parsed.ok) {
      this.droppedReports++;
      this.options.metrics?.countDroppedReport(this.options.adapter.platform);
      this.options.logger.debug({ sessionId: this.options.sessionId, reason: parsed.reason }, 'malformed agent report dropped');
      return;
    }
    const report = parsed.report;
    switch (report.type) {
      case 'rows':
        this.onRows(report.rows);
        break;
      case 'deleted': {
        const ids = [
          ...report.pids.map((pid) => sanitizeText(pid, 200)),
          ...report.positions.map((pos) => `${this.idPrefix}-${pos}`),
        ];
        if (ids.length === 0) break;
        if (this.options.domGate) this.options.domGate.deleted(ids, (kept) => this.deliverDeleted(kept));
        else this.options.sink.deleted(ids);
        break;
      }
      case 'probe':
        this.onProbe(report.containerFound, report.rowCount, report.ended === true);
        break;
    }
  }

  private onRows(rows: AgentRow[]): void {
    this.everSynced = true;
    const messages: ChatMessage[] = [];
    const receivedAt = Date.now();
    const capturedAt = new Date(receivedAt).toISOString();
    const metrics = this.options.metrics;
    const positions: AgentTailEntry[] = [];
    for (const row of rows) {
      // The agent's world shares this machine's clock: seenAt -> now is the page-to-service latency.
      metrics?.observeCaptureLatency(this.options.adapter.platform, (receivedAt - row.seenAt) / 1000);
      let id: string;
      if (typeof row.pid === 'string' && row.pid) {
        id = sanitizeText(row.pid, 200);
        this.seenIds.push(row.pid);
      } else if (typeof row.pos === 'number') {
        id = `${this.idPrefix}-${row.pos}`;
        this.tail.push({ pos: row.pos, sig: row.sig });
        positions.push({ pos: row.pos, sig: row.sig });
        if (row.pos >= this.nextPos) this.nextPos = row.pos + 1;
      } else {
        continue;
      }
      const message: ChatMessage = {
        id,
        platform: this.options.adapter.platform,
        author: {
          name: sanitizeText(row.author, MAX_AUTHOR_LENGTH),
          id: row.authorId ? sanitizeText(row.authorId, MAX_AUTHOR_LENGTH) : undefined,
          badges: normalizeBadges(row.badges),
        },
        text: sanitizeText(row.text, MAX_TEXT_LENGTH),
        capturedAt,
        backfill: row.backfill === true,
      };
      if (row.paid) {
        const paid = parseAmount(row.paid);
        if (paid) {
          message.kind = 'paid';
          message.paid = paid;
        }
      }
      messages.push(message);
    }
    // Recorded before the messages go on: once they are stored, their positions must never be reused.
    this.recordPositions(positions);
    if (this.tail.length > TAIL_KEEP * 2) this.tail = this.tail.slice(-TAIL_KEEP);
    if (this.seenIds.length > SEEN_KEEP * 2) this.seenIds = this.seenIds.slice(-SEEN_KEEP);
    if (messages.length > 0) {
      this.chatArrived();
      if (this.options.domGate) this.options.domGate.rows(messages, this.idPrefix, (kept) => this.deliverRows(kept));
      else this.options.sink.messages(messages);
    }
  }

  /** New chat on either path: the page is live and not stalled. */
  private chatArrived(): void {
    this.chatSeenAt = this.newChatAt = Date.now();
    if (this.status !== 'live' && this.status !== 'ended') this.setStatus('live');
  }

  /** DOM rows the gate let through (it may call back later, after a stop). */
  private deliverRows(messages: ChatMessage[]): void {
    if (!this.stopped && messages.length > 0) this.options.sink.messages(messages);
  }

  private deliverDeleted(ids: string[]): void {
    if (!this.stopped && ids.length > 0) this.options.sink.deleted(ids);
  }

  private onProbe(containerFound: boolean, rowCount: number, ended = false): void {
    const now = Date.now();
    if (ended) {
      this.setStatus('ended', 'the page says the stream has ended');
      return;
    }
    const stallMs = this.options.stallReloadMs;
    if (stallMs && !this.recovering && this.status !== 'ended' && now - Math.max(this.pageOpenedAt, this.newChatAt) >= stallMs) {
      this.options.logger.info({ sessionId: this.options.sessionId, stallMs }, 'no new chat for a while; reloading the page');
      void this.recover('chat stalled');
      return;
    }
    if (containerFound && rowCount > 0) {
      this.chatSeenAt = now;
      if (this.status !== 'live' && this.status !== 'ended') this.setStatus('live');
      return;
    }
    if (this.status === 'ended' || this.recovering) return;
    const since = Math.max(this.pageOpenedAt, this.chatSeenAt);
    if (now - since >= this.options.noChatTimeoutMs && this.status !== 'no_chat_found') {
      this.setStatus('no_chat_found', containerFound ? 'chat container has no messages' : 'chat container not found');
      if (this.options.onScreenshot) {
        this.screenshot()
          .then((png) => this.options.onScreenshot?.(png, 'no_chat_found'))
          .catch(() => undefined);
      }
    } else if (containerFound && this.status === 'starting') {
      // An empty but present chat is live, just quiet.
      this.setStatus('live');
    }
  }

  private pageOnCrash(page: Page, error: Error): void {
    if (this.page !== page) return;
    this.options.logger.warn({ sessionId: this.options.sessionId, err: error.message }, 'page crashed');
    void this.recover('page crashed');
  }

  private pageOnClose(page: Page): void {
    if (this.page !== page || this.stopped) return;
    void this.recover('page closed');
  }

  /** Replaces the page (and the browser if it is gone), re-seeding the agent so nothing repeats. */
  recover(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.recovering) return this.recovering;
    this.recovering = (async () => {
      this.recoveries++;
      this.setStatus('recovering', reason);
      const old = this.page;
      this.page = null;
      this.client = null;
      if (old) await old.close().catch(() => undefined);
      // Tries until it works or the session stops: a page that cannot open now may open in a minute.
      const policy = retry(handleAll, { maxAttempts: Infinity, backoff: RECOVERY_BACKOFF });
      const retried = policy.onRetry(({ delay, ...outcome }) => {
        this.options.logger.warn(
          { sessionId: this.options.sessionId, err: 'error' in outcome ? describeError(outcome.error) : undefined, retryInMs: delay },
          'recovery attempt failed',
        );
      });
      try {
        const recovered = await policy.execute(async () => {
          if (this.stopped) return false;
          try {
            await this.openPage();
            return true;
          } catch (error) {
            const failed = this.page as Page | null;
            this.page = null;
            if (failed) await failed.close().catch(() => undefined);
            throw error;
          }
        });
        if (recovered) this.options.logger.info({ sessionId: this.options.sessionId, reason }, 'session recovered');
      } finally {
        retried.dispose();
      }
    })().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }
}

interface SavedBrowserState {
  v: 1;
  idPrefix: string;
  nextPos: number;
  tail: AgentTailEntry[];
  seenIds: string[];
}

/** Turns the paint switch on or off and resolves after the next frame (so a screenshot sees the change). */
function paintExpression(on: boolean): string {
  return `new Promise((resolve) => { globalThis.__earshotPaint?.(${on ? 'true' : 'false'}); requestAnimationFrame(() => resolve()); })`;
}

function parseSavedState(value: unknown): SavedBrowserState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<SavedBrowserState>;
  if (v.v !== 1 || typeof v.idPrefix !== 'string' || typeof v.nextPos !== 'number') return undefined;
  if (!Array.isArray(v.tail) || !Array.isArray(v.seenIds)) return undefined;
  return {
    v: 1,
    idPrefix: v.idPrefix,
    nextPos: v.nextPos,
    tail: v.tail.filter((e) => e && typeof e.pos === 'number' && typeof e.sig === 'string'),
    seenIds: v.seenIds.filter((id) => typeof id === 'string'),
  };
}

// Moved to platforms/common.ts (the network parsers share them); re-exported for existing importers.
export { normalizeBadges, parseAmount };

