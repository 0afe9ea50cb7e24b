/**
 * The composition root: config -> backend -> browser -> sources -> hub -> http/ws.
 * Only this file wires concrete implementations together.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { BrowserPool } from './capture/browser/pool.ts';
import { BrowserSource } from './capture/browser/browser-source.ts';
import { whatnot } from './capture/platforms/whatnot.ts';
import type { Config } from './config.ts';
import { createDemo, DEMO_PATH } from './demo/routes.ts';
import { EarshotError } from './errors.ts';
import { Hub } from './fanout/hub.ts';
import { createApp, presentedToken, tokenMatches } from './http/app.ts';
import { sessionRoutes } from './http/sessions.ts';
import { createLogger, type Logger } from './log.ts';
import { assertUrlAllowed, createSubrequestGuard } from './net/url-guard.ts';
import { SessionManager, type SourceFactory } from './pipeline/session-manager.ts';
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

  const screenshotDir = path.join(config.dataDir, 'screenshots');
  const createSource: SourceFactory = (input) =>
    new BrowserSource({
      sessionId: input.sessionId,
      url: input.adapter.chatUrl?.(input.url) ?? input.url.href,
      adapter: input.adapter,
      pool,
      sink: input.sink,
      logger,
      sweepMs: config.capture.sweepIntervalMs,
      noChatTimeoutMs: config.capture.noChatTimeoutMs,
      allowRequest: subrequestGuard,
      idPrefix: input.idPrefix,
      resumeState: input.resumeState,
      onScreenshot: config.capture.saveScreenshots
        ? (png) => {
            fs.mkdirSync(screenshotDir, { recursive: true });
            const file = path.join(screenshotDir, `${input.sessionId}-${Date.now()}.png`);
            fs.writeFile(file, png, () => undefined);
          }
        : undefined,
    });

  const sessions = new SessionManager({
    logger,
    hub,
    dedup: config.dedup,
    maxSessions: config.capture.maxSessions,
    createSource,
    checkUrl,
    store: new FileSessionStore(config.dataDir),
    adapterOverride: (url) => (selfOrigins.includes(url.origin) && url.pathname === DEMO_PATH ? whatnot : undefined),
  });

  const startedAt = Date.now();
  const app = createApp({
    logger,
    apiToken: config.apiToken,
    routers: [demo.router, sessionRoutes(sessions)],
    health: () => ({
      status: 'ok',
      service: 'earshot',
      activeSessions: sessions.activeCount,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      browser: { up: pool.isUp, launches: pool.launchCount },
      ws: hub.stats(),
    }),
    ready: async () => {
      const browserUp = pool.isUp || (await pool.getBrowser().then(() => true, () => false));
      return { ready: browserUp, checks: { browser: browserUp } };
    },
    staticDir: path.resolve(__dirname, '../../web/dist'),
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
      demo.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    })();
    return closing;
  };

  return { url, port: address.port, config, logger, sessions, hub, pool, close };
}
