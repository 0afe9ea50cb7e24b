/**
 * Lint rule: no import cycle, type-only imports included.
 *
 * eslint-plugin-import-x's no-cycle skips `import type` (and any import whose specifiers are all types)
 * and has no option to count them, because such imports vanish at runtime. We count them anyway: a cycle
 * of types still means two modules that cannot be understood, moved or tested apart (issue 12 found
 * session-manager <-> session-store and replay <-> kb/replay this way).
 *
 * Only relative specifiers are followed: every module of ours imports every other by a relative path with
 * its extension (Deno needs that), and packages cannot import back into the tree.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

/** path -> { mtimeMs, deps }; a file is read again only when it changed on disk. */
const graphCache = new Map();

/** Where a relative specifier lands on disk, or null (a package, or a file that does not exist). */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  for (const candidate of candidates) {
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not this candidate; try the next.
    }
  }
  return null;
}

/**
 * The modules a file imports on disk, by every form TypeScript knows (import, import type, export from,
 * import(), require), read with TypeScript's pre-processor: a scan, not a parse.
 * `checked` holds the files already validated against their mtime while linting the current file.
 */
function importsOf(file, checked) {
  const cached = graphCache.get(file);
  if (cached && checked.has(file)) return cached.deps;
  let mtimeMs;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return [];
  }
  checked.add(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.deps;
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  const deps = [...new Set(info.importedFiles.map((ref) => resolveSpecifier(file, ref.fileName)).filter(Boolean))];
  graphCache.set(file, { mtimeMs, deps });
  return deps;
}

/** The shortest chain of imports from `start` back to `target`, or null when there is none. */
function routeBack(start, target, checked) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift();
    for (const next of importsOf(current, checked)) {
      if (next === target) {
        const route = [current];
        for (let step = previous.get(current); step; step = previous.get(step)) route.unshift(step);
        return route;
      }
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles, counting type-only imports' },
    schema: [],
    messages: { cycle: 'Import cycle (type-only imports count): {{route}}' },
  },
  create(context) {
    const filename = context.physicalFilename;
    if (!path.isAbsolute(filename)) return {};
    const root = context.cwd;
    const checked = new Set();
    const show = (file) => path.relative(root, file);

    function check(node, sourceNode) {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      const target = resolveSpecifier(filename, sourceNode.value);
      if (!target || target === filename) return;
      const route = routeBack(target, filename, checked);
      if (!route) return;
      context.report({ node, messageId: 'cycle', data: { route: [filename, ...route, filename].map(show).join(' -> ') } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
      TSImportEqualsDeclaration: (node) =>
        check(node, node.moduleReference.type === 'TSExternalModuleReference' ? node.moduleReference.expression : null),
      // `type X = import('./x').Y`: the specifier sits in `argument` (typescript-eslint 8) or `source`.
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.source),
    };
  },
};
