import { loadConfig } from '../config.ts';

describe('accounts configuration', () => {
  test('off without AUTH_*; SUPABASE_URL alone keeps a single-owner Supabase setup as it was', () => {
    expect(loadConfig({}).auth).toBeUndefined();
    expect(loadConfig({ SUPABASE_URL: 'https://p.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k' }).auth).toBeUndefined();
  });

  test('AUTH_URL turns accounts on with the project\u2019s JWKS and audience `authenticated`', () => {
    expect(loadConfig({ AUTH_URL: 'https://p.supabase.co/', SUPABASE_ANON_KEY: 'anon' }).auth).toEqual({
      jwksUrl: 'https://p.supabase.co/auth/v1/.well-known/jwks.json',
      secret: undefined,
      audience: 'authenticated',
      issuer: undefined,
      supabaseUrl: 'https://p.supabase.co',
      anonKey: 'anon',
    });
  });

  test('a JWT secret alone is HS256 only; with SUPABASE_URL the JWKS is added as the default', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig({ AUTH_JWT_SECRET: secret }).auth).toMatchObject({ secret, jwksUrl: undefined });
    expect(
      loadConfig({ AUTH_JWT_SECRET: secret, SUPABASE_URL: 'https://p.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k' }).auth,
    ).toMatchObject({ secret, jwksUrl: 'https://p.supabase.co/auth/v1/.well-known/jwks.json' });
  });

  test('a short JWT secret and a bad rate limit are refused with a fix-it message', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(loadConfig({}).rateLimitPerMinute).toBe(1200);
  });
});
