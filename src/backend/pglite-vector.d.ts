// Types for PGlite's vector extension entry: the package declares them only under `exports`, which
// this project's moduleResolution (node10, for CommonJS output) does not read. Runtime resolution works.
declare module '@electric-sql/pglite/vector' {
  import type { Extension } from '@electric-sql/pglite';
  export const vector: Extension;
}
