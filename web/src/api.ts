/**
 * HTTP calls to the service: the signed-in seller's access token (accounts), or else the API token (when
 * the service has API_TOKEN set), goes in `Authorization: Bearer`, and every failure becomes an ApiError
 * with the service's stable code.
 */
import type { ErrorWire } from './wire.ts';

const TOKEN_KEY = 'earshot.apiToken';

/** A failed call: `code` is the service's error code, or `network_error` / `http_<status>`. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** The error body's other fields (409 lot_changed carries the current `lot`). */
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, status: number, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** The API token stored in this browser ('' when none). */
export function readToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function writeToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled (private mode): the token lasts for this page only
  }
}

/** The signed-in seller's current access token (kept fresh by auth.ts); '' when not signed in. */
let accessToken = '';

const tokenListeners = new Set<(token: string) => void>();

export function setAccessToken(token: string): void {
  if (token === accessToken) return;
  accessToken = token;
  for (const listener of tokenListeners) listener(token);
}

/** Calls `listener` with every new access token (a refresh); returns the function that stops it. */
export function onAccessToken(listener: (token: string) => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

function authHeaders(): Record<string, string> {
  const token = accessToken || readToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * The /ws URL on this origin, with `?access_token=` (accounts) or `?token=` (API token): browsers cannot
 * send headers there. Read at every connection attempt, so a reconnect after 4401 uses the refreshed token.
 */
export function socketUrl(): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (accessToken) url.searchParams.set('access_token', accessToken);
  else {
    const token = readToken();
    if (token) url.searchParams.set('token', token);
  }
  return url.href;
}

/**
 * Sent on every call: the service refuses a state-changing request without a same-origin signal (CSRF),
 * and a multipart upload in open mode has no other (no JSON content type, no token).
 */
const SAME_ORIGIN_HEADER = { 'x-earshot-request': '1' };

/** fetch with the token; rejects with ApiError on network failures and non-2xx answers. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { ...SAME_ORIGIN_HEADER, ...authHeaders(), ...(init.headers as Record<string, string>) } });
  } catch (error) {
    throw new ApiError('network_error', `The service cannot be reached (${(error as Error).message})`, 0);
  }
  if (res.ok) return res;
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText}`.trim();
  let details: Record<string, unknown> = {};
  try {
    const body = (await res.json()) as Partial<ErrorWire>;
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    if (body.error) details = body.error;
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(code, message, res.status, details);
}

/** GET or send JSON, answer parsed as JSON. */
export async function json<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const res = await request(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    signal: init.signal,
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A readable line for any thrown value. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code !== 'unauthorized') return error.message;
    return accessToken ? 'Your sign-in has expired: sign in again.' : 'This service needs an API token: set it under "Token".';
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
