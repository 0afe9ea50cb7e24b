/**
 * The composition root: config -> backend -> browser -> sources -> hub -> http/ws.
 * Only this file wires concrete implementations together.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { classifierFromConfig, EmbeddedBackend } from './backend/embedded.ts';
import { SupabaseBackend } from './backend/supabase.ts';
import type { Backend } from './backend/types.ts';
import { BrowserPool } from './capture/browser/pool.ts';
import { BrowserSource } from './capture/browser/browser-source.ts';
import { NetworkTap } from './capture/network/tap.ts';
import { chatPageUrl, findFileAdapter } from './capture/platforms/index.ts';
import { loadJsonAdapters } from './capture/platforms/json-adapters.ts';
import { whatnot } from './capture/platforms/whatnot.ts';
import type { ChatSource } from './capture/source.ts';
import { createYouTubeApi } from './capture/youtube-api/index.ts';
import { FallbackSource } from './capture/youtube-api/fallback.ts';
import type { Config } from './config.ts';
import { createDemo, DEMO_PATH } from './demo/routes.ts';
import { EarshotError } from './errors.ts';
import { Hub } from './fanout/hub.ts';
import { createApp, findWebDist, presentedToken, tokenMatches } from './http/app.ts';
import { quotaHealth, quotaRoutes } from './http/quota.ts';
import { screenshotRoutes, screenshotSaver } from './http/screenshot.ts';
import { messageRoutes } from './http/messages.ts';
import { sessionRoutes } from './http/sessions.ts';
import { createLogger, type Logger } from './log.ts';
import { assertUrlAllowed, createSubrequestGuard } from './net/url-guard.ts';
import { Forwarder } from './pipeline/forwarder.ts';
import { Housekeeper } from './pipeline/housekeeping.ts';
import { Outbox } from './pipeline/outbox.ts';
import { SessionManager, type SourceFactory, type SourceFactoryInput } from './pipeline/session-manager.ts';
import { createKbHook, createKnowledgeBase, type KnowledgeBase } from '../supabase/functions/_shared/kb/index.ts';
import { connectPostgres } from '../supabase/functions/_shared/postgres.ts';
import { BrowserReplyTransport } from './delivery/browser.ts';
import type { ReplyTransport } from './delivery/types.ts';
import { ReplyDeliveryWorker } from './delivery/worker.ts';
import { YouTubeReplyTransport } from './delivery/youtube.ts';
import { kbRoutes } from './http/kb.ts';
import { kbModelsFromConfig } from './kb/models.ts';
import { FileSessionStore } from './pipeline/session-store.ts';

export interface Service {
  /** Base URL the service listens on, e.g. http://127.0.0.1:3001 */
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  sessions: SessionManager;
  hub: Hub;
  pool: BrowserPool;
  /** Storage and classification: embedded PGlite, or the Supabase edge functions. */
  backend: Backend;
  /** Captured messages on their way to the backend (durable outbox). */
  forwarder: Forwarder;
  /** Graceful shutdown: sessions stopped, sockets closed. */
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
}

/** Builds and starts the whole service. */
export async function startService(config: Config, overrides: ServiceOverrides = {}): Promise<Service> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true });

  // Knowledge-base answers: embeddings and a grounded LLM answer when OPENAI_API_KEY is set, else extractive.
  const { embedder, model: answerModel } = kbModelsFromConfig(config.openai, logger);
  const onKbError = (error: unknown): void => logger.warn({ err: String(error) }, 'knowledge base hook failed');
  const kbHook = createKbHook({
    trigger: config.botTrigger,
    embedder,
    model: answerModel,
    maxRepliesPerMinute: config.kb.repliesPerMinute,
    onError: onKbError,
  });

  // Verdicts of the LLM survive restarts (DATA_DIR/llm-cache.json): a restart does not start cold.
  const llm = config.supabase ? undefined : classifierFromConfig(config.openai, path.join(config.dataDir, 'llm-cache.json'));
  const llmPersistTimer = llm ? setInterval(() => llm.persist(), 60_000) : undefined;
  llmPersistTimer?.unref();
  // The backend comes first: with it unusable (a broken database) the service must not start.
  const backend: Backend = config.supabase
    ? new SupabaseBackend({
        url: config.supabase.url,
        serviceRoleKey: config.supabase.serviceRoleKey,
        signingSecret: config.ingestSigningSecret,
        ownerId: config.supabase.ownerId,
      })
    : new EmbeddedBackend({
        dataDir: config.dataDir,
        templateDir: config.pgliteTemplateDir,
        buyerThreshold: config.buyerConfidenceThreshold,
        llm,
        answer: kbHook,
      });
  await backend.init();
  // The knowledge base speaks SQL: the embedded database, or Supabase's Postgres (SUPABASE_DB_URL) where the
  // edge function runs the same hook. Without either, its routes answer kb_unavailable.
  const kbPostgres = !(backend instanceof EmbeddedBackend) && config.supabase?.dbUrl ? connectPostgres(config.supabase.dbUrl) : undefined;
  const kbSql = backend instanceof EmbeddedBackend ? backend.sql : kbPostgres;
  const kb: KnowledgeBase | undefined = kbSql
    ? createKnowledgeBase(kbSql, { ownerId: config.supabase?.ownerId, embedder, model: answerModel, onEmbeddingError: onKbError })
    : undefined;

  const pool = new BrowserPool({ executablePath: config.chromeExecutablePath, logger });
  const hub = new Hub({
    ringSize: config.ws.ringSize,
    maxBufferedBytes: config.ws.maxBufferedBytes,
    pingIntervalMs: config.ws.pingIntervalMs,
    logger,
    authorize: config.apiToken ? (req) => tokenMatches(presentedToken(req), config.apiToken!) : undefined,
  });
  const demo = createDemo();

  // The demo's origin is only known once the server listens (PORT may be 0).
  let selfOrigins: string[] = [];
  const guardOptions = () => ({ allowPrivate: config.allowPrivateUrls, allowedOrigins: selfOrigins });
  const checkUrl = async (raw: string): Promise<URL> => {
    const url = await assertUrlAllowed(raw, guardOptions());
    // Without ALLOW_PRIVATE_URLS the service's own origin is allowed for the demo page only.
    if (!config.allowPrivateUrls && selfOrigins.includes(url.origin) && url.pathname !== DEMO_PATH) {
      throw new EarshotError('url_not_allowed', `Only ${DEMO_PATH} may be monitored on this service's own origin`, {
        url: url.href,
      });
    }
    return url;
  };
  const subrequestGuard = createSubrequestGuard({
    allowPrivate: config.allowPrivateUrls,
    get allowedOrigins() {
      return selfOrigins;
    },
  });

  const saveScreenshot = config.capture.saveScreenshots
    ? screenshotSaver(path.join(config.dataDir, 'screenshots'), logger)
    : undefined;
  // Adapters without code (DATA_DIR/adapters/*.json), consulted after the built-in ones.
  const fileAdapters = loadJsonAdapters(path.join(config.dataDir, 'adapters'), logger);
  const createBrowserSource = (input: SourceFactoryInput): ChatSource => {
    const pageUrl = chatPageUrl(input.adapter, input.url);
    // Network first, DOM as fallback: the tap reads the page's own chat traffic and gates the DOM rows.
    const tap = NetworkTap.wanted(input.adapter)
      ? new NetworkTap({
          sessionId: input.sessionId,
          adapter: input.adapter,
          pageUrl,
          logger,
          network: config.capture.networkCapture,
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
      allowRequest: subrequestGuard,
      idPrefix: input.idPrefix,
      resumeState: input.resumeState,
      attachNetwork: tap?.attach,
      domGate: tap?.domGate,
      stallReloadMs: input.adapter.reloadWhenStalled && config.capture.stallReloadMs > 0 ? config.capture.stallReloadMs : undefined,
      onScreenshot: saveScreenshot ? (png) => saveScreenshot(input.sessionId, png) : undefined,
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

  const sessions = new SessionManager({
    logger,
    hub,
    dedup: config.dedup,
    maxSessions: config.capture.maxSessions,
    createSource,
    defaultSource: youtubeApi.defaultSource,
    checkUrl,
    store: new FileSessionStore(config.dataDir),
    adapterOverride: (url, request) => {
      if (selfOrigins.includes(url.origin) && url.pathname === DEMO_PATH) return whatnot;
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
  sessions.addSink(forwarder);
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
        if (sessions.get(id)) await sessions.stop(id).catch(() => undefined);
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
      allowRequest: subrequestGuard,
      logger,
    }),
  );
  const deliverable = new Set<string>(['starting', 'live', 'recovering']);
  const replyWorker = kb
    ? new ReplyDeliveryWorker({
        kb,
        transports,
        targetOf: (sessionId) => {
          const info = sessions.get(sessionId);
          if (!info || !deliverable.has(info.status)) return undefined;
          const liveChatId = sessions.sourceOf(sessionId)?.describe?.()?.liveChatId;
          return {
            sessionId,
            url: info.url,
            platform: info.platform,
            source: info.source,
            liveChatId: typeof liveChatId === 'string' ? liveChatId : undefined,
          };
        },
        publish: (sessionId, body) => sessions.publish(sessionId, body),
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
    apiToken: config.apiToken,
    routers: [
      demo.router,
      sessionRoutes(sessions),
      messageRoutes(backend),
      screenshotRoutes(sessions, { save: saveScreenshot }),
      quotaRoutes(youtubeApi.quota),
      kbRoutes({ kb, maxUploadBytes: config.kb.maxUploadBytes, publish: (sessionId, body) => sessions.publish(sessionId, body) }),
    ],
    health: () => ({
      status: 'ok',
      service: 'earshot',
      activeSessions: sessions.activeCount,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      browser: { up: pool.isUp, launches: pool.launchCount },
      ws: hub.stats(),
      youtubeQuota: quotaHealth(youtubeApi.quota),
      backend: backend.kind,
      backlog: forwarder.backlog(),
    }),
    ready: async () => {
      const [browserUp, backendUp] = await Promise.all([
        pool.isUp || pool.getBrowser().then(() => true, () => false),
        backend.ping().then(() => true, () => false),
      ]);
      return { ready: browserUp && backendUp, checks: { browser: browserUp, backend: backendUp } };
    },
    staticDir: findWebDist(__dirname),
  });

  const server = http.createServer(app);
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
  selfOrigins = [url, `http://localhost:${address.port}`, `http://127.0.0.1:${address.port}`];
  logger.info({ url, dataDir: config.dataDir }, 'earshot listening');
  // Launch Chromium now so the first session starts fast; failures surface in /health/ready.
  pool.getBrowser().catch((error) => logger.error({ err: String(error) }, 'chromium failed to launch'));
  // Sessions that were running when the service last stopped carry on.
  const resumed = await sessions.restore();
  if (resumed > 0) logger.info({ resumed }, 'sessions resumed');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down');
      await sessions.shutdown();
      await housekeeper.stop();
      await replyWorker?.close();
      // Deliver what can be delivered quickly; the rest waits in the outbox for the next start.
      await forwarder.close({ flushTimeoutMs: 5_000 });
      demo.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
      await backend.close();
      clearInterval(llmPersistTimer);
      try {
        llm?.persist();
      } catch (error) {
        logger.warn({ err: String(error) }, 'could not save the LLM verdict cache');
      }
      await kbPostgres?.close();
    })();
    return closing;
  };

  return { url, port: address.port, config, logger, sessions, hub, pool, backend, forwarder, close };
}
