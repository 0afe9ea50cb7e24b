/**
 * The composition root: config -> backend -> browser -> sources -> hub -> http/ws.
 * Only this file wires concrete implementations together.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WorkerBackend } from './backend/worker/worker-backend.ts';
import { databaseUrlBackend } from './backend/embedded.ts';
import { SupabaseBackend } from './backend/supabase.ts';
import type { Backend } from './backend/types.ts';
import { BrowserPool } from './capture/browser/pool.ts';
import { BrowserSource } from './capture/browser/browser-source.ts';
import { createSelectorCheck } from './capture/browser/selector-check.ts';
import { FileStreamJournal } from './capture/browser/stream-journal.ts';
import { NetworkTap } from './capture/network/tap.ts';
import { chatPageUrl, findFileAdapter } from './capture/platforms/index.ts';
import { loadJsonAdapters } from './capture/platforms/json-adapters.ts';
import { whatnot } from './capture/platforms/whatnot/adapter.ts';
import { youtube } from './capture/platforms/youtube/adapter.ts';
import type { ChatSource } from './capture/source.ts';
import { createYouTubeApi } from './capture/youtube-api/index.ts';
import { FallbackSource } from './capture/youtube-api/fallback.ts';
import type { Config } from './config.ts';
import { OwnOrigin } from './demo/own-origin.ts';
import { createDemo, DEMO_PATH } from './demo/routes.ts';
import { Hub } from './fanout/hub.ts';
import { createApp, clientErrorHandler, findWebDist, presentedToken, tokenMatches } from './http/app.ts';
import { buildOriginPolicy, upgradeRefusal } from './http/origin-policy.ts';
import { createTokenVerifier } from './auth/verifier.ts';
import { ownerKnowledgeBases } from './auth/owners.ts';
import { quotaHealth, quotaRoutes } from './http/quota.ts';
import { screenshotRoutes, screenshotSaver } from './http/screenshot.ts';
import { messageRoutes } from './http/messages.ts';
import { lotRoutes } from './http/lots.ts';
import { sessionRoutes } from './http/sessions.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, StorageWatch, type Metrics } from './metrics.ts';
import { EgressProxy } from './net/egress-proxy.ts';
import type { TargetPolicy } from './net/target-policy.ts';
import { assertUrlAllowed, machineAddresses, parseHttpUrl, type Resolver } from './net/url-guard.ts';
import { showsWithDeliveryReports } from './pipeline/delivery-report.ts';
import { Forwarder, type BacklogReport, type DeadLetterNote } from './pipeline/forwarder.ts';
import { Housekeeper } from './pipeline/housekeeping.ts';
import { Outbox } from './pipeline/outbox.ts';
import { subscribePublisher, subscribeSink } from './pipeline/bus.ts';
import { runShutdown } from './shutdown.ts';
import { replyTargets } from './delivery/targets.ts';
import { SessionManager, type Shows } from './pipeline/session-manager.ts';
import type { Cluster } from './cluster/cluster.ts';
import { ClusterSessions } from './cluster/sessions.ts';
import type { SourceFactory, SourceFactoryInput } from './capture/source.ts';
import type { StartRequest } from './domain/session.ts';
import { BrowserReplyTransport } from './delivery/browser.ts';
import type { ReplyTransport } from './delivery/types.ts';
import { ReplyDeliveryWorker } from './delivery/worker.ts';
import { YouTubeReplyTransport } from './delivery/youtube.ts';
import { kbRoutes } from './http/kb.ts';
import { ExtractionPool } from './kb/extract-pool.ts';
import { MAX_DOCUMENT_CHARS } from '../supabase/functions/_shared/kb/index.ts';
import { openapiRoutes } from './http/openapi.ts';
import { kbModelsFromConfig } from './kb/models.ts';
import { FileSessionStore } from './pipeline/session-store.ts';
import { overlayPage, overlayRoutes } from './http/overlay.ts';
import { webhookRoutes } from './http/webhooks.ts';
import { WebhookWorker } from './webhooks/worker.ts';
import { overlayFrame, overlayTokenHash } from './overlay/view.ts';

export interface Service {
  /** Base URL the service listens on, e.g. http://127.0.0.1:3001 */
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  /** This instance's engine: the shows it runs. */
  sessions: SessionManager;
  /** Every show the service answers for: `sessions`, or the whole cluster's in cluster mode. */
  shows: Shows;
  /** Cluster mode (REDIS_URL): what instances share. */
  cluster?: Cluster;
  hub: Hub;
  pool: BrowserPool;
  /** Storage and classification: embedded PGlite, or the Supabase edge functions. */
  backend: Backend;
  /** Captured messages on their way to the backend (durable outbox). */
  forwarder: Forwarder;
  /** This instance's metrics registry (GET /metrics, /health); the egress guard counts refusals here. */
  metrics: Metrics;
  /** The egress proxy every Chromium connection goes through (the SSRF guard). */
  egress: EgressProxy;
  /** The express app (specs walk its routes against the OpenAPI document). */
  app: Express;
  /** Graceful shutdown: sessions stopped, sockets closed. */
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
  /** Name resolution for start-monitoring and the egress proxy (tests; default: the system resolver). */
  resolver?: Resolver;
}

/** Builds and starts the whole service. */
export async function startService(config: Config, overrides: ServiceOverrides = {}): Promise<Service> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true });

  // Knowledge-base answers: embeddings and a grounded LLM answer when OPENAI_API_KEY is set, else extractive.
  const { embedder, model: answerModel } = kbModelsFromConfig(config.openai, logger);
  const onKbError = (error: unknown): void => logger.warn({ err: String(error) }, 'knowledge base hook failed');
  // The backend comes first: with it unusable (a broken database) the service must not start.
  const backend: Backend = config.supabase
    ? new SupabaseBackend({
        url: config.supabase.url,
        serviceRoleKey: config.supabase.serviceRoleKey,
        signingSecret: config.ingestSigningSecret,
        ownerId: config.supabase.ownerId,
        dbUrl: config.supabase.dbUrl,
      })
    : config.databaseUrl
      ? // The shared core over the user's PostgreSQL: postgres.js is asynchronous I/O, so it runs on this
        // thread without delaying capture. Several instances may share the database.
        databaseUrlBackend(config, config.databaseUrl, { embedder, model: answerModel, onError: onKbError })
      : // The embedded backend runs on a worker thread, so storage never delays capture or fan-out. It
        // builds its own LLM classifier (verdicts persist in DATA_DIR/llm-cache.json) and answer hook.
        new WorkerBackend({
          dataDir: config.dataDir,
          templateDir: config.pgliteTemplateDir,
          buyerThreshold: config.buyerConfidenceThreshold,
          openai: config.openai,
          llmCacheFile: path.join(config.dataDir, 'llm-cache.json'),
          botTrigger: config.botTrigger,
          repliesPerMinute: config.kb.repliesPerMinute,
          logLevel: config.logLevel,
          logger,
        });
  await backend.init();
  // The knowledge base is the backend's: the in-process core's database, or Supabase's Postgres
  // (SUPABASE_DB_URL) where the edge function runs the same hook. Without it, its routes answer
  // kb_unavailable. Its models are this process's.
  const kbModels = { embedder, model: answerModel, onEmbeddingError: onKbError };
  // pgvector present: hybrid search; a plain PostgreSQL without it: full text alone (shown in /health).
  const vectorSearch = (await backend.knowledge?.vectorSearch().catch(() => false)) ?? false;
  const kb = await backend.knowledge?.open(kbModels);

  // Every connection Chromium makes goes through Earshot's egress proxy, the SSRF guard (see
  // src/net/egress-proxy.ts): the default context on the main port, each session's pages on their own.
  // The service's own origin is reachable only from the demo's sessions (the policy is read per connection).
  const own = new OwnOrigin();
  const targetPolicy = (extraOrigins: readonly string[] = []): TargetPolicy => ({
    allowAllPrivate: config.allowPrivateUrls,
    allowedOrigins: [...config.allowedPrivateOrigins, ...extraOrigins],
  });
  const egress = new EgressProxy({ policy: () => targetPolicy(), logger, resolver: overrides.resolver });
  await egress.start();
  // DATA_DIR gives the browser its profile and the record by which the next start ends a leftover one.
  const pool = new BrowserPool({ executablePath: config.chromeExecutablePath, logger, dataDir: config.dataDir, extraArgs: egress.chromiumArgs() });
  // Accounts (Supabase Auth) replace the single API token: every caller is a seller and sees only their own.
  const verifier = config.auth
    ? createTokenVerifier({ jwksUrl: config.auth.jwksUrl, secret: config.auth.secret, audience: config.auth.audience, issuer: config.auth.issuer })
    : undefined;
  if (verifier && config.apiToken) logger.warn('API_TOKEN is not used while accounts are on (AUTH_*): callers sign in instead');
  const apiToken = verifier ? undefined : config.apiToken;
  const kbOwners = backend.knowledge && verifier ? ownerKnowledgeBases(backend.knowledge, kbModels) : undefined;
  // Whom the service answers (DNS rebinding, cross-origin pages): the same policy for HTTP and /ws.
  const originPolicy = buildOriginPolicy({
    host: config.host,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    authenticated: Boolean(verifier || apiToken),
  });
  // PDFs are read in a worker thread with time and memory budgets: a hostile file never holds this loop.
  const extraction = new ExtractionPool({
    timeoutMs: config.kb.extractTimeoutMs,
    maxMemoryMb: config.kb.extractMemoryMb,
    maxQueued: config.kb.extractQueue,
    limits: { maxPages: config.kb.maxPages, maxChars: MAX_DOCUMENT_CHARS },
    logger,
  });
  // Overlay links and featured messages (src/overlay): where the backend reaches a database.
  const overlayStore = backend.overlays;
  const hub = new Hub({
    ringSize: config.ws.ringSize,
    maxBufferedBytes: config.ws.maxBufferedBytes,
    pingIntervalMs: config.ws.pingIntervalMs,
    logger,
    authorize: apiToken ? (req) => tokenMatches(presentedToken(req), apiToken) : undefined,
    checkUpgrade: (req) => upgradeRefusal(originPolicy, req.headers),
    maxSubscriptions: config.ws.maxSubscriptions,
    maxSellerSubscriptions: config.ws.maxSellerSubscriptions,
    verifyToken: verifier ? (token) => verifier.verify(token) : undefined,
    ownerOf: (sessionId): string | undefined => shows.ownerOf(sessionId),
    overlay: overlayStore
      ? {
          showOf: async (token) => {
            const hash = overlayTokenHash(token);
            return hash ? (await overlayStore.showOfLink(hash))?.sessionId : undefined;
          },
          frame: overlayFrame,
        }
      : undefined,
  });
  const demo = createDemo();
  // A full or read-only DATA_DIR shows in /health (storage.code) and /metrics; capture carries on regardless.
  const storage = new StorageWatch(config.dataDir, {
    onChange: (state, detail) =>
      state.writable
        ? logger.info({ dataDir: config.dataDir }, 'DATA_DIR writable again')
        : logger.error({ dataDir: config.dataDir, code: state.code, err: detail }, 'DATA_DIR refuses writes'),
  });
  const stopStorageWatch = storage.start();
  // One registry per instance (GET /metrics; /health reads it too). Gauges ask their owners at scrape
  // time, so the closures may name components built further down.
  const metrics: Metrics = createMetrics({
    activeSessions: () => sessions.activeCount,
    wsClients: () => hub.stats().clients,
    backlog: () => forwarder.backlog(),
    // The shows this instance runs (all of them on one instance): summed across a cluster's instances by
    // Prometheus, each buyer counts once.
    buyersByPlatform: () => {
      const byPlatform: Record<string, number> = {};
      for (const info of sessions.list()) byPlatform[info.platform] = (byPlatform[info.platform] ?? 0) + info.buyerCount;
      return byPlatform;
    },
    sessionsByStatus: () => {
      const counts = new Map<string, { platform: string; status: string; count: number }>();
      for (const info of sessions.list()) {
        const key = `${info.platform}\u0000${info.status}`;
        const row = counts.get(key) ?? { platform: info.platform, status: info.status, count: 0 };
        row.count++;
        counts.set(key, row);
      }
      return [...counts.values()];
    },
    storage: () => storage.state(),
    sourceHealth: () =>
      sessions
        .list()
        .flatMap((info) => (info.health && info.health.state !== 'ended' ? [{ platform: info.platform, state: info.health.state, ratePerMin: info.health.ratePerMin }] : [])),
  });

  egress.on('refused', (refusal) => metrics.countEgressRefusal(refusal.kind));

  // Known once the server listens (PORT may be 0); start-monitoring is served only after that.
  let listeningPort = config.port;
  // Start-monitoring's URL check: the SSRF policy, and on the service's own origin the demo page only.
  const checkUrl = async (raw: string, request?: StartRequest): Promise<URL> => {
    const parsed = parseHttpUrl(raw);
    // The YouTube API source never loads the watch page: its host is not looked up at all (a browser
    // fallback, if it comes to that, goes through the egress proxy like every page).
    if (youtube.matches(parsed) && (request?.source ?? youtubeApi.defaultSource(youtube, parsed)) === 'api') return parsed;
    const url = await assertUrlAllowed(raw, {
      allowPrivate: config.allowPrivateUrls,
      allowedOrigins: [...config.allowedPrivateOrigins, ...own.origins],
      resolver: overrides.resolver,
      // The service's own port by any name that reaches it; the demo page is the one exception.
      self: {
        port: listeningPort,
        addresses: machineAddresses(),
        names: [config.host.toLowerCase()],
        allow: (target) => target.pathname === DEMO_PATH,
      },
    });
    own.assertMonitorable(url, config.allowPrivateUrls);
    return url;
  };

  const saveScreenshot = config.capture.saveScreenshots
    ? screenshotSaver(path.join(config.dataDir, 'screenshots'), logger)
    : undefined;
  // Adapters without code (DATA_DIR/adapters/*.json), consulted after the built-in ones.
  const fileAdapters = loadJsonAdapters(path.join(config.dataDir, 'adapters'), logger);
  const createBrowserSource = (input: SourceFactoryInput): ChatSource => {
    const pageUrl = chatPageUrl(input.adapter, input.url);
    // Network first, DOM as fallback: the tap reads the page's own chat traffic; the source's merger meets it with the DOM rows.
    const tap = NetworkTap.wanted(input.adapter)
      ? new NetworkTap({
          sessionId: input.sessionId,
          adapter: input.adapter,
          pageUrl,
          logger,
          network: config.capture.networkCapture,
          metrics,
        })
      : undefined;
    return new BrowserSource({
      sessionId: input.sessionId,
      url: pageUrl,
      adapter: input.adapter,
      pool,
      sink: input.sink,
      logger,
      sweepMs: config.capture.sweepIntervalMs,
      noChatTimeoutMs: config.capture.noChatTimeoutMs,
      // Its own port and browser context: the proxy counts this session's refusals. Demo sessions may
      // reach the service's own origin (the demo's event stream); no other page may.
      egress: egress.forSession(
        input.sessionId,
        () => pool.getBrowser(),
        own.isOwn(input.url) ? () => targetPolicy(own.origins) : undefined,
      ),
      idPrefix: input.idPrefix,
      resumeState: input.resumeState,
      // In cluster mode the positions go to Redis with the show's events, for whichever instance runs it next.
      journal: clusterSessions
        ? clusterSessions.journalFor(input.sessionId)
        : new FileStreamJournal(path.join(config.dataDir, 'streams'), input.sessionId),
      network: tap,
      stallReloadMs: input.adapter.reloadWhenStalled && config.capture.stallReloadMs > 0 ? config.capture.stallReloadMs : undefined,
      onScreenshot: saveScreenshot ? (png) => saveScreenshot(input.sessionId, png) : undefined,
      metrics,
    });
  };
  const youtubeApi = createYouTubeApi(config.youtube, { dataDir: config.dataDir, logger });
  const createSource: SourceFactory = (input) => {
    if (input.source !== 'api') return createBrowserSource(input);
    if (!input.request.fallback) return youtubeApi.createSource(input);
    // `fallback: true`: when the API quota runs out the session carries on in the browser.
    return new FallbackSource({
      sessionId: input.sessionId,
      sink: input.sink,
      logger,
      primary: (switchOver) => youtubeApi.createSource(input, switchOver),
      fallback: () => createBrowserSource(input),
    });
  };

  // Cluster mode: shows are assigned by BullMQ and their events go through Redis Streams (src/cluster/).
  // Loaded only then: BullMQ and ioredis cost a single instance ~20 MB of memory it would not use.
  const cluster = config.cluster
    ? new (await import('./cluster/cluster.ts')).Cluster({
        redisUrl: config.cluster.redisUrl,
        instanceId: config.cluster.instanceId,
        prefix: config.cluster.prefix,
        lockMs: config.cluster.lockMs,
        stalledMs: config.cluster.stalledMs,
        concurrency: config.capture.maxSessions,
        ringSize: config.ws.ringSize,
        logger,
      })
    : undefined;
  // Built right after the manager it drives; the closures below reach it once it exists.
  let clusterSessions: ClusterSessions | undefined;
  const sessions = new SessionManager({
    logger,
    health: config.capture.health,
    // One instance: the hub numbers each show's events and keeps the numbering across restarts.
    seqs: cluster ? undefined : hub,
    dedup: config.dedup,
    maxSessions: config.capture.maxSessions,
    createSource,
    defaultSource: youtubeApi.defaultSource,
    checkUrl,
    // Selectors the browser refuses are a 400 at start, not a show that never goes live.
    checkAdapter: createSelectorCheck(pool),
    store: cluster ? { load: () => [], save: (records) => clusterSessions!.store.save(records) } : new FileSessionStore(config.dataDir),
    metrics,
    adapterOverride: (url, request) => {
      if (own.isDemoPage(url)) return whatnot;
      return request.platform ? undefined : findFileAdapter(fileAdapters, url);
    },
  });

  const forwarder = new Forwarder({
    backend,
    outbox: await Outbox.open(path.join(config.dataDir, 'outbox'), { logger }),
    publisher: sessions,
    logger,
    batchSize: config.forward.batchSize,
    batchDelayMs: config.forward.batchDelayMs,
    retry: { initialDelayMs: config.forward.retryInitialMs, maxDelayMs: config.forward.retryMaxMs },
    deadLetterFile: path.join(config.dataDir, 'dead-letter.jsonl'),
  });
  // Counted after deduplication: what the manager hands downstream is each message once.
  const countMessages = (messages: readonly { platform: string }[]): void => {
    for (const message of messages) metrics.countMessages(message.platform, 1);
  };
  // Everything downstream subscribes to the manager's bus (src/pipeline/bus.ts), in this order: the
  // subscribers' events first, then storage.
  if (cluster) {
    // A message goes on to storage once its event is in the show's stream (under the show's lock).
    clusterSessions = new ClusterSessions({
      cluster,
      local: sessions,
      logger,
      confirmed: (sessionId, messages) => {
        forwarder.accept(sessionId, messages);
        countMessages(messages);
      },
    });
    subscribePublisher(sessions.bus, clusterSessions.publisher);
    subscribeSink(sessions.bus, forwarder, { messages: false });
    subscribeSink(sessions.bus, clusterSessions.sink, { messages: false });
  } else {
    subscribePublisher(sessions.bus, hub);
    subscribeSink(sessions.bus, forwarder);
    sessions.bus.on('messages', (_sessionId, messages) => countMessages(messages));
  }
  const shows: Shows = clusterSessions ?? sessions;
  // Outgoing webhooks: every show event produced here (each is produced on one instance) goes to the outbox.
  const webhookStore = backend.webhooks;
  const webhooks = webhookStore
    ? new WebhookWorker({
        store: webhookStore,
        logger,
        metrics,
        pollMs: config.webhooks.pollMs,
        retry: { minMs: config.webhooks.retryMinMs, maxMs: config.webhooks.retryMaxMs, deadAfterMs: config.webhooks.deadAfterMs },
        send: {
          policy: { allowAllPrivate: config.webhooks.allowPrivate, allowedOrigins: config.webhooks.allowedOrigins },
          timeoutMs: config.webhooks.timeoutMs,
          ...(config.webhooks.caFile ? { ca: fs.readFileSync(config.webhooks.caFile, 'utf8') } : {}),
        },
      })
    : undefined;
  if (webhookStore) metrics.readWebhookPendingFrom(() => webhookStore.pendingCount());
  if (webhooks) {
    sessions.bus.on('event', (sessionId, body) => webhooks.accept(sessionId, shows.ownerOf(sessionId), body));
    webhooks.start();
  }
  // What a previous run left in the outbox is delivered now.
  forwarder.start();
  const housekeeper = new Housekeeper({
    backend,
    logger,
    retentionDays: config.retentionDays,
    staleSessionHours: config.staleSessionHours,
    intervalMs: config.housekeepingIntervalMs,
    onStaleSessions: async (ids) => {
      for (const id of ids) {
        if (shows.get(id)) await shows.stop(id).catch(() => undefined);
      }
    },
  });
  housekeeper.start();

  // Replies leave the outbox through the first transport that can speak in the session's chat.
  const transports: ReplyTransport[] = [];
  if (youtubeApi.client && config.youtube.oauth) transports.push(new YouTubeReplyTransport({ api: youtubeApi.client }));
  transports.push(
    new BrowserReplyTransport({
      openPage: () => pool.newPage(),
      profilesDir: path.join(config.dataDir, 'profiles'),
      logger,
    }),
  );
  const replyWorker = kb
    ? new ReplyDeliveryWorker({
        kb,
        transports,
        targetOf: replyTargets(shows),
        publish: (sessionId, body) => shows.publish(sessionId, body),
        // Several instances: each delivers into the chats of the shows it runs (it has their pages).
        sessionIds: clusterSessions ? () => clusterSessions!.owned() : undefined,
        logger,
        pollMs: config.kb.replyPollMs,
        minIntervalMs: config.kb.replyMinIntervalMs,
        maxAgeMs: config.kb.replyMaxAgeMs,
      })
    : undefined;
  replyWorker?.start();

  const startedAt = Date.now();
  const app = createApp({
    logger,
    auth: { verifier, apiToken },
    rateLimitPerMinute: config.rateLimitPerMinute,
    originPolicy,
    trustProxy: config.trustProxy,
    publicConfig: () =>
      config.auth
        ? {
            accounts: true,
            supabaseUrl: config.auth.supabaseUrl ?? null,
            supabaseAnonKey: config.auth.anonKey ?? null,
            // Rows live in that project only in Supabase mode; then the dashboard also follows them by Realtime.
            realtime: Boolean(config.supabase),
          }
        : { accounts: false, apiToken: Boolean(apiToken) },
    routers: [
      demo.router,
      sessionRoutes(showsWithDeliveryReports(shows, (sessionId) => forwarder.sessionReport(sessionId))),
      messageRoutes(backend, shows),
      lotRoutes({ backend, sessions: shows, publish: (sessionId, body) => shows.publish(sessionId, body) }),
      screenshotRoutes(shows, { save: saveScreenshot }),
      quotaRoutes(youtubeApi.quota, shows),
      kbRoutes({
        kb,
        kbFor: kbOwners,
        sessions: shows,
        maxUploadBytes: config.kb.maxUploadBytes,
        repliesPerMinute: config.kb.repliesPerMinute,
        extractPdf: (data) => extraction.extract(data),
        publish: (sessionId, body) => shows.publish(sessionId, body),
      }),
      webhookRoutes({
        store: webhookStore,
        allowPrivate: config.webhooks.allowPrivate,
        allowedOrigins: config.webhooks.allowedOrigins,
        kick: () => webhooks?.kick(),
      }),
      overlayRoutes({
        store: overlayStore,
        sessions: shows,
        listLots: backend.listLots ? (sessionId) => backend.listLots!(sessionId) : undefined,
        publish: (sessionId, body) => shows.publish(sessionId, body),
        lastSeq: (sessionId) => hub.lastSeq(sessionId),
        recentMessage: (sessionId, messageId) => hub.recentMessage(sessionId, messageId),
        page: overlayPage(findWebDist(__dirname)),
      }),
      openapiRoutes(),
    ],
    // The numbers come from the registry GET /metrics serves, so the two never disagree.
    health: async () => {
      const numbers = await metrics.health();
      return {
        status: 'ok',
        service: 'earshot',
        activeSessions: numbers.activeSessions,
        uptimeSec: Math.round((Date.now() - startedAt) / 1000),
        browser: { up: pool.isUp, launches: pool.launchCount },
        ws: { ...hub.stats(), clients: numbers.wsClients },
        youtubeQuota: quotaHealth(youtubeApi.quota),
        backend: backend.kind,
        vectorSearch,
        backlog: publicBacklog(forwarder.backlog(), numbers.backlogMessages, Boolean(config.auth)),
        storage: storage.state(),
        documents: extraction.stats(),
        ...(cluster && clusterSessions
          ? { cluster: { instance: cluster.instanceId, owned: clusterSessions.owned(), members: await cluster.refreshMembers().catch(() => cluster.knownMembers) } }
          : {}),
        capture: {
          messages: numbers.messagesTotal,
          buyers: numbers.buyersTotal,
          recoveries: numbers.recoveriesTotal,
          egressRefusals: numbers.egressRefusalsTotal,
          droppedReports: numbers.droppedReportsTotal,
        },
      };
    },
    metrics,
    ready: async () => {
      const [browserUp, backendUp, redisUp] = await Promise.all([
        pool.isUp || pool.getBrowser().then(() => true, () => false),
        backend.ping().then(() => true, () => false),
        cluster ? cluster.ping() : true,
      ]);
      return {
        ready: browserUp && backendUp && redisUp,
        checks: { browser: browserUp, backend: backendUp, ...(cluster ? { redis: redisUp } : {}) },
      };
    },
    staticDir: findWebDist(__dirname),
    connectOrigins: config.auth?.supabaseUrl ? [config.auth.supabaseUrl] : [],
  });

  const server = http.createServer(app);
  // Oversized or garbled requests get a coded JSON answer from us rather than Node's empty one.
  server.on('clientError', clientErrorHandler);
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  hub.attach(server, '/ws');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  own.listening(url, address.port);
  listeningPort = address.port;
  logger.info({ url, dataDir: config.dataDir }, 'earshot listening');
  // Launch Chromium now so the first session starts fast; failures surface in /health/ready.
  pool.getBrowser().catch((error) => logger.error({ err: String(error) }, 'chromium failed to launch'));
  if (cluster && clusterSessions) {
    // Every show's events reach this instance's /ws clients from its stream; then shows are taken on.
    await cluster.start((sessionId, seq, data) => hub.deliver(sessionId, seq, data));
    clusterSessions.startWorking();
    logger.info({ instance: cluster.instanceId, maxSessions: config.capture.maxSessions }, 'cluster member');
  } else {
    // Sessions that were running when the service last stopped carry on.
    const resumed = await sessions.restore();
    if (resumed > 0) logger.info({ resumed }, 'sessions resumed');
  }

  // The shutdown, in order (src/shutdown.ts): a step that fails or hangs is logged and the next one runs,
  // so nothing Earshot started (Chromium, the proxy, the database) outlives a broken step.
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down');
      await runShutdown(
        [
          { name: 'storage watch', run: stopStorageWatch },
          // Cluster mode: the shows go back to the queue for the other instances (at once, with their state).
          { name: 'hand over shows', run: () => clusterSessions?.handOver(), timeoutMs: 30_000 },
          { name: 'sessions', run: () => sessions.shutdown(), timeoutMs: 30_000 },
          { name: 'housekeeper', run: () => housekeeper.stop() },
          { name: 'reply worker', run: () => replyWorker?.close() },
          // The shows' last events are written to the webhook outbox before storage closes.
          { name: 'webhooks', run: () => webhooks?.stop(), timeoutMs: 15_000 },
          // Deliver what can be delivered quickly; the rest waits in the outbox for the next start.
          { name: 'forwarder', run: () => forwarder.close({ flushTimeoutMs: 5_000 }) },
          { name: 'demo', run: () => demo.close() },
          { name: 'websockets', run: () => hub.close() },
          {
            name: 'http server',
            run: () => {
              server.closeAllConnections();
              return new Promise<void>((resolve) => server.close(() => resolve()));
            },
          },
          { name: 'browser', run: () => pool.close() },
          { name: 'document extraction', run: () => extraction.close() },
          { name: 'egress proxy', run: () => egress.close() },
          { name: 'backend', run: () => backend.close() },
          { name: 'cluster', run: () => cluster?.close() },
        ],
        logger,
      );
    })();
    return closing;
  };

  return { url, port: address.port, config, logger, sessions, shows, cluster, hub, pool, backend, forwarder, metrics, egress, app, close };
}

/**
 * The backlog as public /health shows it. With accounts, /health is open to everyone, so which show a
 * dead letter belongs to stays out (its seller sees it in their session's diagnostics); the reason,
 * already stripped of quoted values, stays.
 */
function publicBacklog(
  report: BacklogReport,
  messages: number,
  accounts: boolean,
): Omit<BacklogReport, 'lastDeadLetter'> & { lastDeadLetter: Omit<DeadLetterNote, 'sessionId'> | null } {
  const last = report.lastDeadLetter;
  if (!last || !accounts) return { ...report, messages };
  const { sessionId: _hidden, ...rest } = last;
  return { ...report, messages, lastDeadLetter: rest };
}
