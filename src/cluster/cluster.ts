/**
 * What several Earshot instances share, on Redis (6.2+ or Valkey): which instance runs which show
 * (BullMQ: one long-running job per show, jobId = session id, its lock renewed while the page runs),
 * each show's events (a Redis Stream per show, trimmed like the resume ring, read by every instance for
 * its /ws clients), the show list and each show's resume state. No coordination protocol of our own:
 * ownership is BullMQ's job lock, and the two writes a show's owner makes are fenced by that lock
 * (scripts.ts).
 */
import { Queue, Worker, WaitingError, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { SessionEventBody } from '../domain/events.ts';
import type { SessionInfo } from '../domain/message.ts';
import type { StartRequest } from '../domain/session.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { APPEND_EVENTS, SAVE_SHOW } from './scripts.ts';

/** A show as every instance lists it. */
export interface ShowRecord {
  /** The start request, with its session id. */
  request: StartRequest & { sessionId: string };
  info: SessionInfo;
  /** The instance running it (null: waiting for one). */
  instance: string | null;
}

/** What the stream reader hands the hub: a stamped, serialized event. */
export type StreamListener = (sessionId: string, seq: number, data: string) => void;

/** Runs one show on this instance until it ends; BullMQ calls it once per show it assigns here. */
export type ShowRunner = (sessionId: string, lease: { token: string; lockKey: string }) => Promise<'finished' | 'handover' | 'fenced'>;

export interface ClusterOptions {
  redisUrl: string;
  instanceId: string;
  prefix: string;
  lockMs: number;
  stalledMs: number;
  /** Shows this instance runs at most (MAX_SESSIONS): the BullMQ worker's concurrency. */
  concurrency: number;
  /** Events kept per show stream (WS_RING_SIZE), for `since`. */
  ringSize: number;
  logger: Logger;
}

type Desired = 'run' | 'stop';

type RedisWithScripts = Redis & {
  appendEvents(...args: Array<string | number>): Promise<number[]>;
  saveShow(...args: Array<string | number>): Promise<number>;
};

const QUEUE = 'shows';

export class Cluster {
  readonly instanceId: string;
  private readonly options: ClusterOptions;
  /** Commands and scripts. */
  private readonly redis: RedisWithScripts;
  /** Blocking XREAD of the show streams. */
  private readonly reader: Redis;
  /** Change notices between instances (pub/sub). */
  private readonly subscriber: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private readonly shows = new Map<string, ShowRecord>();
  private readonly desired = new Map<string, Desired>();
  private readonly lastIds = new Map<string, string>();
  private readonly listeners = new Set<(sessionId: string) => void>();
  private streamListener: StreamListener | null = null;
  private readerStop = false;
  private readerDone: Promise<void> = Promise.resolve();
  private refreshTimer: NodeJS.Timeout | null = null;
  private members: string[] = [];

  constructor(options: ClusterOptions) {
    this.options = options;
    this.instanceId = options.instanceId;
    const base = {
      // Commands wait for the connection to come back rather than fail: a Redis restart delays the
      // show's events, it never drops them (and BullMQ requires it for its blocking connections).
      maxRetriesPerRequest: null,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1_000),
      connectionName: `earshot:${options.instanceId}`,
    };
    this.redis = new Redis(options.redisUrl, base) as RedisWithScripts;
    this.redis.defineCommand('appendEvents', { lua: APPEND_EVENTS });
    this.redis.defineCommand('saveShow', { lua: SAVE_SHOW });
    this.reader = new Redis(options.redisUrl, base);
    this.subscriber = new Redis(options.redisUrl, base);
    for (const connection of [this.redis, this.reader, this.subscriber]) {
      // ioredis reconnects by itself; an 'error' without a listener would crash the process.
      connection.on('error', (error) => options.logger.debug({ err: describeError(error) }, 'redis connection error'));
    }
    this.queue = new Queue(QUEUE, { connection: this.connection(), prefix: `${options.prefix}:bull` });
    this.queue.on('error', (error) => options.logger.warn({ err: describeError(error) }, 'cluster queue error'));
  }

  private connection(): Redis {
    return new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(100 * n, 1_000) });
  }

  private key(...parts: string[]): string {
    return [this.options.prefix, ...parts].join(':');
  }

  /** The key of a show's job lock, which fences its owner's writes. */
  lockKey(sessionId: string): string {
    return `${this.queue.toKey(sessionId)}:lock`;
  }

  /** Loads the show list, follows its changes and starts reading the show streams. */
  async start(onEvent: StreamListener): Promise<void> {
    this.streamListener = onEvent;
    await this.subscriber.subscribe(this.key('notify'));
    this.subscriber.on('message', (_channel, message: string) => {
      const sessionId = message.slice(message.indexOf(' ') + 1);
      void this.refreshShow(sessionId);
    });
    await this.refreshAll();
    // Notices can be missed while a connection is down: the whole list is read again now and then.
    this.refreshTimer = setInterval(() => void this.refreshAll().catch(() => undefined), 2_000);
    this.refreshTimer.unref();
    this.readerDone = this.readLoop();
  }

  /** Starts taking shows: BullMQ hands this instance up to `concurrency` of them. */
  work(run: ShowRunner): void {
    const worker = new Worker(
      QUEUE,
      async (job: Job<{ sessionId: string }>, token?: string) => {
        const outcome = await run(job.data.sessionId, { token: token ?? '', lockKey: this.lockKey(job.data.sessionId) });
        if (outcome === 'handover') {
          // Back to the queue at once, for the next free instance (not failed, not delayed).
          await job.moveToWait(token);
          throw new WaitingError();
        }
        // The lock is another instance's now: leave the job to it.
        if (outcome === 'fenced') throw new WaitingError();
        return outcome;
      },
      {
        connection: this.connection(),
        prefix: `${this.options.prefix}:bull`,
        name: this.instanceId,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.stalledMs,
        // A show whose owner died is taken over, however often that happens; it is never failed for it.
        maxStalledCount: Number.MAX_SAFE_INTEGER,
        autorun: true,
      },
    );
    worker.on('error', (error) => this.options.logger.warn({ err: describeError(error) }, 'cluster worker error'));
    worker.on('failed', (job, error) =>
      this.options.logger.warn({ sessionId: job?.data.sessionId, err: describeError(error) }, 'show job failed'),
    );
    this.worker = worker;
  }

  /** Called with the ids of shows whose lock this instance could not renew (it lost them). */
  onLockLost(handler: (sessionIds: string[]) => void): void {
    this.worker?.on('lockRenewalFailed', handler);
  }

  /** Registers a show and queues it for an instance; a show already queued or running stays as it is. */
  async submit(record: ShowRecord): Promise<void> {
    const id = record.request.sessionId;
    await this.redis.multi().hset(this.key('shows'), id, JSON.stringify(record)).hset(this.key('desired'), id, 'run').exec();
    this.shows.set(id, record);
    this.desired.set(id, 'run');
    await this.queue.add('show', { sessionId: id }, { jobId: id, removeOnComplete: true, removeOnFail: true });
    await this.notify(id);
  }

  /** Asks for a show to stop (its owner stops it); removes its job if no instance has taken it yet. */
  async requestStop(sessionId: string): Promise<'removed' | 'running' | 'none'> {
    await this.redis.hset(this.key('desired'), sessionId, 'stop');
    this.desired.set(sessionId, 'stop');
    await this.notify(sessionId, 'stop');
    const job = await this.queue.getJob(sessionId);
    if (!job) return 'none';
    const state = await job.getState();
    if (state === 'active') return 'running';
    await job.remove().catch(() => undefined);
    return 'removed';
  }

  /** Whether a show should run (false once someone asked it to stop). */
  async wanted(sessionId: string): Promise<boolean> {
    const desired = (await this.redis.hget(this.key('desired'), sessionId)) as Desired | null;
    if (desired) this.desired.set(sessionId, desired);
    return desired === 'run';
  }

  /** Writes a show's record (and resume state), fenced by `token` when it comes from the owner. */
  async saveShow(record: ShowRecord, token: string, lockKey: string, state?: unknown): Promise<void> {
    const id = record.request.sessionId;
    await this.redis.saveShow(
      4,
      lockKey,
      this.key('shows'),
      this.key('state'),
      this.key('journal', id),
      token,
      id,
      JSON.stringify(record),
      state === undefined ? '' : JSON.stringify(state),
    );
    this.shows.set(id, record);
    await this.notify(id);
  }

  /**
   * Appends a show's events with its journal entries; returns each event's seq (0: a repeated buyer).
   * Throws a FENCED error when `token` no longer holds the show's lock.
   */
  async append(
    sessionId: string,
    token: string,
    events: Array<{ body: SessionEventBody; member?: string }>,
    journal: string[],
  ): Promise<number[]> {
    const args: Array<string | number> = [
      5,
      this.lockKey(sessionId),
      this.key('seq', sessionId),
      this.key('events', sessionId),
      this.key('journal', sessionId),
      this.key('buyers', sessionId),
      token,
      this.options.ringSize,
      journal.length,
      ...journal,
    ];
    for (const event of events) args.push(event.member ?? '', JSON.stringify(event.body));
    return this.redis.appendEvents(...args);
  }

  /** What a new owner continues from: the saved state, the journal past it and the stream's recent events. */
  async resumeOf(sessionId: string): Promise<{ state: unknown; journal: string[]; recent: SessionEventBody[] }> {
    const [state, journal, entries] = await Promise.all([
      this.redis.hget(this.key('state'), sessionId),
      this.redis.lrange(this.key('journal', sessionId), 0, -1),
      this.redis.xrevrange(this.key('events', sessionId), '+', '-', 'COUNT', this.options.ringSize),
    ]);
    const recent = entries
      .reverse()
      .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as SessionEventBody)
      .filter((body) => typeof body === 'object' && body !== null);
    return { state: state ? (JSON.parse(state) as unknown) : undefined, journal, recent };
  }

  /** A show's record read from Redis now (the mirror may not have seen a show started a moment ago). */
  async fetchShow(sessionId: string): Promise<ShowRecord | undefined> {
    const raw = await this.redis.hget(this.key('shows'), sessionId);
    if (!raw) return undefined;
    const record = JSON.parse(raw) as ShowRecord;
    this.shows.set(sessionId, record);
    return record;
  }

  /** Every show the cluster knows (the local mirror, kept current by notices). */
  list(): ShowRecord[] {
    return [...this.shows.values()];
  }

  show(sessionId: string): ShowRecord | undefined {
    return this.shows.get(sessionId);
  }

  desiredOf(sessionId: string): Desired | undefined {
    return this.desired.get(sessionId);
  }

  /** Calls `listener` with a show's id whenever its record changes anywhere in the cluster. */
  onChange(listener: (sessionId: string) => void): void {
    this.listeners.add(listener);
  }

  /** The instances with a live BullMQ worker on the show queue (names = INSTANCE_ID). */
  async refreshMembers(): Promise<string[]> {
    const workers = await this.queue.getWorkers();
    // Each worker's connections are named `<queue client name>:w:<worker name>` (the worker name is INSTANCE_ID).
    const names = workers.map((w) => {
      const raw = String((w as { rawname?: string }).rawname ?? '');
      const at = raw.indexOf(':w:');
      return at === -1 ? '' : raw.slice(at + 3);
    });
    this.members = [...new Set(names.filter(Boolean))].sort();
    return this.members;
  }

  get knownMembers(): string[] {
    return this.members;
  }

  /** Redis answers (readiness). */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.redis.ping().then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async notify(sessionId: string, kind = 'show'): Promise<void> {
    await this.redis.publish(this.key('notify'), `${kind} ${sessionId}`);
  }

  private async refreshShow(sessionId: string): Promise<void> {
    try {
      const [raw, desired] = await Promise.all([this.redis.hget(this.key('shows'), sessionId), this.redis.hget(this.key('desired'), sessionId)]);
      if (raw) this.shows.set(sessionId, JSON.parse(raw) as ShowRecord);
      if (desired) this.desired.set(sessionId, desired as Desired);
      for (const listener of this.listeners) listener(sessionId);
    } catch (error) {
      this.options.logger.debug({ sessionId, err: describeError(error) }, 'could not read a show record');
    }
  }

  private async refreshAll(): Promise<void> {
    const [shows, desired] = await Promise.all([this.redis.hgetall(this.key('shows')), this.redis.hgetall(this.key('desired'))]);
    for (const [id, raw] of Object.entries(shows)) {
      const before = this.shows.get(id);
      this.shows.set(id, JSON.parse(raw) as ShowRecord);
      if (!before || JSON.stringify(before) !== raw) for (const listener of this.listeners) listener(id);
    }
    for (const [id, value] of Object.entries(desired)) this.desired.set(id, value as Desired);
    void this.refreshMembers().catch(() => undefined);
  }

  /**
   * Reads every show's stream from where this instance stopped (from the start for a show it has not
   * read yet, so its ring serves `since` from the first event still kept) and hands each event over.
   */
  private async readLoop(): Promise<void> {
    while (!this.readerStop) {
      const ids = [...this.shows.keys()];
      if (ids.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      try {
        const keys = ids.map((id) => this.key('events', id));
        const from = ids.map((id) => this.lastIds.get(id) ?? '0');
        // A short block: shows started meanwhile join the next read.
        const result = (await this.reader.xread('COUNT', 1_000, 'BLOCK', 250, 'STREAMS', ...keys, ...from)) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        if (!result) continue;
        for (const [key, entries] of result) {
          const sessionId = ids[keys.indexOf(key)]!;
          for (const [entryId, fields] of entries) {
            this.lastIds.set(sessionId, entryId);
            const body = fields[1];
            if (!body || body.length < 3) continue;
            const seq = Number(entryId.slice(0, entryId.indexOf('-')));
            // The body is an object's JSON: the stamp goes in without parsing it again.
            this.streamListener?.(sessionId, seq, `${body.slice(0, -1)},"sessionId":${JSON.stringify(sessionId)},"seq":${seq}}`);
          }
        }
      } catch (error) {
        if (this.readerStop) break;
        this.options.logger.debug({ err: describeError(error) }, 'stream read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Stops taking shows: BullMQ waits for the runners, which hand their shows over first (see sessions.ts). */
  async closeWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = null;
  }

  async close(): Promise<void> {
    await this.closeWorker();
    this.readerStop = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.reader.disconnect();
    await this.readerDone.catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
