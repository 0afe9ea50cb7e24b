/**
 * A stand-in for Supabase Auth (GoTrue) on loopback (port 0), enough for supabase-js and for the service:
 *
 *   POST /auth/v1/token?grant_type=password       {email, password}  -> session
 *   POST /auth/v1/token?grant_type=refresh_token  {refresh_token}    -> a new session (the old refresh token is spent)
 *   POST /auth/v1/otp                             {email}            -> {}; the magic link is kept for the test
 *   GET  /auth/v1/verify?token=&type=magiclink&redirect_to=          -> 303 to redirect_to#access_token=...
 *   GET  /auth/v1/user                            Bearer             -> the user
 *   POST /auth/v1/logout                          Bearer             -> 204
 *   GET  /auth/v1/.well-known/jwks.json                              -> the public signing key
 *
 * Access tokens are signed with a test key jose makes at start: ES256 (the JWKS mode), or HS256 with a
 * shared secret (the legacy JWT-secret mode). `sign()` mints any token a test needs, bad ones included.
 * Requests are counted per path so tests can see the JWKS is fetched once and cached.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadJose, type JoseModule } from '../../src/auth/jose.ts';

export interface FakeAuthUser {
  id: string;
  email: string;
  password: string;
}

export interface FakeAuthOptions {
  /** Sign with HS256 and this secret instead of ES256 (JWKS mode). */
  secret?: string;
  /** Lifetime of access tokens, seconds (default 3600). */
  accessTokenTtlSec?: number;
}

export interface SignOptions {
  /** Header `alg` (default: the server's own); `none` makes an unsigned token. */
  alg?: string;
  /** Sign with another key than the server's (a wrong signature). */
  key?: Uint8Array | CryptoKey;
  kid?: string;
}

export interface FakeSupabaseAuth {
  /** e.g. http://127.0.0.1:PORT (the "Supabase URL": Auth lives under /auth/v1). */
  url: string;
  jwksUrl: string;
  /** The HS256 secret, in secret mode. */
  secret?: string;
  addUser(email: string, password: string): FakeAuthUser;
  /** A valid access token of a user, as a password sign-in gives (override claims to make bad ones). */
  tokenFor(user: FakeAuthUser, claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** Signs arbitrary claims. */
  sign(claims: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** The last magic link sent to an address. */
  magicLinkFor(email: string): string | undefined;
  /** Requests per path (e.g. '/auth/v1/.well-known/jwks.json'). */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, apikey, content-type, x-client-info, x-supabase-api-version',
  'access-control-expose-headers': 'x-supabase-api-version',
};

export async function startFakeSupabaseAuth(options: FakeAuthOptions = {}): Promise<FakeSupabaseAuth> {
  const jose: JoseModule = await loadJose();
  const ttl = options.accessTokenTtlSec ?? 3600;
  const secretKey = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const pair = secretKey ? undefined : await jose.generateKeyPair('ES256', { extractable: true });
  const publicJwk = pair ? { ...(await jose.exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' } : undefined;
  const users = new Map<string, FakeAuthUser>();
  const refreshTokens = new Map<string, string>(); // token -> user id
  const accessTokens = new Set<string>();
  const magicLinks = new Map<string, string>();
  const otpTokens = new Map<string, string>(); // otp -> user id
  const hits = new Map<string, number>();
  let url = '';

  const sign = async (claims: Record<string, unknown>, signOptions: SignOptions = {}): Promise<string> => {
    const alg = signOptions.alg ?? (secretKey ? 'HS256' : 'ES256');
    if (alg === 'none') {
      const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
    }
    const key = signOptions.key ?? (secretKey ?? pair!.privateKey);
    return new jose.SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'JWT', ...(secretKey && !signOptions.kid ? {} : { kid: signOptions.kid ?? kid }) })
      .sign(key);
  };

  const claimsOf = (user: FakeAuthUser): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      iat: now,
      exp: now + ttl,
      iss: `${url}/auth/v1`,
      session_id: randomUUID(),
    };
  };

  const tokenFor = (user: FakeAuthUser, claims: Record<string, unknown> = {}, signOptions?: SignOptions): Promise<string> =>
    sign({ ...claimsOf(user), ...claims }, signOptions);

  const userJson = (user: FakeAuthUser): Record<string, unknown> => ({
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: '2026-01-01T00:00:00Z',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

  const sessionFor = async (user: FakeAuthUser): Promise<Record<string, unknown>> => {
    const access = await tokenFor(user);
    accessTokens.add(access);
    const refresh = randomUUID();
    refreshTokens.set(refresh, user.id);
    return {
      access_token: access,
      token_type: 'bearer',
      expires_in: ttl,
      expires_at: Math.floor(Date.now() / 1000) + ttl,
      refresh_token: refresh,
      user: userJson(user),
    };
  };

  const userByToken = (req: http.IncomingMessage): FakeAuthUser | undefined => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !accessTokens.has(token)) return undefined;
    const sub = jose.decodeJwt(token).sub;
    return [...users.values()].find((u) => u.id === sub);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString()).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { error: 'internal', message: String(error) });
      });
    });
  });

  const send = (res: http.ServerResponse, status: number, body?: unknown): void => {
    res.writeHead(status, { ...CORS, ...(body === undefined ? {} : { 'content-type': 'application/json' }) });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const fail = (res: http.ServerResponse, status: number, code: string, message: string): void =>
    send(res, status, { code: status, error_code: code, msg: message, error: code, error_description: message });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    const u = new URL(req.url ?? '/', url);
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    if (req.method === 'OPTIONS') return send(res, 204);
    let body: Record<string, any> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    } catch {
      return fail(res, 400, 'bad_json', 'Body is not JSON');
    }
    if (u.pathname === '/auth/v1/.well-known/jwks.json' && req.method === 'GET') {
      return send(res, 200, { keys: publicJwk ? [publicJwk] : [] });
    }
    if (u.pathname === '/auth/v1/token' && req.method === 'POST') {
      const grant = u.searchParams.get('grant_type');
      if (grant === 'password') {
        const user = users.get(String(body.email ?? '').toLowerCase());
        if (!user || user.password !== body.password) return fail(res, 400, 'invalid_credentials', 'Invalid login credentials');
        return send(res, 200, await sessionFor(user));
      }
      if (grant === 'refresh_token') {
        const id = refreshTokens.get(String(body.refresh_token ?? ''));
        const user = [...users.values()].find((candidate) => candidate.id === id);
        if (!user) return fail(res, 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
        refreshTokens.delete(String(body.refresh_token));
        return send(res, 200, await sessionFor(user));
      }
      return fail(res, 400, 'unsupported_grant_type', 'Unsupported grant type');
    }
    if (u.pathname === '/auth/v1/otp' && req.method === 'POST') {
      const user = users.get(String(body.email ?? '').toLowerCase());
      if (user) {
        const otp = randomUUID();
        otpTokens.set(otp, user.id);
        const redirect = u.searchParams.get('redirect_to') ?? body.redirect_to ?? body.options?.emailRedirectTo ?? url;
        magicLinks.set(user.email, `${url}/auth/v1/verify?token=${otp}&type=magiclink&redirect_to=${encodeURIComponent(redirect)}`);
      }
      return send(res, 200, {});
    }
    if (u.pathname === '/auth/v1/verify' && req.method === 'GET') {
      const id = otpTokens.get(u.searchParams.get('token') ?? '');
      const user = [...users.values()].find((candidate) => candidate.id === id);
      if (!user) return fail(res, 403, 'otp_expired', 'Email link is invalid or has expired');
      otpTokens.delete(u.searchParams.get('token')!);
      const session = await sessionFor(user);
      const fragment = new URLSearchParams({
        access_token: String(session.access_token),
        refresh_token: String(session.refresh_token),
        expires_in: String(session.expires_in),
        expires_at: String(session.expires_at),
        token_type: 'bearer',
        type: 'magiclink',
      });
      res.writeHead(303, { ...CORS, location: `${u.searchParams.get('redirect_to') ?? url}#${fragment}` });
      res.end();
      return;
    }
    if (u.pathname === '/auth/v1/user' && req.method === 'GET') {
      const user = userByToken(req);
      if (!user) return fail(res, 401, 'bad_jwt', 'invalid JWT');
      return send(res, 200, userJson(user));
    }
    if (u.pathname === '/auth/v1/logout' && req.method === 'POST') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token) accessTokens.delete(token);
      return send(res, 204);
    }
    return fail(res, 404, 'not_found', `No route ${req.method} ${u.pathname}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    jwksUrl: `${url}/auth/v1/.well-known/jwks.json`,
    secret: options.secret,
    addUser(email, password) {
      const user = { id: randomUUID(), email: email.toLowerCase(), password };
      users.set(user.email, user);
      return user;
    },
    tokenFor,
    sign,
    magicLinkFor: (email) => magicLinks.get(email.toLowerCase()),
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
