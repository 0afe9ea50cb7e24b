/**
 * Who is calling /api: a signed-in seller (Supabase access token, accounts on), the single owner
 * (API_TOKEN), or anyone (neither configured). Split in two so the rate limiter can sit between them and
 * count every request, refused ones by address: `authenticate` decides and records, `requireAuth` refuses.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { EarshotError, isEarshotError } from '../errors.ts';
import type { Principal, TokenVerifier } from './verifier.ts';

/** How /api and /ws are protected. At most one of the two is used: accounts win over API_TOKEN. */
export interface AuthPolicy {
  /** Accounts: every caller is a Supabase user. */
  verifier?: TokenVerifier;
  /** Single owner: one shared token. */
  apiToken?: string;
}

/** What `authenticate` leaves on `res.locals`. */
interface AuthLocals {
  principal?: Principal;
  authFailure?: EarshotError;
  /** API_TOKEN mode: the request carried the owner's token. */
  owner?: boolean;
}

/**
 * Who a request is, as far as `authenticate` got: a signed-in seller, the single owner (the API token),
 * a caller whose credentials were refused, or anyone (open mode). The rate limiter counts each apart.
 */
export type Caller = { kind: 'user'; userId: string } | { kind: 'owner' } | { kind: 'refused' } | { kind: 'anonymous' };

/** The caller of a request that went through `authenticate` (anonymous when nothing is configured). */
export function callerOf(res: Response): Caller {
  const locals = res.locals as AuthLocals;
  if (locals.authFailure) return { kind: 'refused' };
  if (locals.principal) return { kind: 'user', userId: locals.principal.userId };
  if (locals.owner) return { kind: 'owner' };
  return { kind: 'anonymous' };
}

/** The longest Authorization header we read; longer ones are refused without parsing. */
export const MAX_AUTHORIZATION_LENGTH = 8 * 1024 + 16;

// A per-process key: comparing HMACs of the two tokens compares two 32-byte values whatever the
// tokens' lengths, so neither the time nor an early length check says how long the token is.
const COMPARE_KEY = randomBytes(32);

/** The fixed-length value tokens are compared through. */
export function tokenDigest(token: string): Buffer {
  return createHmac('sha256', COMPARE_KEY).update(token, 'utf8').digest();
}

/** Constant-time and length-blind comparison of a presented token with the configured one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  // Always compute both digests, so a missing token costs the same as a wrong one.
  const ok = timingSafeEqual(tokenDigest(presented ?? ''), tokenDigest(expected));
  return ok && presented !== undefined && presented.length > 0;
}

/** `Authorization: Bearer <token>`; undefined when absent, a refusal when garbled. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw new EarshotError('unauthorized', 'Authorization header too long');
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw new EarshotError('unauthorized', 'Expected Authorization: Bearer <token>');
  return match[1];
}

/** The API token a request presents in a header: `Authorization: Bearer` or `x-api-key` (every /api route). */
export function headerApiToken(req: IncomingMessage): string | undefined {
  try {
    const bearer = bearerToken(req);
    if (bearer) return bearer;
  } catch {
    // Another scheme (Basic...) or a garbled header: the key may still come in x-api-key.
  }
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * The API token a WebSocket upgrade presents: a header, or `?token=`, since browsers cannot set headers on
 * a WebSocket. Only the upgrade reads the query: on /api a token in the URL would end up in logs, history
 * and Referer headers, so there it is ignored.
 */
export function presentedApiToken(req: IncomingMessage): string | undefined {
  return headerApiToken(req) ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
}

/** The signed-in user of a request, when accounts are on (undefined: single owner, everything is theirs). */
export function userOf(res: Response): string | undefined {
  return (res.locals as AuthLocals).principal?.userId;
}

/** The principal of a request, when accounts are on. */
export function principalOfResponse(res: Response): Principal | undefined {
  return (res.locals as AuthLocals).principal;
}

/** Decides who is calling; never answers itself (see requireAuth). */
export function authenticate(policy: AuthPolicy): RequestHandler {
  return (req, res, next) => {
    const locals = res.locals as AuthLocals;
    if (policy.verifier) {
      let token: string | undefined;
      try {
        token = bearerToken(req);
      } catch (error) {
        locals.authFailure = error as EarshotError;
        next();
        return;
      }
      if (!token) {
        locals.authFailure = new EarshotError('unauthorized', 'Sign in: Authorization: Bearer <access token> is required');
        next();
        return;
      }
      policy.verifier.verify(token).then(
        (principal) => {
          locals.principal = principal;
          next();
        },
        (error: unknown) => {
          locals.authFailure = isEarshotError(error) ? error : new EarshotError('unauthorized', 'Invalid access token');
          next();
        },
      );
      return;
    }
    if (policy.apiToken) {
      if (tokenMatches(headerApiToken(req), policy.apiToken)) locals.owner = true;
      else locals.authFailure = new EarshotError('unauthorized', 'Missing or wrong API token (Authorization: Bearer <API_TOKEN>)');
    }
    next();
  };
}

/** Refuses what `authenticate` refused, with its code (401 unauthorized, 503 auth_unavailable). */
export function requireAuth(): RequestHandler {
  return (_req, res, next) => {
    const failure = (res.locals as AuthLocals).authFailure;
    if (failure) {
      res.setHeader('www-authenticate', 'Bearer');
      next(failure);
      return;
    }
    next();
  };
}
