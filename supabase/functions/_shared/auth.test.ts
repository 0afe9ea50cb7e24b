import { authenticate, constantTimeEqual, signPayload, signatureHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './auth.ts';

const SECRET = 'signing-secret-for-tests';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

describe('caller authentication', () => {
  test('accepts the service-role key as a bearer token or an apikey header', async () => {
    const secrets = { serviceRoleKey: 'service-key' };
    await expect(authenticate(headers({ authorization: 'Bearer service-key' }), '{}', secrets, NOW)).resolves.toEqual({ ok: true, via: 'service_role' });
    await expect(authenticate(headers({ apikey: 'service-key' }), '{}', secrets, NOW)).resolves.toEqual({ ok: true, via: 'service_role' });
    await expect(authenticate(headers({ authorization: 'Bearer service-kez' }), '{}', secrets, NOW)).resolves.toMatchObject({ ok: false });
    await expect(authenticate(headers({}), '{}', secrets, NOW)).resolves.toMatchObject({ ok: false });
  });

  test('accepts a fresh HMAC signature of timestamp.body and nothing else', async () => {
    const body = '{"messages":[]}';
    const secrets = { signingSecret: SECRET };
    const signed = await signatureHeaders(SECRET, body, NOW);
    await expect(authenticate(headers(signed), body, secrets, NOW)).resolves.toEqual({ ok: true, via: 'signature' });
    // Same signature, other body.
    await expect(authenticate(headers(signed), `${body} `, secrets, NOW)).resolves.toEqual({ ok: false, reason: 'signature mismatch' });
    // Signed with another secret.
    const other = await signatureHeaders('another-secret', body, NOW);
    await expect(authenticate(headers(other), body, secrets, NOW)).resolves.toMatchObject({ ok: false });
    // Garbage signature.
    await expect(authenticate(headers({ ...signed, [SIGNATURE_HEADER]: 'zz' }), body, secrets, NOW)).resolves.toEqual({ ok: false, reason: 'malformed signature' });
  });

  test('refuses a replayed signature older than five minutes, and one from the future', async () => {
    const body = '{}';
    const secrets = { signingSecret: SECRET };
    const signed = await signatureHeaders(SECRET, body, NOW);
    await expect(authenticate(headers(signed), body, secrets, NOW + 299_000)).resolves.toMatchObject({ ok: true });
    await expect(authenticate(headers(signed), body, secrets, NOW + 301_000)).resolves.toEqual({ ok: false, reason: 'timestamp outside the allowed window' });
    await expect(authenticate(headers(signed), body, secrets, NOW - 301_000)).resolves.toMatchObject({ ok: false });
    // Moving the timestamp forward breaks the signature.
    const moved = { ...signed, [TIMESTAMP_HEADER]: String(Number(signed[TIMESTAMP_HEADER]) + 400) };
    await expect(authenticate(headers(moved), body, secrets, NOW + 400_000)).resolves.toEqual({ ok: false, reason: 'signature mismatch' });
  });

  test('fails closed when no secret is configured', async () => {
    const signed = await signatureHeaders(SECRET, '{}', NOW);
    await expect(authenticate(headers({ ...signed, authorization: 'Bearer x' }), '{}', {}, NOW)).resolves.toEqual({
      ok: false,
      reason: 'no credentials configured',
    });
  });

  test('signs like any HMAC-SHA256 implementation', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', SECRET).update('1767268800.hello').digest('hex');
    await expect(signPayload(SECRET, 1767268800, 'hello')).resolves.toBe(expected);
  });

  test('compares secrets of different lengths without throwing', async () => {
    await expect(constantTimeEqual('a', 'a')).resolves.toBe(true);
    await expect(constantTimeEqual('a', 'ab')).resolves.toBe(false);
    await expect(constantTimeEqual('', 'x')).resolves.toBe(false);
  });
});
