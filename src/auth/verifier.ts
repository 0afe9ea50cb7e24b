/**
 * Verifies Supabase Auth access tokens (JWTs) with jose. Two key sources, each with its own fixed list of
 * algorithms, so a token can never pick how it is checked: the project's JWKS (asymmetric: ES256, RS256)
 * and the project's legacy HS256 secret. `alg: none`, an HS256 token against a public key (the classic
 * HS/RS confusion) and any algorithm outside the lists are refused before a key is looked at.
 */
import { LRUCache } from 'lru-cache';
import { EarshotError } from '../errors.ts';
import { loadJose, type JoseModule } from './jose.ts';

/** Who a verified token speaks for. */
export interface Principal {
  /** The Supabase user id (`sub`, a UUID). */
  userId: string;
  /** When the token stops being valid (ms since the epoch, from `exp`). */
  expiresAt: number;
}

export interface TokenVerifier {
  /** Resolves the principal of a valid token; rejects with EarshotError `unauthorized` (or `auth_unavailable`). */
  verify(token: string): Promise<Principal>;
}

export interface VerifierOptions {
  /** JWKS of the project (asymmetric signing keys); jose caches it and refetches on an unknown `kid`. */
  jwksUrl?: string;
  /** The project's HS256 JWT secret. */
  secret?: string;
  /** Expected `aud` (Supabase: `authenticated`). */
  audience: string;
  /** Expected `iss`, when set. */
  issuer?: string;
  /** Leeway for exp/nbf, seconds. */
  clockToleranceSec?: number;
  /** How long a fetched JWKS is used before it is fetched again, ms (jose's cacheMaxAge). */
  jwksCacheMs?: number;
  /**
   * Tokens already verified, remembered until they expire (at most a minute): a dashboard presents the
   * same token on every request, and a hit costs a map lookup instead of a signature check. 0 = off.
   */
  cacheSize?: number;
}

/** Asymmetric algorithms Supabase signs with; only these are tried against the JWKS. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256'] as const;
/** The only algorithm tried against the shared secret. */
export const SECRET_ALGORITHMS = ['HS256'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Longer than any real access token; refusing early keeps huge headers cheap. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

/** Which key source a token's header selects, or why it is refused. Pure: the header is only read. */
export function keySourceFor(alg: unknown, sources: { jwks: boolean; secret: boolean }): 'jwks' | 'secret' {
  if (typeof alg !== 'string' || alg === '' || alg.toLowerCase() === 'none') {
    throw unauthorized('the token is not signed');
  }
  if ((SECRET_ALGORITHMS as readonly string[]).includes(alg)) {
    if (!sources.secret) throw unauthorized(`${alg} tokens are not accepted here`);
    return 'secret';
  }
  if ((ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
    if (!sources.jwks) throw unauthorized(`${alg} tokens are not accepted here`);
    return 'jwks';
  }
  throw unauthorized(`algorithm ${alg.slice(0, 20)} is not accepted`);
}

/**
 * The principal of verified claims: `sub` is the user, `role` must be `authenticated` (Supabase's anon and
 * service_role keys are JWTs too, and must not act as a seller), `exp` must be present.
 */
export function principalOf(claims: Record<string, unknown>): Principal {
  const sub = claims.sub;
  // Supabase user ids are UUIDs, and they key owner_id columns: anything else names no user of ours.
  if (typeof sub !== 'string' || !UUID.test(sub)) throw unauthorized('the token names no user');
  if (claims.role !== 'authenticated') throw unauthorized('the token is not a signed-in user\'s');
  if (typeof claims.exp !== 'number') throw unauthorized('the token has no expiry');
  return { userId: sub, expiresAt: claims.exp * 1000 };
}

function unauthorized(reason: string): EarshotError {
  return new EarshotError('unauthorized', `Invalid access token: ${reason}`);
}

/** Builds a verifier; throws at start when no key source is given. */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  if (!options.jwksUrl && !options.secret) throw new Error('createTokenVerifier needs jwksUrl or secret');
  const sources = { jwks: Boolean(options.jwksUrl), secret: Boolean(options.secret) };
  // Imported once: handing jose raw bytes would import the key again on every verify.
  let secretKey: Promise<CryptoKey> | undefined;
  const hmacKey = (): Promise<CryptoKey> =>
    (secretKey ??= crypto.subtle.importKey('raw', new TextEncoder().encode(options.secret!), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']));
  let jwks: ReturnType<JoseModule['createRemoteJWKSet']> | undefined;
  const cacheSize = options.cacheSize ?? 10_000;
  // Only successes are kept (refusals are cheap to repeat and must not fill the cache).
  const verified = cacheSize > 0 ? new LRUCache<string, Principal>({ max: cacheSize, ttl: 60_000 }) : undefined;

  return {
    async verify(token: string): Promise<Principal> {
      if (typeof token !== 'string' || token.length === 0) throw unauthorized('missing');
      if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('too long');
      const known = verified?.get(token);
      if (known) {
        if (known.expiresAt > Date.now()) return known;
        verified!.delete(token);
        throw unauthorized('expired');
      }
      const principal = await verifyFully(token);
      verified?.set(token, principal, { ttl: Math.max(1, Math.min(60_000, principal.expiresAt - Date.now())) });
      return principal;
    },
  };

  async function verifyFully(token: string): Promise<Principal> {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) throw unauthorized('malformed');
    const jose = await loadJose();
    let header: { alg?: unknown };
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      throw unauthorized('malformed header');
    }
    const source = keySourceFor(header.alg, sources);
    const verifyOptions = {
      audience: options.audience,
      issuer: options.issuer,
      clockTolerance: options.clockToleranceSec ?? 5,
      requiredClaims: ['exp', 'sub'],
    };
    try {
      if (source === 'secret') {
        const { payload } = await jose.jwtVerify(token, await hmacKey(), { ...verifyOptions, algorithms: [...SECRET_ALGORITHMS] });
        return principalOf(payload);
      }
      jwks ??= jose.createRemoteJWKSet(new URL(options.jwksUrl!), {
        cacheMaxAge: options.jwksCacheMs ?? 10 * 60_000,
        cooldownDuration: 30_000,
        timeoutDuration: 5_000,
      });
      const { payload } = await jose.jwtVerify(token, jwks, { ...verifyOptions, algorithms: [...ASYMMETRIC_ALGORITHMS] });
      return principalOf(payload);
    } catch (error) {
      throw describeFailure(jose, error);
    }
  }
}

/** jose's error classes become our codes; the reason is short and never echoes the token. */
function describeFailure(jose: JoseModule, error: unknown): EarshotError {
  if (error instanceof EarshotError) return error;
  const e = jose.errors;
  if (error instanceof e.JWTExpired) return unauthorized('expired');
  if (error instanceof e.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'nbf' || claim === 'iat') return unauthorized('not yet valid');
    if (claim === 'aud') return unauthorized('wrong audience');
    return unauthorized(`claim ${claim} is invalid`);
  }
  if (error instanceof e.JWSSignatureVerificationFailed) return unauthorized('wrong signature');
  if (error instanceof e.JWKSNoMatchingKey) return unauthorized('signed with an unknown key');
  if (error instanceof e.JWKSTimeout || error instanceof e.JWKSInvalid || isFetchFailure(error)) {
    return new EarshotError('auth_unavailable', 'The signing keys of the auth server could not be fetched', {}, { cause: error });
  }
  if (error instanceof e.JOSEError) return unauthorized(error.code.replace(/^ERR_/, '').toLowerCase());
  return unauthorized('could not be read');
}

function isFetchFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch/i.test(error.message);
}
