import { loadFunctionSettings } from '../supabase/functions/_shared/settings.ts';
import { ConfigError, loadConfig } from './config.ts';

test('defaults make a working embedded configuration', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    host: '127.0.0.1',
    port: 3001,
    allowPrivateUrls: false,
    dedup: { max: 10_000, ttlMs: 300_000 },
    buyerConfidenceThreshold: 0.7,
    botTrigger: '@earshot',
    retentionDays: 90,
  });
  expect(config.supabase).toBeUndefined();
  expect(config.openai).toBeUndefined();
});

test('invalid values fail fast naming each variable and how to fix it', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', BUYER_CONFIDENCE_THRESHOLD: '7', ALLOW_PRIVATE_URLS: 'maybe' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).toMatch(/PORT="eighty"/);
  expect(message).toMatch(/BUYER_CONFIDENCE_THRESHOLD="7"/);
  expect(message).toMatch(/ALLOW_PRIVATE_URLS="maybe"/);
  expect(message).toMatch(/\.env\.example/);
});

test('a Supabase URL without its key is refused rather than half-configured', () => {
  expect(() => loadConfig({ SUPABASE_URL: 'https://x.supabase.co' })).toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
});

test('secrets are not echoed in validation errors of other fields', () => {
  expect.assertions(2);
  try {
    loadConfig({ OPENAI_API_KEY: 'sk-secret-value', PORT: '-1' });
  } catch (e) {
    expect((e as Error).message).toMatch(/PORT/);
    expect((e as Error).message).not.toContain('sk-secret-value');
  }
});

test('ALLOW_PRIVATE_URLS takes true, false or a list of origins', () => {
  expect(loadConfig({ ALLOW_PRIVATE_URLS: 'true' })).toMatchObject({ allowPrivateUrls: true, allowedPrivateOrigins: [] });
  expect(loadConfig({ ALLOW_PRIVATE_URLS: 'false' })).toMatchObject({ allowPrivateUrls: false, allowedPrivateOrigins: [] });
  expect(loadConfig({ ALLOW_PRIVATE_URLS: ' http://127.0.0.1:8080, https://[::1]:8443/ ' })).toMatchObject({
    allowPrivateUrls: false,
    allowedPrivateOrigins: ['http://127.0.0.1:8080', 'https://[::1]:8443'],
  });
  expect(() => loadConfig({ ALLOW_PRIVATE_URLS: 'http://127.0.0.1:8080/path' })).toThrow(/ALLOW_PRIVATE_URLS=.*list of origins/);
  expect(() => loadConfig({ ALLOW_PRIVATE_URLS: 'ftp://127.0.0.1' })).toThrow(/ALLOW_PRIVATE_URLS/);
});

test('the settings the edge function shares are read alike on both sides (one schema)', () => {
  const shared = { BUYER_CONFIDENCE_THRESHOLD: '0.9', OPENAI_API_KEY: 'sk-test', OPENAI_TIMEOUT_MS: '2000', BOT_TRIGGER: '@bot', REPLY_RATE_PER_MINUTE: '3' };
  const config = loadConfig(shared);
  const settings = loadFunctionSettings({ ...shared, SUPABASE_DB_URL: 'postgres://127.0.0.1/postgres' });
  expect([config.buyerConfidenceThreshold, config.openai?.timeoutMs, config.openai?.model, config.openai?.embeddingModel, config.botTrigger, config.kb.repliesPerMinute]).toEqual([
    settings.BUYER_CONFIDENCE_THRESHOLD,
    settings.OPENAI_TIMEOUT_MS,
    settings.OPENAI_MODEL,
    settings.OPENAI_EMBEDDING_MODEL,
    settings.BOT_TRIGGER,
    settings.REPLY_RATE_PER_MINUTE,
  ]);
  expect(settings).toMatchObject({ BUYER_CONFIDENCE_THRESHOLD: 0.9, OPENAI_TIMEOUT_MS: 2000, BOT_TRIGGER: '@bot', REPLY_RATE_PER_MINUTE: 3 });
  // The same bad value is refused by both, each naming the variable.
  expect(() => loadConfig({ OPENAI_TIMEOUT_MS: '5' })).toThrow(/OPENAI_TIMEOUT_MS="5"/);
  expect(() => loadFunctionSettings({ SUPABASE_DB_URL: 'postgres://127.0.0.1/postgres', OPENAI_TIMEOUT_MS: '5' })).toThrow(/OPENAI_TIMEOUT_MS="5"/);
});

test('TRUST_PROXY is off by default; hops or proxy addresses when set; anything else is refused', () => {
  expect(loadConfig({}).trustProxy).toBe(false);
  expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
  expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
  expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY/);
});

test('ALLOWED_ORIGINS are origins, ALLOWED_HOSTS host names, WS_MAX_SUBSCRIPTIONS a bound', () => {
  const config = loadConfig({ ALLOWED_ORIGINS: 'https://tools.example.com, http://127.0.0.1:5173', ALLOWED_HOSTS: 'Earshot.example.com', WS_MAX_SUBSCRIPTIONS: '5' });
  expect(config.allowedOrigins).toEqual(['https://tools.example.com', 'http://127.0.0.1:5173']);
  expect(config.allowedHosts).toEqual(['earshot.example.com']);
  expect(config.ws.maxSubscriptions).toBe(5);
  expect(loadConfig({}).ws).toMatchObject({ maxSubscriptions: 200, maxSellerSubscriptions: 1_000 });
  expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://x.example/path' })).toThrow(/ALLOWED_ORIGINS/);
  expect(() => loadConfig({ ALLOWED_HOSTS: 'x.example:3001' })).toThrow(/ALLOWED_HOSTS/);
});
