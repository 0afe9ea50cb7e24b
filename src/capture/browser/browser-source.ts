/**
 * Captures one session's chat from a Chromium page: installs the in-page agent, receives its batches
 * through a CDP binding, guards the page's requests (request-guard.ts), and recovers the page after a
 * crash or a lost browser without losing or repeating messages (the agent is re-seeded with the stream's
 * tail). The agent's rows become messages in agent-rows.ts; they and the network path's messages meet in
 * the session's merger (capture/merger.ts), the only thing here that talks to the sink.
 */
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { CDPSession, Page } from 'puppeteer-core';
import type { SessionStatus } from '../../domain/message.ts';
import { MAX_TEXT_LENGTH } from '../../domain/message.ts';
import { describeError, EarshotError, isEarshotError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { CaptureMetrics } from '../../metrics.ts';
import { agentScript, type AgentConfig, type AgentRow, type AgentTailEntry } from '../agent/agent.ts';
import { parseAgentReport } from '../agent/report.ts';
import { REPORT_LIMITS } from '../agent/types.ts';
import { MessageMerger } from '../merger.ts';
import type { NetworkPath } from '../network/path.ts';
import type { PlatformAdapter } from '../platforms/types.ts';
import { failureDetail, type ChatSource, type SourceSink } from '../source.ts';
import { EGRESS_REFUSED_HEADER, type SessionEgress } from '../../net/egress-proxy.ts';
import { deletedIds, readAgentRows } from './agent-rows.ts';
import { AgentCounters } from './agent-stats.ts';
import { AGENT_WORLD } from './agent-world.ts';
import { judgeProbe, type Probe } from './liveness.ts';
import { screenshotPage, SUPPRESS_PAINT_SCRIPT } from './paint.ts';
import type { BrowserPool } from './pool.ts';
import { guardCdpRequests, type GuardedRequest, type ResponseHeaders } from './request-guard.ts';
import type { StreamJournal } from './stream-journal.ts';
import { parseSavedState, StreamState, type SavedBrowserState } from './stream-state.ts';

const BINDING = '__earshotEmit';
// Defined beside the code that uses them (agent-world.ts, paint.ts); the specs and the bench import them from here.
export { AGENT_WORLD, SUPPRESS_PAINT_SCRIPT };
/** Waits between attempts to reopen a lost page: from about 250 ms, at most 30 s, decorrelated jitter. */
const RECOVERY_BACKOFF = new ExponentialBackoff({ initialDelay: 250, maxDelay: 30_000 });

/** Failures no retry can mend: the page is refused, or the selectors can never match. */
const PERMANENT_CODES: ReadonlySet<string> = new Set(['url_not_allowed', 'invalid_selectors']);

/** Whether a failure to open the page is worth another attempt (recovery retries those only). */
export function isRetryable(error: unknown): boolean {
  return !(isEarshotError(error) && PERMANENT_CODES.has(error.code));
}

/** Chromium's words for a navigation the egress proxy refused as a CONNECT tunnel (https, wss). */
const TUNNEL_REFUSED = /ERR_TUNNEL_CONNECTION_FAILED/;

/**
 * Whether a main-frame document's response is the egress proxy's refusal (its marker header on its 403),
 * rather than the site's own answer: such a document is never rendered, and the start fails at once.
 */
export function isEgressRefusal(status: number, headers: ResponseHeaders): boolean {
  return status === 403 && headers.has(EGRESS_REFUSED_HEADER);
}

export interface BrowserSourceOptions {
  sessionId: string;
  /** The page to open (already rewritten to the platform's lightest chat page). */
  url: string;
  adapter: PlatformAdapter;
  pool: BrowserPool;
  /** Where the session's chat goes; only the session's merger calls it. */
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
  /**
   * The session's network path (network/tap.ts), attached to every page the session opens. When it reads
   * chat, network first, DOM as fallback: the merger drops DOM rows the network already delivered.
   */
  network?: NetworkPath;
  /** Reload the page when no new chat arrived for this long (YouTube's web chat stalls silently). */
  stallReloadMs?: number;
  /** Capture latency (agent saw the row -> Node received it) and dropped reports, for GET /metrics. */
  metrics?: CaptureMetrics;
}

export class BrowserSource implements ChatSource {
  readonly kind = 'browser' as const;
  private readonly options: BrowserSourceOptions;
  /** Both capture paths' messages meet here; the only caller of the sink. */
  private readonly merger: MessageMerger;
  private page: Page | null = null;
  private client: CDPSession | null = null;
  private stopped = false;
  private recovering: Promise<void> | null = null;
  private status: SessionStatus = 'starting';
  private statusDetail: string | undefined;
  /** Mirror of the agent's stream state, to re-seed a fresh page after a crash. */
  private readonly stream: StreamState;
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
  /** The agents' own counters (sweeps, chunks, rows dropped by the caps), from their probes. */
  private readonly agentCounters = new AgentCounters();
  /** Set when the page's main document (the start URL or a redirect) was refused: nothing more is read. */
  private refusal: EarshotError | null = null;
  /** False while the main frame shows an error page: its rows are not chat. */
  private documentOk = true;
  /** True while `goto` runs: a refusal then fails the start; later it fails the session. */
  private navigating = false;
  private readonly onPoolLost = (): void => {
    void this.recover('browser lost');
  };

  constructor(options: BrowserSourceOptions) {
    this.options = options;
    this.merger = new MessageMerger(options.sink, { reconcile: options.network?.readsChat === true });
    const saved = parseSavedState(options.resumeState);
    if (saved) {
      this.stream = StreamState.resume(saved, options.journal?.read() ?? []);
    } else {
      this.stream = StreamState.fresh(options.idPrefix);
      // A new stream: whatever an older one left in this session's journal is not about it.
      options.journal?.saved(Number.POSITIVE_INFINITY);
    }
  }

  /** The stream's tail and id prefix, so the next source for this session realigns instead of repeating. */
  saveState(): SavedBrowserState {
    return this.stream.save();
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
    this.merger.close();
    const page = this.page;
    this.page = null;
    this.client = null;
    if (page) await page.close().catch(() => undefined);
    await this.options.egress?.close().catch(() => undefined);
    this.options.journal?.close();
  }

  async screenshot(): Promise<Buffer> {
    if (!this.page) throw new EarshotError('no_page', 'The session has no page open right now', { sessionId: this.options.sessionId });
    return screenshotPage(this.page, this.client);
  }

  describe(): Record<string, unknown> {
    return {
      recoveries: this.recoveries,
      streamPosition: this.stream.position,
      blockedRequests: this.blockedRequests,
      refusedRequests: this.refusedRequests + (this.options.egress?.refusals ?? 0),
      droppedReports: this.droppedReports,
      agent: this.agentCounters.describe(),
      pageUrl: this.page?.url(),
      ...(this.options.adapter.name ? { adapter: this.options.adapter.name } : {}),
      ...(this.merger.reconciling ? { network: { ...this.options.network?.describe?.(), ...this.merger.describe() } } : {}),
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
    this.merger.status(status, detail);
    // Single-page apps (Whatnot, YouTube, Twitch) name the show in script after the first paint: once
    // the page is live its title is the show's, not the loading page's.
    if (status === 'live') void this.readTitle();
  }

  private agentConfig(): AgentConfig {
    return {
      bindingName: BINDING,
      spec: this.options.adapter.dom,
      sweepMs: this.options.sweepMs,
      ...this.stream.seed(),
      maxText: MAX_TEXT_LENGTH,
      limits: REPORT_LIMITS,
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
    this.documentOk = true;
    // The page's main frame (its id is the target's); known before the first navigation starts.
    let mainFrameId = '';
    const isMainDocument = (request: GuardedRequest): boolean => request.document && request.frameId === mainFrameId;
    client.on('Runtime.bindingCalled', (event) => {
      if (event.name === BINDING && this.page === page) this.onReport(event.payload);
    });
    // Same CDP session as the binding, so a document's reports always come after its navigation.
    client.on('Page.frameNavigated', (event) => {
      if (this.page === page && !event.frame.parentId) this.documentOk = event.frame.unreachableUrl === undefined;
    });
    await client.send('Runtime.enable');
    await client.send('Runtime.addBinding', { name: BINDING, executionContextName: AGENT_WORLD });
    await guardCdpRequests(client, {
      allowRequest: this.options.allowRequest,
      onFailed: (verdict, request) => {
        this.requestOnFailed(verdict, request.url);
        if (verdict === 'refused' && isMainDocument(request) && this.page === page) this.navigationRefused(request.url);
      },
      // The proxy's refusal is never rendered, in an iframe either; only the main document's ends the show.
      acceptDocument: (request, status, headers) => {
        if (!isEgressRefusal(status, headers)) return true;
        if (isMainDocument(request) && this.page === page) this.navigationRefused(request.url);
        return false;
      },
    });
    await client.send('Page.enable');
    mainFrameId = (await client.send('Page.getFrameTree')).frameTree.frame.id;
    // A fresh page (about:blank until goto), so registering for new documents covers every document it loads.
    await client.send('Page.addScriptToEvaluateOnNewDocument', { source: SUPPRESS_PAINT_SCRIPT, worldName: AGENT_WORLD });
    await client.send('Page.addScriptToEvaluateOnNewDocument', { source: agentScript(this.agentConfig()), worldName: AGENT_WORLD });
    if (this.options.network) {
      await this.options.network.attach(client, {
        emit: (messages) => {
          // A page being replaced may still deliver frames; only the current page speaks for the session.
          if (this.stopped || this.page !== page) return;
          this.merger.network(messages, () => this.chatArrived());
        },
        deleted: (ids) => this.merger.deleted(ids),
        status: (status, detail) => this.setStatus(status, detail),
        show: (showId) => this.merger.show(showId),
      });
    }
    this.pageOpenedAt = Date.now();
    this.chatSeenAt = 0;
    this.newChatAt = 0;
    const refusalsBefore = this.options.egress?.refusals ?? 0;
    this.navigating = true;
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 45_000 });
    } catch (error) {
      if (this.stopped || this.page !== page) return;
      logger.warn({ sessionId: this.options.sessionId, err: describeError(error) }, 'page failed to load');
      // An https target the proxy refused is a failed CONNECT: Chromium only says the tunnel failed.
      const egressRefused = (this.options.egress?.refusals ?? 0) > refusalsBefore && TUNNEL_REFUSED.test(describeError(error));
      if (!this.refusal && egressRefused) this.refusal = refusedError(url);
      throw this.refusal ?? error;
    } finally {
      this.navigating = false;
    }
    if (this.refusal) throw this.refusal;
  }

  /**
   * The main document (the start URL, a redirect it followed, or a later navigation) was refused: its
   * answer is never rendered, nothing of the page is read any more, and the start (or the session) fails
   * with `url_not_allowed`, not after minutes of `starting`.
   */
  private navigationRefused(url: string): void {
    if (this.refusal || this.stopped) return;
    this.refusal = refusedError(url);
    this.options.logger.warn({ sessionId: this.options.sessionId, url }, 'the page was sent to a refused address');
    if (!this.navigating) this.fail(this.refusal);
  }

  /** Ends the session with an error that no retry mends (the session manager stops the source). */
  private fail(error: EarshotError): void {
    this.setStatus('error', failureDetail(error));
  }

  private requestOnFailed(verdict: 'blocked' | 'refused', url: string): void {
    if (verdict === 'blocked') {
      this.blockedRequests++;
      return;
    }
    this.refusedRequests++;
    this.options.logger.debug({ sessionId: this.options.sessionId, url }, 'sub-request blocked');
  }

  private onReport(payload: string): void {
    // A refused document is never read; nor is a Chromium error page (its text is not chat).
    if (this.refusal) return;
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
        if (this.documentOk) this.onRows(report.rows);
        break;
      case 'deleted':
        if (this.documentOk) this.merger.deleted(deletedIds(report, this.stream.idPrefix));
        break;
      case 'probe':
        if (report.stats) this.agentCounters.update(report.stats);
        if (report.invalidSelectors && report.invalidSelectors.length > 0) {
          this.fail(invalidSelectorsError(report.invalidSelectors));
          break;
        }
        // An error page shows no chat, whatever the selectors happen to match in it.
        if (!this.documentOk) this.onProbe({ containerFound: false, rowCount: 0, ended: false });
        else this.onProbe({ containerFound: report.containerFound, rowCount: report.rowCount, ended: report.ended === true });
        break;
    }
  }

  private onRows(rows: AgentRow[]): void {
    const receivedAt = Date.now();
    const metrics = this.options.metrics;
    // The agent's world shares this machine's clock: seenAt -> now is the page-to-service latency.
    for (const row of rows) metrics?.observeCaptureLatency(this.options.adapter.platform, (receivedAt - row.seenAt) / 1000);
    const { idPrefix } = this.stream;
    const read = readAgentRows(rows, this.options.adapter.platform, idPrefix, new Date(receivedAt).toISOString());
    this.stream.record(read.positions, read.pids);
    // Recorded before the messages go on: once they are stored, their positions must never be reused.
    this.recordPositions(read.positions);
    if (read.messages.length > 0) {
      this.chatArrived();
      this.merger.rows(read.messages, idPrefix);
    }
  }

  /** New chat on either path: the page is live and not stalled. */
  private chatArrived(): void {
    this.chatSeenAt = this.newChatAt = Date.now();
    if (this.status !== 'live' && this.status !== 'ended') this.setStatus('live');
  }

  private async readTitle(): Promise<void> {
    const page = this.page;
    if (!page) return;
    try {
      const title = await page.title();
      if (!this.stopped && this.page === page && title.trim() !== '') this.merger.title(title);
    } catch {
      // a page closing or navigating has no title to give; the next live transition reads it again
    }
  }

  /** Carries out what the probe means for the page (liveness.ts decides). */
  private onProbe(probe: Probe): void {
    const now = Date.now();
    const verdict = judgeProbe(
      probe,
      { status: this.status, recovering: this.recovering !== null },
      { pageOpenedAt: this.pageOpenedAt, chatSeenAt: this.chatSeenAt, newChatAt: this.newChatAt },
      { noChatTimeoutMs: this.options.noChatTimeoutMs, stallReloadMs: this.options.stallReloadMs },
      now,
    );
    switch (verdict.action) {
      case 'end':
        this.setStatus('ended', verdict.detail);
        break;
      case 'reload':
        this.options.logger.info({ sessionId: this.options.sessionId, stallMs: this.options.stallReloadMs }, 'no new chat for a while; reloading the page');
        void this.recover('chat stalled');
        break;
      case 'chat_visible':
        this.chatSeenAt = now;
        if (this.status !== 'live' && this.status !== 'ended') this.setStatus('live');
        break;
      case 'no_chat_found':
        this.setStatus('no_chat_found', verdict.detail);
        if (this.options.onScreenshot) {
          this.screenshot()
            .then((png) => this.options.onScreenshot?.(png, 'no_chat_found'))
            .catch(() => undefined);
        }
        break;
      case 'live':
        this.setStatus('live');
        break;
      case 'none':
        break;
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
      // A refused page or impossible selectors are not mended by waiting: those end the session.
      const policy = retry(handleWhen(isRetryable), { maxAttempts: Infinity, backoff: RECOVERY_BACKOFF });
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
      } catch (error) {
        this.setStatus('error', failureDetail(error));
      } finally {
        retried.dispose();
      }
    })().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }
}

function refusedError(url: string): EarshotError {
  return new EarshotError('url_not_allowed', `the page at ${url} is an address the egress policy refuses (a redirect to a private or local address?)`, { url });
}

function invalidSelectorsError(invalid: readonly string[]): EarshotError {
  return new EarshotError('invalid_selectors', `not valid CSS selectors: ${invalid.join('; ')}`, { invalid });
}
