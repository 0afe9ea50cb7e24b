/** PGlite and its vector extension, the one place the embedded backend loads them from. */
export { PGlite } from '@electric-sql/pglite';
export { vector } from '@electric-sql/pglite/vector';
