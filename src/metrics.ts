/**
 * The service's metrics: one prom-client registry per service instance (tests start several services
 * in one process, so prom-client's global default registry is never used). main.ts creates it, passes
 * the narrow recording methods down, serves it at GET /metrics, and /health reads its numbers from it,
 * so the two never disagree.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Values read at scrape time from the components that own them. */
export interface MetricReaders {
  activeSessions(): number;
  wsClients(): number;
  backlog(): { messages: number; entries: number; oldestAgeMs: number | null; consecutiveFailures: number; deadLettered: number };
  /** Shows this instance knows, counted by platform and status (live, recovering, no_chat_found, ...). */
  sessionsByStatus(): Array<{ platform: string; status: string; count: number }>;
  /** Buyers detected so far, per platform (the sessions' own deduplicated counts). */
  buyersByPlatform(): Record<string, number>;
  /** The running shows' source health: platform, state, messages in the last minute. */
  sourceHealth?(): Array<{ platform: string; state: string; ratePerMin: number }>;
  /** Whether DATA_DIR takes writes (StorageWatch); absent: not watched. */
  storage?(): StorageState;
}

/** What a capture source records (BrowserSource takes this, so it needs no prom-client). */
export interface CaptureMetrics {
  /** Seconds from the agent seeing a row in the page to the row reaching the sink. */
  observeCaptureLatency(platform: string, seconds: number): void;
  /** An agent report failed validation and was dropped. */
  countDroppedReport(platform: string): void;
}

/** What the network tap records: frames of a platform's own traffic that did not decode (TikTok's protobuf). */
export interface NetworkMetrics {
  countUndecodedFrames(platform: string, count: number): void;
}

/** What the session manager records: every status transition (recoveries are transitions to `recovering`). */
export interface SessionMetrics {
  countTransition(platform: string, status: string): void;
}

/** What the egress guard records: a connection Chromium tried that policy refused. */
export interface EgressMetrics {
  countEgressRefusal(reason: string): void;
}

/** The numbers /health shows, read from the registry. */
export interface HealthNumbers {
  activeSessions: number;
  wsClients: number;
  backlogMessages: number;
  messagesTotal: number;
  buyersTotal: number;
  recoveriesTotal: number;
  egressRefusalsTotal: number;
  droppedReportsTotal: number;
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The registry and its instruments; create one per service with `createMetrics`. */
export class Metrics implements CaptureMetrics, SessionMetrics, EgressMetrics, NetworkMetrics {
  readonly registry: Registry;
  readonly captureLatency: Histogram<'platform'>;
  readonly messages: Counter<'platform'>;
  readonly transitions: Counter<'platform' | 'status'>;
  readonly recoveries: Counter<'platform'>;
  /** Incremented by the egress proxy for each refused connection (label: why, e.g. `private_address`). */
  readonly egressRefusals: Counter<'reason'>;
  readonly droppedReports: Counter<'platform'>;
  readonly undecodedFrames: Counter<'platform'>;
  readonly activeSessions: Gauge;
  readonly wsClients: Gauge;
  readonly backlogMessages: Gauge;
  readonly backlogEntries: Gauge;
  readonly backlogOldestAge: Gauge;
  readonly backendFailures: Gauge;
  readonly deadLettered: Counter;
  readonly sessions: Gauge<'platform' | 'status'>;
  readonly buyers: Gauge<'platform'>;
  readonly sourcesSilent: Gauge<'platform'>;
  readonly sourceRate: Gauge<'platform'>;
  readonly storageWritable: Gauge;
  /** Webhook delivery attempts by result (`delivered`, `retry`, `dead`, `gone`). */
  readonly webhookDeliveries: Counter<'result'>;
  /** Webhook deliveries waiting in the outbox (counted in the database when scraped). */
  readonly webhookPending: Gauge;
  private webhookPendingSource: (() => Promise<number>) | undefined;

  constructor(readers: MetricReaders, options: { defaultMetrics?: boolean } = {}) {
    const registers = [(this.registry = new Registry())];
    this.captureLatency = new Histogram({
      name: 'earshot_capture_latency_seconds',
      help: 'From the in-page agent seeing a chat row to the service receiving it',
      labelNames: ['platform'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.messages = new Counter({
      name: 'earshot_messages_total',
      help: 'Chat messages captured (after deduplication)',
      labelNames: ['platform'],
      registers,
    });
    this.transitions = new Counter({
      name: 'earshot_session_transitions_total',
      help: 'Session status transitions',
      labelNames: ['platform', 'status'],
      registers,
    });
    this.recoveries = new Counter({
      name: 'earshot_recoveries_total',
      help: 'Sessions that went into recovery (page crashed or closed, browser lost, chat stalled)',
      labelNames: ['platform'],
      registers,
    });
    this.egressRefusals = new Counter({
      name: 'earshot_egress_refusals_total',
      help: 'Connections from Chromium refused by the egress policy',
      labelNames: ['reason'],
      registers,
    });
    this.droppedReports = new Counter({
      name: 'earshot_agent_reports_dropped_total',
      help: 'Reports from the in-page agent that failed validation and were dropped',
      labelNames: ['platform'],
      registers,
    });
    this.undecodedFrames = new Counter({
      name: 'earshot_network_frames_undecoded_total',
      help: "Frames or events of a platform's own traffic that did not decode and were dropped",
      labelNames: ['platform'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'earshot_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result',
      labelNames: ['result'],
      registers,
    });
    const pendingSource = (): (() => Promise<number>) | undefined => this.webhookPendingSource;
    this.webhookPending = new Gauge({
      name: 'earshot_webhook_pending_deliveries',
      help: 'Webhook deliveries waiting in the outbox',
      registers,
      // Counted per scrape, not per outbox poll: the delivery loop stays free of it.
      async collect() {
        const source = pendingSource();
        if (!source) return;
        try {
          this.set(await source());
        } catch {
          // The database is unreachable: the last count stands (the backend's own gauges say why).
        }
      },
    });
    this.activeSessions = new Gauge({
      name: 'earshot_active_sessions',
      help: 'Sessions running now',
      registers,
      collect() {
        this.set(readers.activeSessions());
      },
    });
    this.wsClients = new Gauge({
      name: 'earshot_ws_clients',
      help: 'Connected /ws clients',
      registers,
      collect() {
        this.set(readers.wsClients());
      },
    });
    this.backlogMessages = new Gauge({
      name: 'earshot_forwarder_backlog_messages',
      help: 'Chat messages in the outbox waiting for the backend',
      registers,
      collect() {
        this.set(readers.backlog().messages);
      },
    });
    this.backlogEntries = new Gauge({
      name: 'earshot_forwarder_backlog_entries',
      help: 'Outbox entries (message batches, deletions, session updates) waiting for the backend',
      registers,
      collect() {
        this.set(readers.backlog().entries);
      },
    });
    this.backlogOldestAge = new Gauge({
      name: 'earshot_forwarder_backlog_oldest_age_seconds',
      help: 'Age of the oldest waiting outbox entry (0 when empty)',
      registers,
      collect() {
        this.set((readers.backlog().oldestAgeMs ?? 0) / 1000);
      },
    });
    this.backendFailures = new Gauge({
      name: 'earshot_forwarder_consecutive_failures',
      help: 'Backend deliveries that failed in a row (0 once one succeeds): a failing backend',
      registers,
      collect() {
        this.set(readers.backlog().consecutiveFailures);
      },
    });
    // The forwarder keeps its own running count; the counter follows it at each scrape, so it only rises
    // (increase() over it is the messages dead-lettered in a window).
    let deadLetteredSeen = 0;
    this.deadLettered = new Counter({
      name: 'earshot_forwarder_dead_lettered_total',
      help: 'Messages and entries the backend refused for good, moved to the dead-letter file',
      registers,
      collect() {
        const now = readers.backlog().deadLettered;
        if (now > deadLetteredSeen) this.inc(now - deadLetteredSeen);
        deadLetteredSeen = Math.max(deadLetteredSeen, now);
      },
    });
    this.sessions = new Gauge({
      name: 'earshot_sessions',
      help: 'Shows this instance knows, by platform and status',
      labelNames: ['platform', 'status'],
      registers,
      collect() {
        this.reset();
        for (const { platform, status, count } of readers.sessionsByStatus()) this.set({ platform, status }, count);
      },
    });
    // Source health (src/pipeline/source-health.ts) of the shows this instance runs.
    this.sourcesSilent = new Gauge({
      name: 'earshot_sources_silent',
      help: 'Running shows whose source is silent or stalled, per platform',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        const silent = perPlatform(readers.sourceHealth?.() ?? [], (s) => (s.state === 'silent' || s.state === 'stalled' ? 1 : 0));
        for (const [platform, count] of silent) this.set({ platform }, count);
      },
    });
    this.sourceRate = new Gauge({
      name: 'earshot_source_messages_per_minute',
      help: 'Chat messages in the last minute over the running shows, per platform',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        for (const [platform, rate] of perPlatform(readers.sourceHealth?.() ?? [], (s) => s.ratePerMin)) this.set({ platform }, rate);
      },
    });
    this.buyers = new Gauge({
      name: 'earshot_buyers',
      help: 'Buyers detected, per platform, over the sessions this service knows',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        for (const [platform, count] of Object.entries(readers.buyersByPlatform())) this.set({ platform }, count);
      },
    });
    this.storageWritable = new Gauge({
      name: 'earshot_storage_writable',
      help: 'DATA_DIR takes writes (1) or refuses them (0: full or read-only)',
      registers,
      collect() {
        this.set(readers.storage?.().writable === false ? 0 : 1);
      },
    });
    // Process metrics, event-loop lag among them (nodejs_eventloop_lag_*, from monitorEventLoopDelay).
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client names three gauges `_total`, which Prometheus reserves for counters (`promtool check
      // metrics` flags them). Their per-type twins (nodejs_active_handles{type}, ...) stay; the sums are
      // one sum() away.
      for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    }
  }

  observeCaptureLatency(platform: string, seconds: number): void {
    // A page clock that jumped (or a hostile page) must not poison the histogram.
    if (Number.isFinite(seconds) && seconds >= 0 && seconds < 3600) this.captureLatency.observe({ platform }, seconds);
  }

  countMessages(platform: string, count: number): void {
    if (count > 0) this.messages.inc({ platform }, count);
  }

  countTransition(platform: string, status: string): void {
    this.transitions.inc({ platform, status });
    if (status === 'recovering') this.recoveries.inc({ platform });
  }

  countWebhookDelivery(result: 'delivered' | 'retry' | 'dead' | 'gone'): void {
    this.webhookDeliveries.inc({ result });
  }

  /** Where the pending-deliveries gauge reads its count (the backend's webhook outbox). */
  readWebhookPendingFrom(source: () => Promise<number>): void {
    this.webhookPendingSource = source;
  }

  countEgressRefusal(reason: string): void {
    this.egressRefusals.inc({ reason });
  }

  countDroppedReport(platform: string): void {
    this.droppedReports.inc({ platform });
  }

  countUndecodedFrames(platform: string, count: number): void {
    this.undecodedFrames.inc({ platform }, count);
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The numbers /health shows, read back from the registry (collect callbacks run, as for a scrape). */
  async health(): Promise<HealthNumbers> {
    const sum = async (metric: Counter<string> | Gauge<string>): Promise<number> =>
      (await metric.get()).values.reduce((total, v) => total + v.value, 0);
    const [activeSessions, wsClients, backlogMessages, messagesTotal, buyersTotal, recoveriesTotal, egressRefusalsTotal, droppedReportsTotal] =
      await Promise.all([
        sum(this.activeSessions),
        sum(this.wsClients),
        sum(this.backlogMessages),
        sum(this.messages),
        sum(this.buyers),
        sum(this.recoveries),
        sum(this.egressRefusals),
        sum(this.droppedReports),
      ]);
    return { activeSessions, wsClients, backlogMessages, messagesTotal, buyersTotal, recoveriesTotal, egressRefusalsTotal, droppedReportsTotal };
  }
}

/** One registry with every Earshot instrument, reading gauges from `readers` at scrape time. */
export function createMetrics(readers: MetricReaders, options: { defaultMetrics?: boolean } = {}): Metrics {
  return new Metrics(readers, options);
}

/** Why DATA_DIR refuses writes: full (ENOSPC, EDQUOT) or otherwise unwritable (read-only, permissions, I/O). */
export type StorageCode = 'disk_full' | 'storage_unwritable';

/** What /health says about DATA_DIR: public, so a code and a fixed message, never a path. */
export interface StorageState {
  writable: boolean;
  code?: StorageCode;
  /** What the code means, for people (the system's own message, which names paths, goes to the log only). */
  message?: string;
  /** When the state last changed (ISO 8601); null before the first probe. */
  since: string | null;
}

/** The stable code for a failed write. */
export function classifyStorageError(error: unknown): StorageCode {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? 'disk_full' : 'storage_unwritable';
}

const STORAGE_MESSAGES: Record<StorageCode, string> = {
  disk_full: 'DATA_DIR is full: new data is kept in memory until it has room',
  storage_unwritable: 'DATA_DIR refuses writes: new data is kept in memory until it accepts them',
};

/**
 * Probes DATA_DIR with a small durable write (write, fsync, remove) every `intervalMs`, so a full or
 * read-only disk shows in /health with a code (the outbox meanwhile keeps everything in memory and
 * retries its journal; nothing is dropped). Never throws.
 */
export class StorageWatch {
  private current: StorageState = { writable: true, since: null };
  private timer: NodeJS.Timeout | null = null;
  private readonly dir: string;
  private readonly intervalMs: number;
  private readonly onChange?: (state: StorageState, detail?: string) => void;
  /** The system's message for the last failed probe (it names paths: for the log, not /health). */
  private detail?: string;

  /** `onChange` gets the public state and, on a failure, the system's message for the log. */
  constructor(dir: string, options: { intervalMs?: number; onChange?: (state: StorageState, detail?: string) => void } = {}) {
    this.dir = dir;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.onChange = options.onChange;
  }

  state(): StorageState {
    return { ...this.current };
  }

  /** Starts probing; returns the teardown. */
  start(): () => void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
    return () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
  }

  /** One probe now. */
  async check(): Promise<StorageState> {
    const file = path.join(this.dir, '.earshot-write-probe');
    let next: StorageState;
    let detail: string | undefined;
    try {
      const handle = await fsp.open(file, 'w');
      try {
        // A few blocks, not one byte: a nearly full disk often still takes a single byte.
        await handle.write(Buffer.alloc(16 * 1024));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      next = { writable: true, since: null };
    } catch (error) {
      const code = classifyStorageError(error);
      next = { writable: false, code, message: STORAGE_MESSAGES[code], since: null };
      detail = error instanceof Error ? error.message : String(error);
    } finally {
      // Free the space again either way.
      await fsp.rm(file, { force: true }).catch(() => undefined);
    }
    const first = this.current.since === null;
    const changed = next.writable !== this.current.writable || next.code !== this.current.code;
    this.current = { ...next, since: changed || first ? new Date().toISOString() : this.current.since };
    this.detail = detail;
    if (changed) this.onChange?.(this.state(), this.detail);
    return this.state();
  }
}

/** `value` of each row summed per platform (a platform with rows but a sum of 0 is still listed). */
function perPlatform<T extends { platform: string }>(rows: readonly T[], value: (row: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(row.platform, (sums.get(row.platform) ?? 0) + value(row));
  return sums;
}
