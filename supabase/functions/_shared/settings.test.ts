import { loadFunctionSettings, shownValue } from './settings.ts';

const DB_URL = 'postgres://postgres:db-password@127.0.0.1:5432/postgres';

function failure(env: Record<string, string>): { code?: string; message: string } {
  try {
    loadFunctionSettings(env);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the settings to be refused');
}

describe('edge function settings', () => {
  test("default to the service's values when only the database is set", () => {
    expect(loadFunctionSettings({ SUPABASE_DB_URL: DB_URL })).toEqual({
      SUPABASE_DB_URL: DB_URL,
      SUPABASE_SERVICE_ROLE_KEY: undefined,
      INGEST_SIGNING_SECRET: undefined,
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: undefined,
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small',
      OPENAI_TIMEOUT_MS: 15_000,
      BUYER_CONFIDENCE_THRESHOLD: 0.7,
      BOT_TRIGGER: '@earshot',
      REPLY_RATE_PER_MINUTE: 6,
      DB_POOL_MAX: 3,
      EARSHOT_FUNCTION_PORT: undefined,
    });
  });

  test('read numbers, trim secrets and treat a blank port as unset', () => {
    const settings = loadFunctionSettings({
      SUPABASE_DB_URL: DB_URL,
      SUPABASE_SERVICE_ROLE_KEY: ' key ',
      BUYER_CONFIDENCE_THRESHOLD: '0.85',
      DB_POOL_MAX: '2',
      EARSHOT_FUNCTION_PORT: ' ',
      SOMETHING_SUPABASE_SETS: 'ignored',
    });
    expect(settings).toMatchObject({ SUPABASE_SERVICE_ROLE_KEY: 'key', BUYER_CONFIDENCE_THRESHOLD: 0.85, DB_POOL_MAX: 2, EARSHOT_FUNCTION_PORT: undefined });
    expect(loadFunctionSettings({ SUPABASE_DB_URL: DB_URL, EARSHOT_FUNCTION_PORT: '0' }).EARSHOT_FUNCTION_PORT).toBe(0);
    expect(settings).not.toHaveProperty('SOMETHING_SUPABASE_SETS');
  });

  test('a missing database stops the function at start, saying how to fix it', () => {
    const error = failure({});
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/SUPABASE_DB_URL="": is not set/);
  });

  test('bad values are refused naming each variable, never showing a secret or a password', () => {
    const error = failure({
      SUPABASE_DB_URL: DB_URL,
      OPENAI_API_KEY: 'sk-live-secret',
      BUYER_CONFIDENCE_THRESHOLD: '7',
      DB_POOL_MAX: 'many',
      OPENAI_BASE_URL: 'ftp://user:url-password@example.com',
      EARSHOT_FUNCTION_PORT: '70000',
    });
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/BUYER_CONFIDENCE_THRESHOLD="7"/);
    expect(error.message).toMatch(/DB_POOL_MAX="many"/);
    expect(error.message).toMatch(/EARSHOT_FUNCTION_PORT="70000"/);
    expect(error.message).toMatch(/OPENAI_BASE_URL="ftp:\/\/user:\*\*\*@example.com"/);
    expect(error.message).not.toContain('sk-live-secret');
    expect(error.message).not.toContain('url-password');
    expect(error.message).not.toContain('db-password');
  });
});

test('shownValue hides secrets by name and passwords inside URLs', () => {
  expect(shownValue('INGEST_SIGNING_SECRET', 'abc')).toBe('<hidden>');
  expect(shownValue('SUPABASE_SERVICE_ROLE_KEY', '')).toBe('');
  expect(shownValue('SUPABASE_DB_URL', DB_URL)).toBe('postgres://postgres:***@127.0.0.1:5432/postgres');
  expect(shownValue('BOT_TRIGGER', '@bot')).toBe('@bot');
});
