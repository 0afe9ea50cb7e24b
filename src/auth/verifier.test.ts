import { EarshotError } from '../errors.ts';
import { loadJose } from './jose.ts';
import { bearerToken, tokenDigest, tokenMatches } from './middleware.ts';
import { createTokenVerifier, keySourceFor, principalOf } from './verifier.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const USER = '6f1c2c1e-2b7d-4e55-9d7a-0c1d2e3f4a5b';

async function hs256(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  const jose = await loadJose();
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: USER, aud: 'authenticated', role: 'authenticated', iat: now, exp: now + 600, ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EarshotError);
    expect((error as EarshotError).code).toBe('unauthorized');
    return (error as EarshotError).message;
  }
  throw new Error('expected a refusal');
}

describe('keySourceFor picks the key by a fixed algorithm list, never by what the token asks for', () => {
  test('refuses unsigned tokens', () => {
    expect(() => keySourceFor('none', { jwks: true, secret: true })).toThrow(/not signed/);
    expect(() => keySourceFor('NONE', { jwks: true, secret: true })).toThrow(/not signed/);
    expect(() => keySourceFor(undefined, { jwks: true, secret: true })).toThrow(/not signed/);
  });
  test('an HS256 token is never checked against the JWKS (HS/RS confusion)', () => {
    expect(() => keySourceFor('HS256', { jwks: true, secret: false })).toThrow(/not accepted/);
    expect(keySourceFor('HS256', { jwks: true, secret: true })).toBe('secret');
  });
  test('an asymmetric token is never checked against the secret', () => {
    expect(() => keySourceFor('RS256', { jwks: false, secret: true })).toThrow(/not accepted/);
    expect(keySourceFor('ES256', { jwks: true, secret: true })).toBe('jwks');
  });
  test('other algorithms are refused', () => {
    expect(() => keySourceFor('HS512', { jwks: true, secret: true })).toThrow(/not accepted/);
    expect(() => keySourceFor('PS256', { jwks: true, secret: true })).toThrow(/not accepted/);
  });
});

describe('principalOf', () => {
  test('takes the user from sub and the expiry from exp', () => {
    expect(principalOf({ sub: USER, role: 'authenticated', exp: 100 })).toEqual({ userId: USER, expiresAt: 100_000 });
  });
  test('refuses the anon and service_role keys (JWTs without a signed-in user)', () => {
    expect(() => principalOf({ sub: USER, role: 'anon', exp: 100 })).toThrow(/signed-in/);
    expect(() => principalOf({ role: 'service_role', exp: 100 })).toThrow(/no user/);
  });
  test('refuses a sub that is not a Supabase user id', () => {
    expect(() => principalOf({ sub: '../../admin', role: 'authenticated', exp: 100 })).toThrow(/no user/);
  });
});

describe('the HS256 verifier', () => {
  const verifier = createTokenVerifier({ secret: SECRET, audience: 'authenticated', clockToleranceSec: 0 });

  test('accepts a valid token', async () => {
    await expect(verifier.verify(await hs256(valid()))).resolves.toMatchObject({ userId: USER });
  });
  test.each([
    ['expired', valid({ exp: Math.floor(Date.now() / 1000) - 10 }), /expired/],
    ['not yet valid', valid({ nbf: Math.floor(Date.now() / 1000) + 600 }), /not yet valid/],
    ['wrong audience', valid({ aud: 'someone-else' }), /audience/],
    ['anon role', valid({ role: 'anon' }), /signed-in/],
    ['no exp', { sub: USER, aud: 'authenticated', role: 'authenticated' }, /exp|expiry/],
  ])('refuses a token that is %s', async (_name, claims, reason) => {
    expect(await refusal(verifier.verify(await hs256(claims)))).toMatch(reason);
  });
  test('a remembered token is refused once it expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await hs256(valid({ exp }));
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: USER });
    await new Promise((r) => setTimeout(r, exp * 1000 + 50 - Date.now()));
    expect(await refusal(verifier.verify(token))).toMatch(/expired/);
  });
  test('refuses a token signed with another secret', async () => {
    expect(await refusal(verifier.verify(await hs256(valid(), `${SECRET}-other`)))).toMatch(/signature/);
  });
  test.each([
    ['empty', ''],
    ['not a JWT', 'hello'],
    ['garbage segments', 'a.b.c'],
    ['binary junk', '\u0000\u0001.\u00ff.x'],
    ['huge', `${'a'.repeat(20_000)}.b.c`],
  ])('refuses %s input without throwing anything but a coded error', async (_name, token) => {
    await refusal(verifier.verify(token));
  });
});

describe('API token comparison', () => {
  test('compares fixed-length digests whatever the tokens\u2019 lengths (length-blind)', () => {
    expect(tokenDigest('').length).toBe(32);
    expect(tokenDigest('x'.repeat(10_000)).length).toBe(32);
    expect(tokenDigest('é').length).toBe(32);
  });
  test('matches only the same token', () => {
    expect(tokenMatches('secret-token', 'secret-token')).toBe(true);
    expect(tokenMatches('secret-toke', 'secret-token')).toBe(false);
    expect(tokenMatches('secret-token-and-more', 'secret-token')).toBe(false);
    expect(tokenMatches(undefined, 'secret-token')).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });
});

describe('bearerToken', () => {
  const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as never;
  test('reads Bearer tokens', () => {
    expect(bearerToken(req('Bearer abc.def.ghi'))).toBe('abc.def.ghi');
    expect(bearerToken(req())).toBeUndefined();
  });
  test('refuses garbled and huge headers with a code', () => {
    expect(() => bearerToken(req('Basic dXNlcg=='))).toThrow(EarshotError);
    expect(() => bearerToken(req('Bearer a b'))).toThrow(EarshotError);
    expect(() => bearerToken(req(`Bearer ${'a'.repeat(9_000)}`))).toThrow(/too long/);
  });
});
