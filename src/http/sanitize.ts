/**
 * Text entering over HTTP is made storable once, before any route sees it: every string of the parsed
 * JSON body and of the query, keys included, loses its NUL characters and lone surrogates (scrubText, the
 * contract's sanitizer). Routes then validate what is left: a name that was nothing but NUL is empty and
 * refused by its schema as 400 invalid_body, never a database error answered as 500.
 */
import type { RequestHandler } from 'express';
import { scrubText } from '../../supabase/functions/_shared/text.ts';

/**
 * `value` with every string in it scrubbed, keys too (a later key wins when two become one). Objects and
 * arrays are changed in place; a string is returned scrubbed. Walks with its own stack, so a deeply
 * nested body cannot overflow the call stack.
 */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const stack: object[] = [value];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      const cleanKey = scrubText(key);
      const cleanChild = typeof child === 'string' ? scrubText(child) : child;
      if (cleanChild !== null && typeof cleanChild === 'object') stack.push(cleanChild);
      if (cleanKey !== key) delete record[key];
      if (cleanKey !== key || cleanChild !== child) {
        // defineProperty, not assignment: a key named __proto__ stays a plain property, never the prototype.
        Object.defineProperty(record, cleanKey, { value: cleanChild, writable: true, enumerable: true, configurable: true });
      }
    }
  }
  return value;
}

/**
 * Scrubs `req.body` and `req.query`. Mounted after the body parser. Express 5 parses the query anew at
 * every read of its getter, so the scrubbed query is set as the request's own property.
 */
export const scrubRequest: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined) req.body = scrubDeep(req.body);
  Object.defineProperty(req, 'query', { value: scrubDeep(req.query), writable: true, enumerable: true, configurable: true });
  next();
};
