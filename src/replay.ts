/**
 * `earshot replay <chat.jsonl> [--kb <file>]... [--platform <name>]`: runs a chat log through the same
 * classify-and-store path as a live show (the embedded backend, on a throwaway DATA_DIR) and prints one
 * JSON line per input line, in input order:
 *   {id, author, text, intent, confidence, buyer?, answer?}
 * A line that cannot be read gives `{id, line, error:{code, message}}` in its place; replay never stops
 * on bad input. Input lines: `{author, text, sentAt?, badges?}` (the seed's `username`/`message` are
 * accepted); `badges: ["owner"]` marks the host, whose announcements put items on offer.
 *
 * A buyer needs something on offer: on the default `generic` platform only a host line announcing an item
 * ("Lot 5, the denim jacket, $25") opens one; `--platform whatnot` is a live-shopping show throughout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';
import { classifierFromConfig, EmbeddedBackend } from './backend/embedded.ts';
import { prepareInChildProcess } from './backend/worker/worker-backend.ts';
import type { IngestResult } from './backend/types.ts';
import { ConfigError, loadConfig } from './config.ts';
import { MAX_AUTHOR_LENGTH, PLATFORMS, sanitizeText, type ChatMessage, type Platform } from './domain/message.ts';
import { describeError } from './errors.ts';
import { replayKnowledge, type ReplayKnowledge } from './kb/replay.ts';

const USAGE = 'Usage: earshot replay <chat.jsonl> [--kb <file>]... [--platform <name>]\n';

export interface ReplayDeps {
  /** Environment (OPENAI_*, BUYER_CONFIDENCE_THRESHOLD, PGLITE_TEMPLATE_DIR); process.env by default. */
  env?: Record<string, string | undefined>;
  /** Loads `--kb` documents and answers (src/kb/replay.ts by default). */
  knowledge?: ReplayKnowledge;
}

/** Lines sent to the backend per batch. */
const BATCH_LINES = 100;

const InputLine = z.object({
  author: z.union([z.string(), z.object({ name: z.string() })]).optional(),
  username: z.string().optional(),
  text: z.string().optional(),
  message: z.string().optional(),
  sentAt: z.string().optional(),
  badges: z.array(z.string().max(40)).max(20).optional(),
});

interface ParsedArgs {
  file: string;
  kb: string[];
  platform: Platform;
}

function parseArgs(args: string[]): ParsedArgs | string {
  const kb: string[] = [];
  let file: string | undefined;
  let platform: Platform = 'generic';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--kb' || arg === '--platform') {
      const value = args[++i];
      if (!value) return `${arg} needs a value`;
      if (arg === '--kb') kb.push(value);
      else if ((PLATFORMS as readonly string[]).includes(value)) platform = value as Platform;
      else return `--platform must be one of ${PLATFORMS.join(', ')}`;
    } else if (arg.startsWith('-')) {
      return `Unknown option ${arg}`;
    } else if (file === undefined) {
      file = arg;
    } else {
      return `Only one chat log at a time (got ${file} and ${arg})`;
    }
  }
  return file ? { file, kb, platform } : 'Missing <chat.jsonl>';
}

type Slot = { lineNo: number; message: ChatMessage } | { lineNo: number; error: { code: string; message: string } };

/** Turns one input line into a message, or the error its output line reports. */
function readLine(line: string, lineNo: number, platform: Platform): Slot {
  if (line.trim() === '') return { lineNo, error: { code: 'empty_line', message: 'Empty line' } };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { lineNo, error: { code: 'invalid_json', message: 'Line is not valid JSON' } };
  }
  const parsed = InputLine.safeParse(raw);
  const data = parsed.success ? parsed.data : undefined;
  const text = data?.text ?? data?.message;
  if (!data || typeof raw !== 'object' || Array.isArray(raw) || text === undefined) {
    return { lineNo, error: { code: 'invalid_line', message: 'Expected {"author": "...", "text": "...", "sentAt"?: "ISO time"}' } };
  }
  const author = typeof data.author === 'object' ? data.author.name : (data.author ?? data.username ?? '');
  let sentAt: string | undefined;
  if (data.sentAt !== undefined) {
    const ms = Date.parse(data.sentAt);
    if (Number.isNaN(ms)) return { lineNo, error: { code: 'invalid_line', message: 'sentAt is not a date' } };
    sentAt = new Date(ms).toISOString();
  }
  return {
    lineNo,
    message: {
      id: `line-${lineNo}`,
      platform,
      author: { name: sanitizeText(author, MAX_AUTHOR_LENGTH), badges: (data.badges ?? []).map((b) => b.toLowerCase()) },
      text: sanitizeText(text),
      ...(sentAt ? { sentAt } : {}),
      capturedAt: sentAt ?? new Date().toISOString(),
      backfill: false,
    },
  };
}

/** Writes respecting back-pressure, so a huge replay piped to a slow reader does not pile up in memory. */
async function writeLine(out: NodeJS.WritableStream, value: unknown): Promise<void> {
  if (!out.write(`${JSON.stringify(value)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/** The replay command; returns the process exit code. */
export async function runReplay(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  deps: ReplayDeps = {},
): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    out.write(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    err.write(`${parsed}\n${USAGE}`);
    return 64;
  }
  let config;
  try {
    config = loadConfig({ ...(deps.env ?? process.env), DATA_DIR: os.tmpdir() });
  } catch (error) {
    if (error instanceof ConfigError) {
      err.write(`${error.message}\n`);
      return 78;
    }
    throw error;
  }
  for (const file of [parsed.file, ...parsed.kb]) {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      err.write(`No such file: ${file}\n`);
      return 66;
    }
  }

  // Documents (--kb) and answers: the knowledge base's replay glue unless the caller brings its own.
  const knowledge = deps.knowledge ?? replayKnowledge(config);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-replay-'));
  const backend = new EmbeddedBackend({
    dataDir,
    templateDir: config.pgliteTemplateDir,
    buyerThreshold: config.buyerConfidenceThreshold,
    answer: knowledge.answer,
    llm: classifierFromConfig(config.openai),
  });
  try {
    // initdb's memory peak stays in a child process: replay itself holds only the opened database.
    await prepareInChildProcess({ dataDir, templateDir: config.pgliteTemplateDir });
    await backend.init();
    for (const file of parsed.kb) await knowledge.load(backend, file);
    const sessionId = `replay-${path.basename(parsed.file).slice(0, 100).replace(/[^A-Za-z0-9._-]/g, '_')}`;
    const lines = readline.createInterface({ input: fs.createReadStream(parsed.file, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    let slots: Slot[] = [];
    const flush = async (): Promise<void> => {
      const messages = slots.flatMap((s) => ('message' in s ? [s.message] : []));
      const results = new Map<string, IngestResult>();
      if (messages.length > 0) for (const r of await backend.ingest(sessionId, messages)) results.set(r.messageId, r);
      for (const slot of slots) {
        if ('error' in slot) {
          await writeLine(out, { id: `line-${slot.lineNo}`, line: slot.lineNo, error: slot.error });
          continue;
        }
        const m = slot.message;
        const r = results.get(m.id);
        await writeLine(out, {
          id: m.id,
          author: m.author.name,
          text: m.text,
          intent: r?.intent ?? 'other',
          confidence: r?.confidence ?? 0,
          ...(r?.buyer ? { buyer: r.buyer } : {}),
          ...(r?.answer ? { answer: r.answer } : {}),
        });
      }
      slots = [];
    };
    for await (const line of lines) {
      lineNo++;
      slots.push(readLine(line, lineNo, parsed.platform));
      if (slots.length >= BATCH_LINES) await flush();
    }
    await flush();
    return 0;
  } catch (error) {
    err.write(`replay failed: ${describeError(error)}\n`);
    return 70;
  } finally {
    await backend.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
