/**
 * Messages between the service (main thread) and the embedded backend's worker thread. Everything in
 * them is structured-clone data: method arguments and results of the Backend interface, SQL text and
 * parameters, and errors flattened to their name, message and code.
 */
import type { Config } from '../../config.ts';

/** What the worker needs to build the embedded backend (plain data: it crosses the thread boundary). */
export interface EmbeddedWorkerOptions {
  dataDir?: string;
  templateDir?: string;
  buyerThreshold: number;
  /** LLM second opinion for ambiguous messages and knowledge-base models (OPENAI_*). */
  openai?: Config['openai'];
  /** Where the LLM's verdicts persist across restarts. */
  llmCacheFile?: string;
  botTrigger: string;
  repliesPerMinute: number;
  logLevel: Config['logLevel'];
}

/** Main thread -> worker. */
export type WorkerRequest =
  | { id: number; op: 'call'; method: string; args: unknown[] }
  | { id: number; op: 'query'; tx?: number; text: string; params: unknown[] }
  /** Opens a transaction (a savepoint inside `parent`); answered with the new transaction's number. */
  | { id: number; op: 'begin'; parent?: number }
  | { id: number; op: 'end'; tx: number; commit: boolean };

/** An error as it crosses the boundary; rebuilt on the other side with the same name, message and code. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  context?: Record<string, unknown>;
  /** Postgres' own fields, kept so callers can still tell a data error (SQLSTATE class 22/23). */
  detail?: string;
  constraint?: string;
}

/** Worker -> main thread. */
export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError }
  | { op: 'ready' }
  | { op: 'failed'; error: WireError };

/** Flattens an error for postMessage. */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & { code?: unknown; context?: unknown; detail?: unknown; constraint?: unknown };
  return {
    name: e.name,
    message: e.message,
    code: typeof e.code === 'string' ? e.code : undefined,
    context: e.context && typeof e.context === 'object' ? (e.context as Record<string, unknown>) : undefined,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
  };
}
