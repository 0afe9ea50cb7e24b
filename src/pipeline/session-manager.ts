/**
 * Sessions' lifecycle: start (idempotent), stop, list, resume, hand over. Each session owns one source; what
 * the source captures is deduplicated here and goes out on the pipeline's event bus (bus.ts), to which the
 * hub, the forwarder and the metrics subscribe. The shows and their counters live in the SessionBook
 * (session-store.ts), which saves them shortly after they change.
 */
import { createHash } from 'node:crypto';
import type { SessionEventBody } from '../domain/events.ts';
import type { StartRequest } from '../domain/session.ts';
import type { ChatMessage, Platform, SessionInfo, SessionStatus, SourceKind } from '../domain/message.ts';
import { cleanTitle } from '../domain/show-title.ts';
import { EarshotError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SessionMetrics } from '../metrics.ts';
import { runPrefix } from '../../supabase/functions/_shared/identity.ts';
import { resolveAdapter } from '../capture/platforms/index.ts';
import type { PlatformAdapter } from '../capture/platforms/types.ts';
import { failureDetail, type ChatSource, type SourceFactory, type SourceSink } from '../capture/source.ts';
import { EventBus, type PipelineBus, type PipelineEvents, type SeqKeeper } from './bus.ts';
import { Deduplicator, type DedupOptions } from './dedup.ts';
import { SessionBook, type SessionRecord, type SessionStore, type Show } from './session-store.ts';
import { HealthTracker, type HealthLimits } from './source-health.ts';

export interface SessionManagerOptions {
  logger: Logger;
  /** Where the manager's events go; a bus of its own when not given (`manager.bus`). */
  bus?: PipelineBus;
  /** Keeps each show's WebSocket numbering across restarts (the hub). */
  seqs?: SeqKeeper;
  dedup: DedupOptions;
  maxSessions: number;
  createSource: SourceFactory;
  /** Validates a URL (SSRF policy); throws url_not_allowed. */
  /** The request comes along so the check can depend on the source (the YouTube API never loads the page). */
  checkUrl: (raw: string, request: StartRequest) => Promise<URL>;
  /** Picks the default source kind for a URL (api for YouTube when credentials exist). */
  defaultSource?: (adapter: PlatformAdapter, url: URL) => SourceKind;
  /** Where sessions are kept across restarts. */
  store?: SessionStore;
  /** Save timing (SessionBook): quiet period and longest wait. */
  save?: { debounceMs?: number; maxWaitMs?: number };
  /**
   * Checks the adapter before anything is created (the CSS selectors a request or a JSON adapter
   * brings: capture/browser/selector-check.ts); throws `invalid_selectors`.
   */
  checkAdapter?: (adapter: PlatformAdapter) => Promise<void>;
  /** Adapters for URLs the registry does not know by host (the service's own demo page). */
  adapterOverride?: (url: URL, request: StartRequest) => PlatformAdapter | undefined;
  /** Counts every status transition (GET /metrics: transitions, recoveries). */
  metrics?: SessionMetrics;
  /** Source health (source-health.ts): its thresholds, and how often running shows are judged; unset: not judged. */
  health?: HealthLimits & { checkEveryMs: number };
}

/**
 * A readable id that is the same for the same URL, so starting it twice finds the running session. With
 * accounts the owner is part of it: two sellers watching one URL get two independent shows.
 */
export function deriveSessionId(platform: Platform, url: URL, ownerId?: string): string {
  const key = ownerId ? `${ownerId} ${urlKey(url)}` : urlKey(url);
  return `${platform}-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

/**
 * Whether `viewer` may see a session owned by `owner`. No viewer means no accounts: one owner, who sees
 * everything. With accounts a session without an owner (kept from before accounts) is nobody's.
 */
export function visibleTo(owner: string | undefined, viewer: string | undefined): boolean {
  return viewer === undefined || owner === viewer;
}

/** A URL with the differences that do not change the page (host case, trailing slash, fragment) removed. */
function urlKey(url: URL): string {
  return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}${url.search}`;
}

/**
 * What a platform show id reported by a session's page means: the first one is recorded; a different
 * one later is a new show on the same channel (it went live again), which gets a session of its own.
 */
export function showChange(known: string | undefined, seen: string): 'first' | 'same' | 'new_show' {
  if (known === undefined) return 'first';
  return known === seen ? 'same' : 'new_show';
}

/** Where a show of a URL stands, as {@link nextShowId} needs it. */
export type ShowState = 'running' | 'retry' | 'over';

/**
 * The id of the show a start without `sessionId` means: the URL's first show is `base`; its next ones
 * are `base-2`, `base-3`... A running show (or one that failed to start: `retry`) is returned as it is;
 * a stopped or ended one is over, and the next show gets the next id, so two shows never merge in the
 * pick list (a Twitch or Kick channel URL never changes between shows).
 */
export function nextShowId(base: string, stateOf: (id: string) => ShowState | undefined): string {
  const idOf = (n: number): string => (n === 1 ? base : `${base}-${n}`);
  let n = 1;
  while (stateOf(idOf(n + 1)) !== undefined) n++;
  const state = stateOf(idOf(n));
  return state === 'over' ? idOf(n + 1) : idOf(n);
}

/**
 * What the HTTP routes, the hub and the workers need of the shows: the SessionManager on one instance,
 * ClusterSessions (src/cluster/sessions.ts) over a cluster's.
 */
export type Shows = Pick<SessionManager, 'start' | 'stop' | 'list' | 'get' | 'ownerOf' | 'sourceOf' | 'publish' | 'activeCount' | 'setSellers' | 'setTitle'>;

const RUNNING: ReadonlySet<SessionStatus> = new Set(['starting', 'live', 'recovering', 'no_chat_found', 'quota_exhausted']);

export class SessionManager {
  /** What the manager decides, for the hub, the forwarder and the metrics to subscribe to. */
  readonly bus: PipelineBus;
  private readonly options: SessionManagerOptions;
  private readonly book: SessionBook;
  private readonly starting = new Map<string, Promise<{ info: SessionInfo; created: boolean }>>();
  private closing = false;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    this.bus = options.bus ?? new EventBus<PipelineEvents>(options.logger);
    this.book = new SessionBook({
      store: options.store,
      records: (shows) => shows.map((s) => this.record(s)),
      logger: options.logger,
      buyerMemory: options.dedup.max,
      ...options.save,
    });
    const health = options.health;
    if (health) {
      this.healthTimer = setInterval(() => this.judgeHealth(Date.now()), health.checkEveryMs);
      this.healthTimer.unref();
    }
  }

  /**
   * Judges every running show's source (source-health.ts): a change is published as `source_health`, a
   * stall is met with a recovery of the source first.
   */
  judgeHealth(now: number): void {
    for (const session of this.book.values()) if (RUNNING.has(session.info.status)) this.judgeOne(session, now);
  }

  private judgeOne(session: Show, now: number): void {
    const tracker = session.health;
    if (!tracker) return;
    const verdict = tracker.judge(session.info.status, now);
    if (verdict.changed) {
      const { sessionId, platform } = session.info;
      const { state, detail } = verdict.health;
      const level = state === 'live' || state === 'ended' ? 'info' : 'warn';
      this.options.logger[level]({ event: 'source_health', sessionId, platform, state, reason: detail }, `source ${state}`);
      this.bus.emit('event', sessionId, { type: 'source_health', health: verdict.health }, 'capture');
    }
    if (verdict.recover && session.source?.recover) void session.source.recover(verdict.recover).catch(() => undefined);
  }

  /**
   * Loads the sessions kept by the store and restarts those that were running when the service
   * stopped. Returns how many were resumed.
   */
  async restore(): Promise<number> {
    const records = this.options.store?.load() ?? [];
    const resumable: SessionRecord[] = [];
    for (const record of records) {
      if (typeof record.seq === 'number') this.options.seqs?.continueSeq?.(record.info.sessionId, record.seq);
      this.book.set({
        info: { ...record.info, status: 'stopped', detail: undefined },
        request: record.request,
        source: null,
        dedup: new Deduplicator(this.options.dedup),
        run: 1,
        resumeState: record.state,
        stoppedByUser: !record.resume,
        buyerMessageIds: this.book.newBuyerMemory(),
      });
      if (record.resume) resumable.push(record);
    }
    let resumed = 0;
    for (const record of resumable) {
      try {
        await this.start({ ...record.request, sessionId: record.info.sessionId });
        resumed++;
      } catch (error) {
        this.options.logger.warn({ sessionId: record.info.sessionId, err: describeError(error) }, 'session not resumed');
      }
    }
    return resumed;
  }

  /** What a save writes for a show (with its source's resumable state). */
  private record(s: Show): SessionRecord {
    return {
      request: s.request,
      info: { ...s.info },
      resume: !s.stoppedByUser && (RUNNING.has(s.info.status) || (this.closing && s.info.status === 'stopped')),
      state: s.source?.saveState?.() ?? s.resumeState,
      seq: this.options.seqs?.lastSeq?.(s.info.sessionId),
    };
  }

  /** Writes every session to the store now (shutdown; otherwise the book saves shortly after changes). */
  saveNow(): void {
    this.book.saveNow();
  }

  /**
   * Starts monitoring. Idempotent: a running session with the same id (or the same URL when no id is
   * given) is returned as it is with `created: false`.
   */
  /**
   * What a start request means: its checked URL, the platform adapter and the show's session id (the URL's
   * running show, or the next one after a stopped or ended show, as `stateOf` tells).
   */
  async plan(
    request: StartRequest,
    stateOf: (id: string) => ShowState | undefined = (id) => this.showState(id),
  ): Promise<{ sessionId: string; url: URL; adapter: PlatformAdapter }> {
    const url = await this.options.checkUrl(request.url, request);
    const adapter =
      (request.selectors ? undefined : this.options.adapterOverride?.(url, request)) ??
      resolveAdapter(url, { platform: request.platform, selectors: request.selectors });
    await this.options.checkAdapter?.(adapter);
    const sessionId = request.sessionId ?? nextShowId(deriveSessionId(adapter.platform, url, request.ownerId), stateOf);
    return { sessionId, url, adapter };
  }

  async start(request: StartRequest): Promise<{ info: SessionInfo; created: boolean }> {
    if (this.closing) throw new EarshotError('not_ready', 'The service is shutting down');
    const { sessionId, url, adapter } = await this.plan(request);
    const known = this.book.get(sessionId);
    if (known && request.ownerId !== undefined && known.request.ownerId !== request.ownerId) {
      // Another seller's show: say no more than that the id is taken.
      throw new EarshotError('invalid_body', `Session id ${sessionId} is already in use; pick another`, { sessionId });
    }
    const inflight = this.starting.get(sessionId);
    if (inflight) return { info: (await inflight).info, created: false };
    const existing = known;
    if (existing && RUNNING.has(existing.info.status)) {
      if (urlKey(new URL(existing.info.url)) !== urlKey(url)) {
        throw new EarshotError('invalid_body', `Session ${sessionId} is already monitoring another URL`, {
          sessionId,
          url: existing.info.url,
        });
      }
      return { info: this.snapshot(existing), created: false };
    }
    const running = [...this.book.values()].filter((s) => RUNNING.has(s.info.status)).length;
    if (running >= this.options.maxSessions) {
      throw new EarshotError('session_limit', `At most ${this.options.maxSessions} sessions can run at once`, {
        sessionId,
      });
    }
    const promise = this.launch(sessionId, url, adapter, request, existing);
    this.starting.set(sessionId, promise);
    try {
      return await promise;
    } finally {
      this.starting.delete(sessionId);
    }
  }

  private async launch(
    sessionId: string,
    url: URL,
    adapter: PlatformAdapter,
    request: StartRequest,
    previous: Show | undefined,
  ): Promise<{ info: SessionInfo; created: boolean }> {
    const sourceKind = request.source ?? this.options.defaultSource?.(adapter, url) ?? 'browser';
    const session: Show = {
      info: {
        sessionId,
        url: url.href,
        platform: adapter.platform,
        source: sourceKind,
        status: 'starting',
        messageCount: previous?.info.messageCount ?? 0,
        buyerCount: previous?.info.buyerCount ?? 0,
        lastMessageAt: previous?.info.lastMessageAt ?? null,
        startedAt: new Date().toISOString(),
        ...(request.ownerId ? { ownerId: request.ownerId } : {}),
        ...(request.seller && request.seller.length > 0 ? { sellers: request.seller } : {}),
      },
      request,
      source: null,
      // A restarted session keeps its dedup memory: the page will show the same rows again.
      dedup: previous?.dedup ?? new Deduplicator(this.options.dedup),
      run: (previous?.run ?? 0) + 1,
      stoppedByUser: false,
      buyerMessageIds: previous?.buyerMessageIds ?? this.book.newBuyerMemory(),
    };
    const resumeState = previous?.resumeState;
    if (this.options.health) session.health = new HealthTracker(sourceKind, Date.now(), this.options.health);
    this.book.set(session);
    this.publishStatus(session, 'starting');
    const idPrefix = runPrefix(Date.now(), session.run);
    let source: ChatSource;
    try {
      source = this.options.createSource({
        sessionId,
        url,
        request,
        adapter,
        source: sourceKind,
        sink: this.sinkFor(session),
        idPrefix,
        resumeState,
      });
    } catch (error) {
      this.publishStatus(session, 'error', describeError(error));
      throw error;
    }
    session.source = source;
    try {
      await source.start();
    } catch (error) {
      this.options.logger.warn({ sessionId, err: describeError(error) }, 'source failed to start');
      await source.stop().catch(() => undefined);
      session.source = null;
      this.publishStatus(session, 'error', failureDetail(error));
      return { info: this.snapshot(session), created: true };
    }
    return { info: this.snapshot(session), created: true };
  }

  private sinkFor(session: Show): SourceSink {
    return {
      messages: (batch) => this.onMessages(session, batch),
      deleted: (ids, reason) => {
        if (session.source === null && !RUNNING.has(session.info.status)) return;
        const { sessionId } = session.info;
        for (const messageId of ids) this.bus.emit('event', sessionId, { type: 'message_deleted', messageId, reason }, 'capture');
        this.bus.emit('deleted', sessionId, ids);
      },
      status: (status, detail) => {
        if (session.info.status === 'stopped') return;
        this.publishStatus(session, status, detail);
      },
      title: (raw) => {
        if (session.info.titleBy === 'seller' || !RUNNING.has(session.info.status)) return;
        const title = cleanTitle(raw);
        if (title === undefined || title === session.info.title) return;
        session.info.title = title;
        session.info.titleBy = 'page';
        this.infoChanged(session);
      },
      show: (showId) => {
        if (this.closing || !RUNNING.has(session.info.status)) return;
        switch (showChange(session.info.platformShowId, showId)) {
          case 'first':
            session.info.platformShowId = showId;
            this.book.changed();
            return;
          case 'same':
            return;
          case 'new_show':
            void this.followNewShow(session, showId);
        }
      },
    };
  }

  /**
   * The channel went live again: this show ends and the next one starts as a session of its own (the
   * next show id), so two shows never merge in the ledger, the pick list or the counts.
   */
  private async followNewShow(session: Show, showId: string): Promise<void> {
    this.publishStatus(session, 'ended', `the channel went live with a new show (${showId})`);
    const explicit = session.request.sessionId;
    const request: StartRequest =
      explicit === undefined ? session.request : { ...session.request, sessionId: nextShowId(explicit, (id) => this.showState(id)) };
    try {
      const { info } = await this.start(request);
      const next = this.book.get(info.sessionId);
      if (next && next.info.platformShowId === undefined) next.info.platformShowId = showId;
      this.options.logger.info(
        { sessionId: info.sessionId, previousSessionId: session.info.sessionId, platformShowId: showId },
        'a new show on the same channel',
      );
    } catch (error) {
      this.options.logger.warn({ sessionId: session.info.sessionId, err: describeError(error) }, 'could not follow the new show');
    }
  }

  private onMessages(session: Show, batch: ChatMessage[]): void {
    if (session.info.status === 'stopped') return;
    const { sessionId } = session.info;
    const admitted: ChatMessage[] = [];
    for (const message of batch) {
      if (!session.dedup.admit(message)) continue;
      admitted.push(message);
      this.bus.emit('event', sessionId, { type: 'new_message', message }, 'capture');
    }
    if (admitted.length === 0) return;
    session.health?.observe(admitted.length, Date.now());
    this.book.countMessages(session, admitted);
    this.bus.emit('messages', sessionId, admitted);
  }

  /** Publishes an event for a session from downstream (buyers, answers, lots), keeping counters current. */
  publish(sessionId: string, body: SessionEventBody): void {
    const session = this.book.get(sessionId);
    // A verdict repeated for the same message (a retried batch) is one buyer, not two.
    if (session && body.type === 'buyer_detected' && !this.book.countBuyer(session, body.messageId, body.buyer.status !== undefined)) return;
    if (session && body.type === 'lot_update' && body.summary) this.book.noteSales(session, body.summary);
    this.bus.emit('event', sessionId, body, 'downstream');
  }

  private publishStatus(session: Show, status: SessionStatus, detail?: string): void {
    const previous = session.info.status;
    session.info.status = status;
    session.info.detail = detail;
    this.logTransition(session, previous, status, detail);
    this.book.changed();
    this.bus.emit('event', session.info.sessionId, { type: 'session_status', status, ...(detail ? { detail } : {}) }, 'capture');
    this.bus.emit('session', this.snapshot(session));
    // The source's health ends with the show, in the same turn as its status.
    if (session.health && !RUNNING.has(status)) this.judgeOne(session, Date.now());
    if (status === 'ended' || status === 'error') {
      // The source is done; release its page but keep the session listed with its final status.
      const source = session.source;
      session.source = null;
      if (source) void source.stop().catch(() => undefined);
    }
  }

  private showState(sessionId: string): ShowState | undefined {
    if (this.starting.has(sessionId)) return 'running';
    const session = this.book.get(sessionId);
    if (!session) return undefined;
    if (RUNNING.has(session.info.status)) return 'running';
    return session.info.status === 'error' ? 'retry' : 'over';
  }

  /** Stops a session; `viewer` (accounts) must own it, else it is as unknown as a missing one. */
  /** One structured line per status change, so an operator can follow a show from the log alone. */
  private logTransition(session: Show, previous: SessionStatus, status: SessionStatus, detail?: string): void {
    const { sessionId, platform, source } = session.info;
    this.options.metrics?.countTransition(platform, status);
    const fields = {
      event: 'session_status',
      sessionId,
      platform,
      source,
      status,
      ...(previous !== status ? { previous } : {}),
      ...(detail ? { reason: detail } : {}),
    };
    if (status === 'error') this.options.logger.error(fields, `session ${status}`);
    else if (status === 'recovering' || status === 'no_chat_found') this.options.logger.warn(fields, `session ${status}`);
    else this.options.logger.info(fields, `session ${status}`);
  }

  /**
   * Runs a show this instance was handed (cluster mode): it continues from what its previous owner left
   * (`previous` counters, the source's `resumeState`, the message ids already published), without the
   * start-time checks the instance that accepted the request made.
   */
  async startOwned(
    request: StartRequest & { sessionId: string },
    resume: { previous?: SessionInfo; resumeState?: unknown; seenIds?: Iterable<string> },
  ): Promise<SessionInfo> {
    if (this.closing) throw new EarshotError('not_ready', 'The service is shutting down');
    const { sessionId, url, adapter } = await this.plan(request);
    const dedup = new Deduplicator(this.options.dedup);
    for (const id of resume.seenIds ?? []) dedup.remember(id);
    const previous: Show = {
      info: resume.previous ?? {
        sessionId,
        url: url.href,
        platform: adapter.platform,
        source: request.source ?? 'browser',
        status: 'stopped',
        messageCount: 0,
        buyerCount: 0,
        lastMessageAt: null,
        startedAt: new Date().toISOString(),
      },
      request,
      source: null,
      dedup,
      run: 1,
      resumeState: resume.resumeState,
      stoppedByUser: false,
      buyerMessageIds: this.book.newBuyerMemory(),
    };
    const promise = this.launch(sessionId, url, adapter, request, previous);
    this.starting.set(sessionId, promise);
    try {
      return (await promise).info;
    } finally {
      this.starting.delete(sessionId);
    }
  }

  /**
   * Lets go of a show that carries on elsewhere (cluster mode): its source stops and the session leaves
   * this instance without a `stopped` status. With `keepState` the source's resume state is returned for
   * the next owner; without (the show's lock was lost) nothing of it is kept.
   */
  async release(sessionId: string, keepState: boolean): Promise<{ info: SessionInfo; state?: unknown } | undefined> {
    const session = this.book.get(sessionId);
    if (!session) return undefined;
    const inflight = this.starting.get(sessionId);
    if (inflight) await inflight.catch(() => undefined);
    const source = session.source;
    session.source = null;
    // Marked first: what the source still reports while it stops is not this instance's any more.
    session.info.status = 'stopped';
    const state = keepState ? (source?.saveState?.() ?? session.resumeState) : undefined;
    if (source) await source.stop().catch((error) => this.options.logger.warn({ sessionId, err: describeError(error) }, 'stop failed'));
    this.book.delete(sessionId);
    return { info: { ...session.info }, state };
  }

  async stop(sessionId: string, viewer?: string): Promise<SessionInfo> {
    const session = this.visible(sessionId, viewer);
    const inflight = this.starting.get(sessionId);
    if (inflight) await inflight.catch(() => undefined);
    if (!this.closing) session.stoppedByUser = true;
    const source = session.source;
    if (source?.saveState) session.resumeState = source.saveState();
    session.source = null;
    if (source) await source.stop().catch((error) => this.options.logger.warn({ sessionId, err: describeError(error) }, 'stop failed'));
    if (session.info.status !== 'stopped') this.publishStatus(session, 'stopped');
    return this.snapshot(session);
  }

  /**
   * Names a show's host after the start (the dashboard's "no host message" fix): the session's sellers
   * are replaced, stored with the session (the ledger reads them for every message from then on) and
   * kept for a restart of the show.
   */
  setSellers(sessionId: string, sellers: readonly string[], viewer?: string): SessionInfo {
    const session = this.visible(sessionId, viewer);
    const names = [...new Set(sellers.map((s) => s.replace(/^@+/, '')).filter(Boolean))].slice(0, 20);
    session.info.sellers = names;
    session.request = { ...session.request, seller: names };
    return this.infoChanged(session);
  }

  /**
   * Names a show (the seller's title replaces the page's from then on), or with null gives the naming
   * back to the page (its title is read again the next time chat starts flowing).
   */
  setTitle(sessionId: string, title: string | null, viewer?: string): SessionInfo {
    const session = this.visible(sessionId, viewer);
    const clean = title === null ? undefined : cleanTitle(title);
    if (title !== null && clean === undefined) throw new EarshotError('invalid_body', 'A title needs some text');
    if (clean === undefined) {
      delete session.info.title;
      delete session.info.titleBy;
    } else {
      session.info.title = clean;
      session.info.titleBy = 'seller';
    }
    return this.infoChanged(session);
  }

  /** The session, when `viewer` may see it; unknown and another seller's are the same 404. */
  private visible(sessionId: string, viewer: string | undefined): Show {
    const session = this.book.get(sessionId);
    if (!session || !visibleTo(session.request.ownerId, viewer)) {
      throw new EarshotError('session_not_found', `No session ${sessionId}`, { sessionId });
    }
    return session;
  }

  /**
   * The session's record changed outside its status: saved, and sent on like a status change is (the
   * forwarder upserts it, the lists read it).
   */
  private infoChanged(session: Show): SessionInfo {
    this.book.changed();
    this.bus.emit('session', this.snapshot(session));
    return this.snapshot(session);
  }

  /** Every session `viewer` may see (all of them without accounts). */
  list(viewer?: string): SessionInfo[] {
    return [...this.book.values()].filter((s) => visibleTo(s.request.ownerId, viewer)).map((s) => this.snapshot(s));
  }

  /** A session, when `viewer` may see it (any without accounts). */
  get(sessionId: string, viewer?: string): SessionInfo | undefined {
    const session = this.book.get(sessionId);
    return session && visibleTo(session.request.ownerId, viewer) ? this.snapshot(session) : undefined;
  }

  /** The seller a session belongs to (undefined: no accounts, or a session from before them). */
  ownerOf(sessionId: string): string | undefined {
    return this.book.get(sessionId)?.request.ownerId;
  }

  /** The running source of a session (screenshots, diagnostics). */
  sourceOf(sessionId: string): ChatSource | undefined {
    return this.book.get(sessionId)?.source ?? undefined;
  }

  get activeCount(): number {
    let count = 0;
    for (const s of this.book.values()) if (RUNNING.has(s.info.status)) count++;
    return count;
  }

  /** Stops every session (graceful shutdown). */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.healthTimer);
    this.book.close();
    // Sessions running now are resumed at the next start; their state is saved as they stop.
    const running = [...this.book.values()].filter((s) => RUNNING.has(s.info.status)).map((s) => s.info.sessionId);
    await Promise.all(running.map((id) => this.stop(id).catch(() => undefined)));
    for (const session of this.book.values()) {
      if (!running.includes(session.info.sessionId) && session.info.status === 'stopped') session.stoppedByUser = true;
    }
    this.saveNow();
  }

  private snapshot(session: Show): SessionInfo {
    const extra = session.source?.describe?.();
    const health = session.health?.current(Date.now());
    return { ...session.info, ...(health ? { health } : {}), ...(extra ? { diagnostics: extra } : {}) } as SessionInfo;
  }
}
