/**
 * Shows across a cluster: any instance accepts start, stop and list; BullMQ gives each show to one
 * instance, whose SessionManager runs it (the same engine as on a single instance). This file is the
 * glue: the show list every instance sees, the lease under which the owner writes a show's events and
 * resume state (fenced, in order, see scripts.ts), the take-over (resume state, journal, the stream's
 * recent events) and the hand-over on shutdown.
 */
import type { SessionEventBody } from '../domain/events.ts';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import type { StartRequest } from '../domain/session.ts';
import type { AgentTailEntry } from '../capture/agent/agent.ts';
import { journalLine, parseJournalLines, type StreamJournal } from '../capture/browser/stream-journal.ts';
import type { ChatSource } from '../capture/source.ts';
import { EarshotError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EventPublisher } from '../pipeline/bus.ts';
import { visibleTo, type SessionManager, type ShowState } from '../pipeline/session-manager.ts';
import type { SessionRecord, SessionStore } from '../pipeline/session-store.ts';
import { isFenced } from './scripts.ts';
import type { Cluster, ShowRecord } from './cluster.ts';

const FINAL = new Set(['stopped', 'ended', 'error']);

type Outcome = 'finished' | 'handover' | 'fenced';

type Op =
  | { kind: 'events'; events: Array<{ body: SessionEventBody; member?: string }>; journal: string[] }
  | { kind: 'save'; info: SessionInfo; state?: unknown; instance?: string | null };

/** The owner's hold on one show: its writes go out one at a time, in order, under the job's token. */
class Lease {
  readonly sessionId: string;
  readonly token: string;
  readonly lockKey: string;
  request: StartRequest & { sessionId: string };
  /** Journal entries the previous owner left (read by the source as it starts). */
  inherited: AgentTailEntry[] = [];
  /** Performs one write (set by the owner of the lease); throws to have it tried again. */
  runner: (op: Op) => Promise<void> = async () => undefined;
  private readonly ops: Op[] = [];
  private pendingJournal: string[] = [];
  private pendingEvents: Array<{ body: SessionEventBody; member?: string }> = [];
  private flushQueued = false;
  private draining: Promise<void> | null = null;
  outcome: Outcome | null = null;
  private resolveDone!: (outcome: Outcome) => void;
  readonly done: Promise<Outcome>;

  constructor(sessionId: string, token: string, lockKey: string, request: StartRequest & { sessionId: string }) {
    this.sessionId = sessionId;
    this.token = token;
    this.lockKey = lockKey;
    this.request = request;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get fenced(): boolean {
    return this.outcome === 'fenced';
  }

  end(outcome: Outcome): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    if (outcome === 'fenced') {
      this.ops.length = 0;
      this.pendingEvents = [];
      this.pendingJournal = [];
    }
    this.resolveDone(outcome);
  }

  event(body: SessionEventBody, member?: string): void {
    if (this.fenced) return;
    this.pendingEvents.push({ body, member });
    this.queueFlush();
  }

  journal(line: string): void {
    if (this.fenced) return;
    this.pendingJournal.push(line);
    this.queueFlush();
  }

  save(info: SessionInfo, state?: unknown, instance?: string | null): void {
    if (this.fenced) return;
    this.cut();
    this.ops.push({ kind: 'save', info, state, instance });
    void this.drain();
  }

  /** Resolves once everything queued so far has reached Redis (or the lease was fenced). */
  async drained(): Promise<void> {
    this.cut();
    while (this.ops.length > 0 && !this.fenced) await this.drain();
  }

  /** A batch's events and positions leave together, once the current task has added all of them. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.cut();
      void this.drain();
    });
  }

  private cut(): void {
    if (this.pendingEvents.length === 0 && this.pendingJournal.length === 0) return;
    this.ops.push({ kind: 'events', events: this.pendingEvents, journal: this.pendingJournal });
    this.pendingEvents = [];
    this.pendingJournal = [];
  }

  private drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.ops.length > 0 && !this.fenced) {
        try {
          await this.runner(this.ops[0]!);
          this.ops.shift();
        } catch {
          // The runner waited before throwing: the same write is tried again, nothing after it overtakes it.
        }
      }
    })().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }
}

/** The journal of a show's stream positions, kept in Redis with its events (see scripts.ts). */
class ClusterJournal implements StreamJournal {
  constructor(private readonly lease: Lease | undefined) {}
  read(): AgentTailEntry[] {
    return [...(this.lease?.inherited ?? [])];
  }
  append(entries: readonly AgentTailEntry[]): void {
    if (entries.length > 0) this.lease?.journal(journalLine(entries));
  }
  // Emptied in Redis by the save that covers it (SAVE_SHOW), in the lease's order.
  saved(): void {}
  close(): void {}
}

export interface ClusterSessionsOptions {
  cluster: Cluster;
  /** The local engine: runs the shows this instance owns. */
  local: SessionManager;
  logger: Logger;
  /** Messages whose events reached the cluster: on to storage (the forwarder's durable outbox). */
  confirmed(sessionId: string, messages: ChatMessage[]): void;
}

/**
 * What the HTTP routes, the hub and the workers use in cluster mode, in place of the SessionManager:
 * the same methods, over the whole cluster's shows.
 */
export class ClusterSessions {
  private readonly options: ClusterSessionsOptions;
  private readonly cluster: Cluster;
  private readonly leases = new Map<string, Lease>();
  private closing = false;

  constructor(options: ClusterSessionsOptions) {
    this.options = options;
    this.cluster = options.cluster;
  }

  /** The publisher the local SessionManager writes capture events to. */
  readonly publisher: EventPublisher = {
    publish: (sessionId, body) => {
      const lease = this.leases.get(sessionId);
      if (lease) lease.event(body);
      else this.appendFree(sessionId, body);
    },
    publishDownstream: (sessionId, body) => this.appendFree(sessionId, body),
  };

  /** The store the local SessionManager saves to: the owned shows' records and resume state, fenced. */
  readonly store: SessionStore = {
    load: () => [],
    save: (records: SessionRecord[]) => {
      for (const record of records) {
        const lease = this.leases.get(record.info.sessionId);
        if (!lease || lease.outcome !== null) continue;
        lease.save({ ...record.info }, record.state);
      }
    },
  };

  /** Follows the local shows' status: recorded for the cluster, and a show that is over ends its job. */
  readonly sink = {
    accept: (): void => undefined,
    sessionChanged: (info: SessionInfo): void => {
      const lease = this.leases.get(info.sessionId);
      if (!lease || lease.outcome !== null) return;
      const { diagnostics: _omit, ...plain } = info as SessionInfo & { diagnostics?: unknown };
      lease.save(plain);
      if (FINAL.has(info.status)) void lease.drained().then(() => lease.end('finished'));
    },
  };

  /** The journal for a source of a show this instance owns. */
  journalFor(sessionId: string): StreamJournal {
    return new ClusterJournal(this.leases.get(sessionId));
  }

  /** Starts taking shows and following the lock of those it runs. */
  startWorking(): void {
    this.cluster.work((sessionId, hold) => this.runShow(sessionId, hold.token, hold.lockKey));
    this.cluster.onLockLost((ids) => {
      for (const id of ids) {
        const lease = this.leases.get(id);
        if (lease) void this.fence(lease, 'the lock could not be renewed');
      }
    });
    this.cluster.onChange((sessionId) => {
      if (this.cluster.desiredOf(sessionId) !== 'stop') return;
      const lease = this.leases.get(sessionId);
      if (lease && lease.outcome === null) void this.options.local.stop(sessionId).catch(() => undefined);
    });
  }

  private showState(id: string): ShowState | undefined {
    const record = this.cluster.show(id);
    if (!record) return undefined;
    if (this.cluster.desiredOf(id) === 'run' && !FINAL.has(record.info.status)) return 'running';
    return record.info.status === 'error' ? 'retry' : 'over';
  }

  async start(request: StartRequest): Promise<{ info: SessionInfo; created: boolean }> {
    if (this.closing) throw new EarshotError('not_ready', 'The service is shutting down');
    const { sessionId, url, adapter } = await this.options.local.plan(request, (id) => this.showState(id));
    const known = this.cluster.show(sessionId);
    if (known && request.ownerId !== undefined && known.request.ownerId !== request.ownerId) {
      throw new EarshotError('invalid_body', `Session id ${sessionId} is already in use; pick another`, { sessionId });
    }
    if (known && this.showState(sessionId) === 'running') return { info: this.present(known), created: false };
    const record: ShowRecord = {
      request: { ...request, sessionId },
      info: {
        sessionId,
        url: url.href,
        platform: adapter.platform,
        source: request.source ?? known?.info.source ?? 'browser',
        status: 'starting',
        detail: 'waiting for an instance',
        messageCount: known?.info.messageCount ?? 0,
        buyerCount: known?.info.buyerCount ?? 0,
        lastMessageAt: known?.info.lastMessageAt ?? null,
        startedAt: new Date().toISOString(),
        ...(request.ownerId ? { ownerId: request.ownerId } : {}),
        ...(request.seller && request.seller.length > 0 ? { sellers: request.seller } : {}),
      },
      instance: null,
    };
    await this.cluster.submit(record);
    return { info: this.present(record), created: true };
  }

  async stop(sessionId: string, viewer?: string): Promise<SessionInfo> {
    const record = this.visible(sessionId, viewer);
    const lease = this.leases.get(sessionId);
    const where = await this.cluster.requestStop(sessionId);
    if (lease && lease.outcome === null) {
      await this.options.local.stop(sessionId).catch(() => undefined);
      await lease.done;
    } else if (where !== 'running') {
      // Nobody runs it: the show is stopped here and now.
      const stopped: ShowRecord = { ...record, info: { ...record.info, status: 'stopped', detail: undefined }, instance: null };
      await this.cluster.saveShow(stopped, '', this.cluster.lockKey(sessionId));
      this.appendFree(sessionId, { type: 'session_status', status: 'stopped' });
    } else {
      // Its owner stops it when the notice arrives (or whoever takes it over finds it stopped).
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && !FINAL.has(this.cluster.show(sessionId)?.info.status ?? 'stopped')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return this.present(this.cluster.show(sessionId) ?? record);
  }

  list(viewer?: string): SessionInfo[] {
    return this.cluster
      .list()
      .filter((r) => visibleTo(r.request.ownerId, viewer))
      .map((r) => this.present(r));
  }

  get(sessionId: string, viewer?: string): SessionInfo | undefined {
    const record = this.cluster.show(sessionId);
    return record && visibleTo(record.request.ownerId, viewer) ? this.present(record) : undefined;
  }

  ownerOf(sessionId: string): string | undefined {
    return this.cluster.show(sessionId)?.request.ownerId;
  }

  /**
   * Names a show's host: done by the instance that runs the show (its SessionManager holds the
   * session record the ledger's backend reads). A show running on another instance is not reachable
   * from here yet: `not_ready`, so the caller can retry (the load balancer may pick the owner).
   */
  setSellers(sessionId: string, sellers: readonly string[], viewer?: string): SessionInfo {
    this.visible(sessionId, viewer);
    this.requireRunningHere(sessionId, 'its host can be named there');
    return this.options.local.setSellers(sessionId, sellers);
  }

  /** Names a show: like setSellers, on the instance that runs it (its SessionManager holds the record). */
  setTitle(sessionId: string, title: string | null, viewer?: string): SessionInfo {
    this.visible(sessionId, viewer);
    this.requireRunningHere(sessionId, 'it can be named there');
    return this.options.local.setTitle(sessionId, title);
  }

  /** The show's record, when `viewer` may see it; unknown and another seller's are the same 404. */
  private visible(sessionId: string, viewer: string | undefined): ShowRecord {
    const record = this.cluster.show(sessionId);
    if (!record || !visibleTo(record.request.ownerId, viewer)) {
      throw new EarshotError('session_not_found', `No session ${sessionId}`, { sessionId });
    }
    return record;
  }

  /** A change only the show's own SessionManager can make: elsewhere `not_ready`, so the caller retries. */
  private requireRunningHere(sessionId: string, where: string): void {
    const lease = this.leases.get(sessionId);
    if (!lease || lease.outcome !== null) {
      throw new EarshotError('not_ready', `Show ${sessionId} runs on another instance; ${where}`, { sessionId });
    }
  }

  /** The source of a show running here (screenshots, reply targets); other instances' shows have none here. */
  sourceOf(sessionId: string): ChatSource | undefined {
    return this.leases.has(sessionId) ? this.options.local.sourceOf(sessionId) : undefined;
  }

  /** Downstream events (buyers, answers, lots) from this instance, for a show anywhere. */
  publish(sessionId: string, body: SessionEventBody): void {
    this.options.local.publish(sessionId, body);
  }

  get activeCount(): number {
    return this.options.local.activeCount;
  }

  /** The shows this instance runs now. */
  owned(): string[] {
    return [...this.leases.keys()];
  }

  /** A show as lists present it: the local, fresher picture when it runs here. */
  private present(record: ShowRecord): SessionInfo {
    const local = this.leases.has(record.info.sessionId) ? this.options.local.get(record.info.sessionId) : undefined;
    return { ...(local ?? record.info), instance: record.instance } as SessionInfo;
  }

  private appendFree(sessionId: string, body: SessionEventBody): void {
    const member = body.type === 'buyer_detected' ? body.messageId : undefined;
    void this.cluster.append(sessionId, '', [{ body, member }], []).catch((error) =>
      this.options.logger.warn({ sessionId, err: describeError(error) }, 'could not publish an event to the cluster'),
    );
  }

  /** One write of a lease; a lost connection is waited out (ioredis queues), a lost lock fences. */
  private async run(lease: Lease, op: Op): Promise<void> {
    try {
      if (op.kind === 'events') {
        const seqs = await this.cluster.append(lease.sessionId, lease.token, op.events, op.journal);
        const messages: ChatMessage[] = [];
        op.events.forEach((event, i) => {
          if (seqs[i] !== 0 && event.body.type === 'new_message') messages.push(event.body.message);
        });
        if (messages.length > 0) this.options.confirmed(lease.sessionId, messages);
      } else {
        const instance = op.instance === undefined ? this.cluster.instanceId : op.instance;
        const record: ShowRecord = { request: lease.request, info: op.info, instance };
        await this.cluster.saveShow(record, lease.token, lease.lockKey, op.state);
      }
    } catch (error) {
      if (isFenced(error)) {
        await this.fence(lease, 'another instance holds the show now');
        return;
      }
      this.options.logger.warn({ sessionId: lease.sessionId, err: describeError(error) }, 'cluster write failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 500));
      throw error;
    }
  }

  /** The lock is gone: stop capturing and drop whatever was not written (the new owner reads the page again). */
  private async fence(lease: Lease, reason: string): Promise<void> {
    if (lease.outcome !== null && lease.outcome !== 'handover') return;
    this.options.logger.warn({ sessionId: lease.sessionId, reason }, 'lost the show: stopped capturing it (fenced)');
    lease.end('fenced');
    this.leases.delete(lease.sessionId);
    await this.options.local.release(lease.sessionId, false);
  }

  /** BullMQ gave this instance a show: take it over from where the cluster has it and run it until it ends. */
  private async runShow(sessionId: string, token: string, lockKey: string): Promise<Outcome> {
    // Read afresh: the previous owner's last save is what this owner continues from.
    const record = await this.cluster.fetchShow(sessionId);
    if (!record || !(await this.cluster.wanted(sessionId)) || this.closing) {
      if (record && !FINAL.has(record.info.status) && !this.closing) {
        await this.cluster.saveShow({ ...record, info: { ...record.info, status: 'stopped', detail: undefined }, instance: null }, token, lockKey);
        this.appendFree(sessionId, { type: 'session_status', status: 'stopped' });
      }
      if (this.closing) return 'handover';
      return 'finished';
    }
    const lease = new Lease(sessionId, token, lockKey, record.request);
    lease.runner = (op) => this.run(lease, op);
    const resume = await this.cluster.resumeOf(sessionId);
    lease.inherited = parseJournalLines(resume.journal);
    const seenIds: string[] = [];
    const published: ChatMessage[] = [];
    for (const body of resume.recent) {
      if (body.type === 'new_message') {
        seenIds.push(body.message.id);
        published.push(body.message);
      }
    }
    this.leases.set(sessionId, lease);
    // What the stream holds was broadcast; whatever of it the previous owner had not stored yet is stored
    // now (ingest is idempotent: what it had stored is not stored twice).
    if (published.length > 0) this.options.confirmed(sessionId, published);
    const previous = record.instance;
    this.options.logger.info({ sessionId, previousInstance: previous, instance: this.cluster.instanceId }, 'taking over a show');
    try {
      await this.options.local.startOwned(record.request, {
        previous: { ...record.info, status: 'stopped', detail: undefined },
        resumeState: resume.state,
        seenIds,
      });
    } catch (error) {
      this.options.logger.warn({ sessionId, err: describeError(error) }, 'could not start a show handed to this instance');
      lease.save({ ...record.info, status: 'error', detail: describeError(error) });
      await lease.drained();
      lease.end('finished');
    }
    const outcome = await lease.done;
    this.leases.delete(sessionId);
    return outcome;
  }

  /**
   * SIGTERM: every show this instance runs goes back to the queue at once, with its resume state saved,
   * for the next instance to take (the handover). Then BullMQ's worker closes.
   */
  async handOver(): Promise<void> {
    this.closing = true;
    const leases = [...this.leases.values()].filter((l) => l.outcome === null);
    await Promise.all(
      leases.map(async (lease) => {
        const released = await this.options.local.release(lease.sessionId, true);
        if (released && lease.outcome === null) {
          lease.save({ ...released.info, status: 'starting', detail: 'moving to another instance' }, released.state, null);
          // Redis unreachable at shutdown: the show is taken over when its lock runs out instead.
          await Promise.race([lease.drained(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        }
        lease.end('handover');
      }),
    );
    await this.cluster.closeWorker();
  }
}

