/** Starts the real service in-process for end-to-end specs (port 0, temp DATA_DIR, private URLs allowed). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import type { SessionEvent } from '../../src/domain/events.ts';
import { silentLogger } from '../../src/log.ts';
import { startService, type Service } from '../../src/main.ts';

/** Services started by this spec file and not closed yet. */
const openServices = new Set<Service>();
// A spec that forgets close() would leave a Chromium and a database running in the jest worker, which goes
// on to run other spec files: whatever a file left open is closed after it. `afterAll` is read from
// globalThis because bench compiles and runs this file without jest.
const afterAllHook = (globalThis as { afterAll?: (fn: () => Promise<void>) => void }).afterAll;
if (afterAllHook) {
  afterAllHook(async () => {
    for (const service of [...openServices]) await service.close().catch(() => undefined);
  });
}

export async function startTestService(env: Record<string, string> = {}): Promise<Service & { dataDir: string }> {
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-test-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ALLOW_PRIVATE_URLS: 'true',
    LOG_LEVEL: 'silent',
    SWEEP_INTERVAL_MS: '1000',
    // New databases are copied from one migrated template instead of migrating each time.
    PGLITE_TEMPLATE_DIR: path.join(os.tmpdir(), 'earshot-pglite-templates'),
    ...env,
  });
  const service = await startService(config, { logger: silentLogger() });
  const close = service.close;
  openServices.add(service);
  service.close = () => {
    openServices.delete(service);
    return close();
  };
  return Object.assign(service, { dataDir });
}

export async function post(base: string, route: string, body: unknown): Promise<{ status: number; body: any }> {
  return call(base, 'POST', route, body);
}

/** One request to the service: a JSON body (a string is sent as it is), the status and the parsed answer. */
export async function call(base: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

/** A WebSocket subscriber that records every event it receives. */
export class Subscriber {
  /** Every frame received, parsed (session events plus subscribed/gap/error notices). */
  readonly events: Array<{ type: string; [key: string]: any }> = [];
  readonly ws: WebSocket;
  /** When each session event arrived (Date.now()), by seq (one subscriber follows one session). */
  readonly receivedAt = new Map<number, number>();
  private waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const event = JSON.parse(String(data));
      if (typeof event.seq === 'number' && event.type !== 'subscribed') this.receivedAt.set(event.seq, Date.now());
      this.events.push(event);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(baseUrl: string, sessionId: string, since?: number, token?: string): Promise<Subscriber> {
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const sub = new Subscriber(ws);
    ws.send(JSON.stringify({ type: 'subscribe', sessionId, ...(since === undefined ? {} : { since }) }));
    await sub.waitFor(() => sub.events.some((e) => e.type === 'subscribed'));
    return sub;
  }

  messages(sessionId?: string): Array<Extract<SessionEvent, { type: 'new_message' }>> {
    return this.events.filter((e) => e.type === 'new_message' && (!sessionId || e.sessionId === sessionId)) as Array<
      Extract<SessionEvent, { type: 'new_message' }>
    >;
  }

  texts(sessionId?: string): string[] {
    return this.messages(sessionId).map((e) => e.message.text);
  }

  /** Resolves when `predicate` holds; rejects after `timeoutMs` with what was received so far. */
  waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out after ${timeoutMs} ms; received ${this.events.length} events`));
      }, timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
