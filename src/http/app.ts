/** The express app: JSON parsing with limits, token check, routes, health, static dashboard, coded errors. */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { authenticate, presentedApiToken, requireAuth, tokenMatches, type AuthPolicy } from '../auth/middleware.ts';
import type { Logger } from '../log.ts';
import { errorHandler, sendError } from './errors.ts';
import { crossOriginRefusal, hostRefusal, type OriginPolicy } from './origin-policy.ts';
import { apiRateLimit } from './rate-limit.ts';
import { scrubRequest } from './sanitize.ts';

export { tokenMatches };

export interface HealthReport {
  status: 'ok';
  service: 'earshot';
  activeSessions: number;
  [key: string]: unknown;
}

export interface ReadyReport {
  ready: boolean;
  checks: Record<string, boolean | string>;
}

export interface AppOptions {
  logger: Logger;
  /** Single owner: one shared token (ignored when `auth.verifier` is set). */
  apiToken?: string;
  /** Accounts (Supabase access tokens) and/or the API token; wins over `apiToken`. */
  auth?: AuthPolicy;
  /** /api requests per client per minute (RATE_LIMIT_PER_MINUTE); 0 or unset: no limit. */
  rateLimitPerMinute?: number;
  /** What the dashboard needs before signing in (GET /api/config, public): accounts on, Supabase URL, anon key. */
  publicConfig?: () => Record<string, unknown>;
  /** Routers mounted in order (sessions, messages, knowledge base, demo...). */
  routers: Router[];
  /** /health's body; its numbers come from the metrics registry (so it may be async). */
  health: () => HealthReport | Promise<HealthReport>;
  /** GET /metrics: the service's own prom-client registry in Prometheus text format. */
  metrics?: { render(): Promise<string>; readonly contentType: string };
  ready: () => Promise<ReadyReport>;
  /** Built dashboard (web/dist) served at /. */
  staticDir?: string;
  /**
   * Origins the dashboard may connect to besides its own (the Supabase project of accounts, told at run
   * time): added to the built page's Content-Security-Policy connect-src as it is served.
   */
  connectOrigins?: string[];
  /** Largest JSON body accepted. */
  jsonLimit?: string;
  /** Host and Origin checks (DNS rebinding, CSRF); unset: none (unit tests of routes). */
  originPolicy?: OriginPolicy;
  /** express's `trust proxy` (TRUST_PROXY); default false: req.ip is the socket's address. */
  trustProxy?: false | number | string[];
}

/**
 * The built dashboard (web/dist) of the checkout this code runs from: found by walking up to the
 * package root, so it resolves the same from src/ (tests, tsx) and from dist/src/ (compiled).
 */
export function findWebDist(fromDir: string): string {
  let dir = fromDir;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'web', 'dist');
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(fromDir, '../../web/dist');
    dir = parent;
  }
}

/**
 * The dashboard's index.html with `origins` (http(s) and their ws(s) forms) added to its CSP connect-src;
 * re-read when the file changes (a rebuilt dashboard), so it is never stale.
 */
export function dashboardIndex(file: string, origins: string[]): () => string {
  let cached: { mtimeMs: number; html: string } | undefined;
  const extra = origins
    .map((o) => new URL(o).origin)
    .flatMap((o) => [o, o.replace(/^http/, 'ws')])
    .join(' ');
  return () => {
    const mtimeMs = fs.statSync(file).mtimeMs;
    if (!cached || cached.mtimeMs !== mtimeMs) {
      const html = fs.readFileSync(file, 'utf8');
      // The built meta tag may spell the quotes as &#39; (vite escapes attribute values).
      cached = { mtimeMs, html: extra ? html.replace(/connect-src (&#39;|')self\1/, (m) => `${m} ${extra}`) : html };
    }
    return cached.html;
  };
}

/** The token a /ws upgrade presents: `Authorization: Bearer`, `x-api-key`, or `?token=` (WebSocket upgrades only). */
export function presentedToken(req: IncomingMessage): string | undefined {
  return presentedApiToken(req);
}

/**
 * Node answers malformed requests and oversized headers itself, with an empty body; this gives them the
 * house's coded JSON (431 `header_too_large`, 400 `invalid_body`) and never throws (server 'clientError').
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    error: tooLarge
      ? { code: 'header_too_large', message: 'Request headers are too large' }
      : { code: 'invalid_body', message: 'Malformed HTTP request' },
  });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Off unless configured: trusting X-Forwarded-For from any peer lets a client choose the address it is
  // rate-limited as.
  app.set('trust proxy', options.trustProxy ?? false);
  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  const originPolicy = options.originPolicy;
  if (originPolicy) {
    // DNS rebinding: a name that is not ours, pointed at us, is refused before anything is read.
    // Health probes are exempt: load balancers probe by whatever name or address they hold.
    app.use((req, res, next) => {
      const refusal = req.path.startsWith('/health') ? undefined : hostRefusal(originPolicy, req.headers);
      if (refusal) sendError(res, refusal.code, refusal.message);
      else next();
    });
    // CSRF: a state-changing /api request must show it is not another origin's page (a form post).
    app.use('/api', (req, res, next) => {
      const refusal = crossOriginRefusal(originPolicy, req.method, req.headers);
      if (refusal) sendError(res, refusal.code, refusal.message);
      else next();
    });
  }

  app.get('/health', async (_req, res) => {
    res.json(await options.health());
  });
  // Public like /health (scrapers rarely carry tokens): counts and latencies, no chat, no ids, no secrets.
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      res.set('content-type', metrics.contentType).set('cache-control', 'no-store').send(await metrics.render());
    });
  }
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const report = await options.ready();
    res.status(report.ready ? 200 : 503).json(report);
  });

  // Public: the dashboard asks this before anyone has signed in.
  app.get('/api/config', (_req, res) => {
    res.set('cache-control', 'no-store').json(options.publicConfig?.() ?? { accounts: false });
  });
  // Every /api request is counted (refused ones by address), then refused when it did not authenticate.
  const policy: AuthPolicy = options.auth ?? { apiToken: options.apiToken };
  if (policy.verifier || policy.apiToken) app.use('/api', authenticate(policy));
  if (options.rateLimitPerMinute) app.use('/api', apiRateLimit({ limit: options.rateLimitPerMinute }));
  if (policy.verifier || policy.apiToken) app.use('/api', requireAuth());
  app.use('/api', express.json({ limit: options.jsonLimit ?? '64kb', strict: false }));
  app.use(scrubRequest);
  for (const router of options.routers) app.use(router);

  app.use('/api', (_req, res) => sendError(res, 'not_found', 'No such API route'));
  if (options.staticDir && fs.existsSync(path.join(options.staticDir, 'index.html'))) {
    const dir = options.staticDir;
    const indexHtml = dashboardIndex(path.join(dir, 'index.html'), options.connectOrigins ?? []);
    const sendIndex: express.RequestHandler = (_req, res) => {
      res.set('cache-control', 'no-store').type('html').send(indexHtml());
    };
    app.get(['/', '/index.html'], sendIndex);
    app.use(
      express.static(dir, {
        index: false,
        maxAge: '1h',
        // Asset names carry a content hash; index.html does not, so a rebuilt dashboard must not be cached.
        setHeaders: (res, file) => {
          if (file.endsWith('.html')) res.setHeader('cache-control', 'no-cache');
        },
      }),
    );
    // Client-side routes of the dashboard fall back to index.html.
    app.get(/^\/(?!api\/|ws$|health|demo\/|overlay\/).*/, sendIndex);
  }
  app.use((_req, res) => sendError(res, 'not_found', 'Not found'));
  app.use(errorHandler(options.logger));
  return app;
}
