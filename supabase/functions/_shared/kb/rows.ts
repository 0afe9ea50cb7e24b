/** Conversions of database values shared by the knowledge-base modules. Dependency-free. */

/** Timestamps arrive as Date (PGlite, postgres.js) or text; the domain speaks ISO strings. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

/** text[] columns arrive as arrays; anything else is treated as empty. */
export function textArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/**
 * A value as a JSON text parameter. SQL reads it with `$n::text::jsonb`: typed as text, postgres.js sends
 * the string as it is (a `$n::jsonb` parameter would be JSON-encoded a second time).
 */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value);
}

/** An embedding with non-finite values zeroed (JSON has no NaN), or null. */
export function finiteVector(vector: readonly number[] | null | undefined): number[] | null {
  return vector ? vector.map((v) => (Number.isFinite(v) ? v : 0)) : null;
}

/** pgvector's text form: `[0.1,0.2,...]`. */
export function vectorParam(vector: readonly number[] | null | undefined): string | null {
  if (!vector) return null;
  return `[${vector.map((v) => (Number.isFinite(v) ? v : 0)).join(',')}]`;
}
