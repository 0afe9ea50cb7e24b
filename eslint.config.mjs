// House rules as lint errors (STYLE.md 11): no floating promises, no import cycles, consistent type imports.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'coverage/**', 'supabase/functions/deno.lock'] },
  {
    files: ['src/**/*.ts', 'supabase/functions/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.base],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['supabase/functions/monitor-realtime-stream/*.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: { 'import-x/extensions': ['.ts', '.tsx'], 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-require-imports': 'error',
      'no-control-regex': 'error',
    },
  },
);
