/**
 * auth-verify: what verifying a Supabase access token costs on the hot path (every /api request and every
 * /ws connection with accounts on), with the keys already cached: ES256 through the JWKS of the local
 * stand-in for Supabase Auth (test/fakes/supabase-auth-server.ts; fetched once, then from jose's cache),
 * and HS256 with the project secret, each with the verified-token cache off (the full signature check a
 * new token costs) and on (a dashboard presenting the same token again). Also the refusal path (a wrong
 * signature), which an attacker controls. Microseconds per verify, sequential, one core.
 */
import { createTokenVerifier, type TokenVerifier } from '../src/auth/verifier.ts';
import { startFakeSupabaseAuth } from '../test/fakes/supabase-auth-server.ts';
import type { BenchContext, BenchResult, Benchmark } from './lib/harness.ts';
import { round, summarize } from './lib/stats.ts';

async function measure(verifier: TokenVerifier, token: string, iterations: number, expectValid: boolean): Promise<BenchResult['metrics']> {
  // Warm-up: the JWKS fetch, key import and JIT happen here, not in the numbers.
  for (let i = 0; i < 200; i++) await verifier.verify(token).catch(() => undefined);
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    const ok = await verifier.verify(token).then(
      () => true,
      () => false,
    );
    samples.push(Number(process.hrtime.bigint() - t0) / 1_000);
    if (ok !== expectValid) throw new Error(`verify gave ${ok}, expected ${expectValid}`);
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1_000;
  const s = summarize(samples);
  return { iterations, usPerVerify: round(totalUs / iterations, 1), p50Us: s.p50, p99Us: s.p99, verifiesPerSec: Math.round((iterations / totalUs) * 1e6) };
}

export const auth: Benchmark = {
  names: ['auth-verify'],
  async run(context: BenchContext): Promise<BenchResult[]> {
    const iterations = context.quick ? 500 : 10_000;
    const results: BenchResult[] = [];
    const jwks = await startFakeSupabaseAuth();
    const secret = 'bench-secret-of-at-least-thirty-two-characters';
    const hs = await startFakeSupabaseAuth({ secret });
    try {
      const user = jwks.addUser('bench@example.test', 'pw');
      const es256 = createTokenVerifier({ jwksUrl: jwks.jwksUrl, audience: 'authenticated', cacheSize: 0 });
      const es256Cached = createTokenVerifier({ jwksUrl: jwks.jwksUrl, audience: 'authenticated' });
      const hs256 = createTokenVerifier({ secret, audience: 'authenticated', cacheSize: 0 });
      const good = await jwks.tokenFor(user);
      const forged = await jwks.tokenFor(user, { sub: '00000000-0000-4000-8000-000000000000' });
      const tampered = `${good.slice(0, good.lastIndexOf('.'))}.${forged.slice(forged.lastIndexOf('.') + 1)}`;
      const hsGood = await hs.tokenFor(hs.addUser('bench@example.test', 'pw'));
      for (const [mode, verifier, token, valid] of [
        ['ES256 (JWKS keys cached)', es256, good, true],
        ['ES256 wrong signature', es256, tampered, false],
        ['HS256 (secret)', hs256, hsGood, true],
        ['ES256, token seen before', es256Cached, good, true],
      ] as const) {
        const metrics = await measure(verifier, token, iterations, valid);
        // 10,000 verifies against one JWKS: how many times the keys were fetched (1 = cached).
        if (results.length === 0) metrics.jwksFetches = jwks.hits.get('/auth/v1/.well-known/jwks.json') ?? 0;
        context.log(`auth-verify ${mode}: ${metrics.usPerVerify} us/verify`);
        results.push({ name: 'auth-verify', params: { mode }, metrics });
      }
    } finally {
      await jwks.close();
      await hs.close();
    }
    return results;
  },
};
