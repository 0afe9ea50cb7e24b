/**
 * Loads jose, which ships only as an ES module. The service compiles to CommonJS, where tsc turns
 * `import()` into `require()`; jest (CommonJS, VM modules) cannot `require` an ES module. An `import()`
 * that tsc does not see (eval) works in both: native Node loads it in production, jest's VM-module
 * loader in tests. Types come from a type-only import, so nothing else is affected.
 */
import type * as Jose from 'jose';

export type JoseModule = typeof Jose;

let loading: Promise<JoseModule> | undefined;

/** The jose module, loaded once. */
export function loadJose(): Promise<JoseModule> {
  // See the file comment: the only import() that tsc leaves alone.
  loading ??= eval('import("jose")') as Promise<JoseModule>;
  return loading;
}
