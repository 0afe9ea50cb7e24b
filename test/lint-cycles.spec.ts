/** The house lint rule against import cycles (issue 12: the two cycles import-x missed were type-only). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Linter, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the rule is CommonJS so eslint.config.mjs and jest both load it
const noImportCycle = require('../eslint/no-import-cycle.cjs') as Rule.RuleModule;

function lintFiles(files: Record<string, string>, entry: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-lint-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const linter = new Linter({ cwd: dir });
    const config = [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: { earshot: { rules: { 'no-import-cycle': noImportCycle } } },
        rules: { 'earshot/no-import-cycle': 'error' as const },
      },
    ];
    const file = path.join(dir, entry);
    return linter.verify(fs.readFileSync(file, 'utf8'), config, file).map((m) => m.message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('earshot/no-import-cycle', () => {
  it('reports a cycle made only of type imports, naming its route', () => {
    const messages = lintFiles(
      {
        'a.ts': "import type { B } from './b.ts';\nexport type A = { b?: B };\n",
        'b.ts': "import { type A } from './c.ts';\nexport type B = { a?: A };\n",
        'c.ts': "export type { A } from './a.ts';\n",
      },
      'a.ts',
    );
    expect(messages).toEqual(['Import cycle (type-only imports count): a.ts -> b.ts -> c.ts -> a.ts']);
  });

  it('lets a shared type module break the cycle', () => {
    const messages = lintFiles(
      {
        'types.ts': 'export type A = { n: number };\n',
        'a.ts': "import type { A } from './types.ts';\nimport { b } from './b.ts';\nexport const a = (x: A) => b(x);\n",
        'b.ts': "import type { A } from './types.ts';\nexport const b = (x: A) => x.n;\n",
      },
      'a.ts',
    );
    expect(messages).toEqual([]);
  });
});
