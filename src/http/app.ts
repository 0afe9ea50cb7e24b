/** The express app: JSON parsing with limits, token check, routes, health, static dashboard, coded errors. */
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../log.ts';
import { errorHandler, sendError } from './errors.ts';

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
  apiToken?: string;
  /** Routers mounted in order (sessions, messages, knowledge base, demo...). */
  routers: Router[];
  health: () => HealthReport;
  ready: () => Promise<ReadyReport>;
  /** Built dashboard (web/dist) served at /. */
  staticDir?: string;
  /** Largest JSON body accepted. */
  jsonLimit?: string;
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

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request presents: `Authorization: Bearer`, `x-api-key`, or `?token=` (WebSocket upgrades). */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const key = req.headers['x-api-key'];
  if (typeof key === 'string') return key;
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.searchParams.get('token') ?? undefined;
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });

  app.get('/health', (_req, res) => {
    res.json(options.health());
  });
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const report = await options.ready();
    res.status(report.ready ? 200 : 503).json(report);
  });

  app.use('/api', express.json({ limit: options.jsonLimit ?? '64kb', strict: false }));
  if (options.apiToken) app.use('/api', requireToken(options.apiToken));
  for (const router of options.routers) app.use(router);

  app.use('/api', (_req, res) => sendError(res, 'not_found', 'No such API route'));
  if (options.staticDir && fs.existsSync(path.join(options.staticDir, 'index.html'))) {
    const dir = options.staticDir;
    app.use(
      express.static(dir, {
        index: 'index.html',
        maxAge: '1h',
        // Asset names carry a content hash; index.html does not, so a rebuilt dashboard must not be cached.
        setHeaders: (res, file) => {
          if (file.endsWith('.html')) res.setHeader('cache-control', 'no-cache');
        },
      }),
    );
    // Client-side routes of the dashboard fall back to index.html.
    app.get(/^\/(?!api\/|ws$|health|demo\/).*/, (_req, res) => {
      res.set('cache-control', 'no-store').sendFile(path.join(dir, 'index.html'));
    });
  }
  app.use((_req, res) => sendError(res, 'not_found', 'Not found'));
  app.use(errorHandler(options.logger));
  return app;
}

function requireToken(expected: string): RequestHandler {
  return (req, res, next) => {
    if (tokenMatches(presentedToken(req), expected)) {
      next();
      return;
    }
    sendError(res, 'unauthorized', 'Missing or wrong API token (Authorization: Bearer <API_TOKEN>)');
  };
}
