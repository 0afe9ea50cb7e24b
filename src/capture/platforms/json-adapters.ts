/**
 * Adapters without code: JSON files under DATA_DIR/adapters/*.json, loaded once at start. Each names a
 * site (hosts or a host pattern), optionally the chat page to open, and the DOM selectors. They report
 * platform 'generic' with their `name`, and are consulted after the built-in adapters. A bad file is
 * logged and skipped: one operator typo must not stop the service.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { PlatformAdapter } from './types.ts';

const MAX_FILE_BYTES = 64 * 1024;
const selector = z.string().trim().min(1).max(500);

const regexString = z
  .string()
  .min(1)
  .max(300)
  .refine((value) => {
    try {
      new RegExp(value, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

/** The file format (an example sits in .env.example, next to the capture settings). */
export const JsonAdapterSchema = z
  .object({
    name: z.string().trim().min(1).max(60).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only'),
    hostPattern: regexString.optional(),
    hosts: z.array(z.string().trim().toLowerCase().min(1).max(253)).min(1).max(100).optional(),
    /** Template of the page to open: {origin} {host} {pathname} {search} and path segments {1}..{9}. */
    chatUrl: z.string().trim().min(1).max(2048).optional(),
    dom: z
      .object({
        container: selector,
        row: selector,
        author: selector,
        text: selector,
        idAttribute: z.string().trim().min(1).max(100).optional(),
        deleted: selector.optional(),
        exclude: selector.optional(),
        badges: z.object({ selector, attribute: z.string().trim().min(1).max(100).optional() }).strict().optional(),
        authorIdAttribute: z.string().trim().min(1).max(100).optional(),
        paidAmount: selector.optional(),
        ended: selector.optional(),
      })
      .strict(),
  })
  .strict()
  .refine((a) => a.hostPattern !== undefined || a.hosts !== undefined, { message: 'give hostPattern or hosts' });

export type JsonAdapterFile = z.infer<typeof JsonAdapterSchema>;

/** Expands a chatUrl template for a URL; undefined when a placeholder has no value or the result is not http(s). */
export function expandChatUrl(template: string, url: URL): string | undefined {
  const segments = url.pathname.split('/').filter(Boolean);
  let missing = false;
  const expanded = template.replace(/\{(origin|host|pathname|search|[1-9])\}/g, (_m, key: string) => {
    switch (key) {
      case 'origin':
        return url.origin;
      case 'host':
        return url.host;
      case 'pathname':
        return url.pathname;
      case 'search':
        return url.search;
      default: {
        const segment = segments[Number(key) - 1];
        if (segment === undefined) missing = true;
        return encodeURIComponent(decodeURIComponentSafe(segment ?? ''));
      }
    }
  });
  if (missing) return undefined;
  try {
    const result = new URL(expanded);
    return result.protocol === 'http:' || result.protocol === 'https:' ? result.href : undefined;
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Turns a validated file into an adapter. */
export function jsonAdapter(file: JsonAdapterFile): PlatformAdapter {
  const pattern = file.hostPattern ? new RegExp(file.hostPattern, 'i') : undefined;
  const hosts = file.hosts ?? [];
  const { chatUrl } = file;
  return {
    platform: 'generic',
    name: file.name,
    matches(url) {
      const host = url.hostname.toLowerCase();
      if (hosts.some((h) => host === h || host.endsWith(`.${h}`))) return true;
      return pattern ? pattern.test(host) : false;
    },
    chatUrl: chatUrl ? (url) => expandChatUrl(chatUrl, url) ?? url.href : undefined,
    dom: { ...file.dom },
  };
}

/** Reads every *.json in `dir` (missing dir: none). Bad files are logged and skipped. */
export function loadJsonAdapters(dir: string, logger: Logger): PlatformAdapter[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const adapters: PlatformAdapter[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) continue;
      if (stat.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      const parsed = JsonAdapterSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (!parsed.success) {
        throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; '));
      }
      if (adapters.some((a) => a.name === parsed.data.name)) throw new Error(`adapter name ${parsed.data.name} is already taken`);
      adapters.push(jsonAdapter(parsed.data));
    } catch (error) {
      logger.warn({ file, err: describeError(error) }, 'adapter file skipped');
    }
  }
  if (adapters.length > 0) logger.info({ adapters: adapters.map((a) => a.name) }, 'JSON adapters loaded');
  return adapters;
}
