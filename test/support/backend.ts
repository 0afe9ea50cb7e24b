/** Embedded backends for backend specs: a throwaway DATA_DIR, databases copied from a cached migrated template. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedBackend, type EmbeddedBackendOptions } from '../../src/backend/embedded.ts';
import type { ChatMessage, SessionInfo } from '../../src/domain/message.ts';

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

let counter = 0;

/** A chat message as capture would deliver it. */
export function chat(text: string, author = 'viewer', overrides: Partial<ChatMessage> = {}): ChatMessage {
  counter++;
  return {
    id: `m-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    platform: 'whatnot',
    author: { name: author, badges: [] },
    text,
    capturedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + counter * 1000).toISOString(),
    backfill: false,
    ...overrides,
  };
}

/** A live Whatnot session as the service would upsert it; `overrides` change any field. */
export function sessionInfo(sessionId: string, overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    sessionId,
    url: `https://www.whatnot.com/live/${sessionId}`,
    platform: 'whatnot',
    source: 'browser',
    status: 'live',
    messageCount: 0,
    buyerCount: 0,
    lastMessageAt: null,
    startedAt: '2026-01-01T11:00:00.000Z',
    ...overrides,
  };
}
