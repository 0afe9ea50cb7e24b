/** Two tiers: fast unit tests beside the code, end-to-end specs in test/ (real Chromium, Deno, PGlite). */
const transform = {
  '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
};
// Sources import each other with `.ts` extensions (so Deno can load supabase/functions/_shared too);
// tsc rewrites them to `.js` on emit, and this maps the rewritten form back for jest.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
module.exports = {
  // End-to-end specs drive real Chromium and Deno; unit tests finish far below this.
  testTimeout: 60000,
  // The run fails if a process the tests started (Chromium, Deno, the service) is still alive afterwards.
  globalSetup: '<rootDir>/test/support/leftovers-setup.ts',
  globalTeardown: '<rootDir>/test/support/leftovers-teardown.ts',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/supabase/functions/_shared/**/*.test.ts', '<rootDir>/web/src/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      slowTestThreshold: 30,
    },
  ],
};
