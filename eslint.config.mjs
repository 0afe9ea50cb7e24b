// House rules as lint errors (docs/STYLE.md 11): no floating promises, no import cycles, consistent type imports.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import noImportCycle from './eslint/no-import-cycle.cjs';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'coverage/**', 'supabase/functions/deno.lock'] },
  {
    files: ['src/**/*.ts', 'supabase/functions/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.base],
    plugins: { 'import-x': importX, earshot: { rules: { 'no-import-cycle': noImportCycle } } },
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
      // import-x/no-cycle cannot count type-only imports (it always skips them); ours does (issue 12).
      'earshot/no-import-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: './src/capture',
              from: './src/pipeline',
              message: 'Capture delivers to the pipeline through src/capture/source.ts; it never imports the pipeline.',
            },
            {
              target: './src/domain',
              from: './src',
              except: ['./domain'],
              message: 'src/domain holds the shared types and depends on nothing else in src.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-require-imports': 'error',
      'no-control-regex': 'error',
    },
  },
);
