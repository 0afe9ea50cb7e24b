/** Embedded backends for backend specs: a throwaway DATA_DIR, databases copied from a cached migrated template. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedBackend, type EmbeddedBackendOptions } from '../../src/backend/embedded.ts';

/** Shared by every spec (and worker): building the template once saves seconds per database. */
export const PGLITE_TEMPLATE_DIR = path.join(os.tmpdir(), 'earshot-pglite-templates');

export function tempDir(prefix = 'earshot-backend-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** An initialized embedded backend on `dataDir` (a fresh temp dir by default). */
export async function openEmbedded(options: Partial<EmbeddedBackendOptions> = {}): Promise<EmbeddedBackend> {
  const backend = new EmbeddedBackend({
    dataDir: options.dataDir ?? tempDir(),
    templateDir: PGLITE_TEMPLATE_DIR,
    buyerThreshold: 0.7,
    ...options,
  });
  await backend.init();
  return backend;
}

export { chat, sessionInfo } from './builders.ts';
