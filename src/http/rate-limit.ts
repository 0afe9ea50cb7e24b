/**
 * Per-client rate limiting of /api (express-rate-limit, in memory): a signed-in seller is one client
 * whatever address they call from, and so is the API token's owner; requests whose credentials were
 * refused are counted apart, by address, so a flood of bad tokens from the owner's address never locks
 * the owner out; open mode counts by address. Addresses are the socket's (X-Forwarded-For only through
 * TRUST_PROXY), IPv6 grouped by /56, so one host cannot dodge the limit by rotating addresses or headers.
 * Over the limit: 429 `rate_limited` with Retry-After.
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { callerOf, type Caller } from '../auth/middleware.ts';
import { sendError } from './errors.ts';

export interface RateLimitOptions {
  /** Requests per client per window; 0 turns limiting off. */
  limit: number;
  /** Window length, ms (one minute). */
  windowMs?: number;
}

/** The key a request is counted under. Pure, exported for tests. */
export function rateLimitKey(caller: Caller, ip: string | undefined): string {
  if (caller.kind === 'user') return `user:${caller.userId}`;
  if (caller.kind === 'owner') return 'owner';
  const address = ipKeyGenerator(ip ?? 'unknown');
  return caller.kind === 'refused' ? `refused:${address}` : `ip:${address}`;
}

/** The limiter; runs after `authenticate` so it can key by user. */
export function apiRateLimit(options: RateLimitOptions): RequestHandler {
  if (options.limit <= 0) return (_req, _res, next) => next();
  const windowMs = options.windowMs ?? 60_000;
  return rateLimit({
    windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) => rateLimitKey(callerOf(res), req.ip),
    // The key generator above groups IPv6 through ipKeyGenerator; the library's source check cannot see that.
    validate: { keyGeneratorIpFallback: false },
    handler: (_req, res) => {
      if (!res.getHeader('retry-after')) res.setHeader('retry-after', String(Math.ceil(windowMs / 1000)));
      sendError(res, 'rate_limited', `Too many requests: at most ${options.limit} per ${Math.round(windowMs / 1000)} s`);
    },
  });
}
