/**
 * Knowledge-base, command, reply and bot-settings routes:
 *
 *   POST   /api/kb/documents           multipart `file` (PDF, TXT, Markdown; optional `title` field), or JSON
 *                                      {title, text, format?: "txt"|"md"} -> 201 document (200 when already stored)
 *   GET    /api/kb/documents           documents, newest first
 *   DELETE /api/kb/documents/:id       -> {id, deleted: true}
 *   POST   /api/kb/ask                 {question} -> {answer: {text, sources, method} | null} (try the knowledge base)
 *   GET    /api/commands               POST /api/commands   PATCH|PUT /api/commands/:id   DELETE /api/commands/:id
 *   GET    /api/replies?sessionId=&status=&limit=
 *   POST   /api/replies/:id/send       {to?: "once"|"all"} a suggestion (or a failed reply) goes to the outbox as
 *                                      pending; `all`: as one reply @mentioning everyone who asked
 *   GET    /api/sessions/:id/bot       PUT /api/sessions/:id/bot {autoAnswer?, delivery?, trigger?, profile?}
 *
 * Uploaded text is extracted (src/kb/extract.ts: pdf-parse for PDFs, in a worker thread with budgets:
 * src/kb/extract-pool.ts) and handed to the shared core, which chunks, embeds and stores it. Documents
 * are data: nothing in them is ever run or rendered as HTML.
 */
import path from 'node:path';
import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { userOf } from '../auth/middleware.ts';
import type { SessionEventBody } from '../domain/events.ts';
import { EarshotError } from '../errors.ts';
import { replyStatusEvent } from '../delivery/status.ts';
import { extractDocument, extractPdfText } from '../kb/extract.ts';
import { COMMAND_ROLES, DEFAULT_REPLIES_PER_MINUTE, type BotSettings, type KnowledgeBase } from '../../supabase/functions/_shared/kb/index.ts';
import type { BotSettingsAnswer } from './answers.ts';
import { requireSession, type KnownSessions } from './messages.ts';
import { parseBody } from './sessions.ts';

export interface KbRoutesOptions {
  /** Undefined when no database is reachable for it (Supabase mode without SUPABASE_DB_URL). */
  kb: KnowledgeBase | undefined;
  /** Accounts: the knowledge base (documents, commands) of one signed-in seller. */
  kbFor?: (ownerId: string) => Promise<KnowledgeBase | undefined>;
  /**
   * Accounts: which sessions a seller may see. Replies and bot settings of another seller's session (or of
   * one that does not exist yet, whose id someone else could start) answer 404 session_not_found.
   */
  sessions?: KnownSessions;
  /** KB_MAX_UPLOAD_BYTES: the largest file accepted (inclusive). */
  maxUploadBytes: number;
  /** Announces reply status changes made through the API (reply_status on the WebSocket). */
  publish: (sessionId: string, body: SessionEventBody) => void;
  /**
   * Extracts a PDF's text. The service passes its extraction worker (src/kb/extract-pool.ts: off the main
   * thread, with time and memory budgets); the default reads on this thread, with the page and character caps.
   */
  extractPdf?: (data: Uint8Array) => Promise<string>;
  /** REPLY_RATE_PER_MINUTE, told with the bot settings (default DEFAULT_REPLIES_PER_MINUTE). */
  repliesPerMinute?: number;
}

/** Session ids as the start route accepts them (plus derived ids). */
const SESSION_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const TITLE_MAX = 300;

export const DocumentJson = z
  .object({
    title: z.string().trim().min(1).max(TITLE_MAX),
    text: z.string().min(1),
    format: z.enum(['txt', 'md']).optional(),
  })
  .strict();

export const CommandBody = z
  .object({
    name: z.string().trim().min(1).max(33),
    response: z.string().min(1).max(500),
    enabled: z.boolean().optional(),
    cooldownGlobalSec: z.number().int().min(0).max(86_400).optional(),
    cooldownUserSec: z.number().int().min(0).max(86_400).optional(),
    allowedRoles: z.array(z.enum(COMMAND_ROLES)).max(COMMAND_ROLES.length).optional(),
    allowedUsers: z.array(z.string().trim().min(1).max(100)).max(500).optional(),
    onlyWhenLive: z.boolean().optional(),
  })
  .strict();

/** PATCH/PUT /api/commands/:id: any of the command's fields. */
export const CommandPatchBody = CommandBody.partial().strict();

export const SettingsBody = z
  .object({
    autoAnswer: z.boolean().optional(),
    delivery: z.enum(['suggest', 'send']).optional(),
    trigger: z.string().trim().min(1).max(50).nullable().optional(),
    profile: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (a file name under DATA_DIR/profiles)')
      .nullable()
      .optional(),
  })
  .strict();

export const RepliesQuery = z.object({
  sessionId: z.string().regex(SESSION_ID, 'a session id'),
  status: z.enum(['suggested', 'pending', 'sent', 'failed', 'dismissed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AskBody = z.object({ question: z.string().trim().min(1).max(500) }).strict();

/** POST /api/replies/:id/send: `once` (default) posts the answer as it is; `all` @mentions everyone who asked. */
export const SendBody = z.object({ to: z.enum(['once', 'all']).optional() }).strict();

interface Upload {
  filename: string;
  mimeType: string;
  data: Buffer;
  title?: string;
}

/** Reads one multipart file (and an optional `title` field) within the size limit. */
function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // busboy reports `limit` when a file reaches fileSize, so the limit is one byte over the largest
      // accepted file: a file of exactly maxBytes is taken (the limit is inclusive, as documented).
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1, fields: 4, fieldSize: 1_000, parts: 6 } });
    } catch (error) {
      reject(new EarshotError('invalid_body', `Expected multipart/form-data with a "file" part: ${(error as Error).message}`));
      return;
    }
    let upload: Upload | null = null;
    let title: string | undefined;
    let failure: EarshotError | null = null;
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure ??= new EarshotError('document_too_large', `Documents may be at most ${maxBytes} bytes`);
      });
      stream.on('end', () => {
        upload = { filename: info.filename ?? '', mimeType: info.mimeType ?? '', data: Buffer.concat(chunks) };
      });
    });
    parser.on('field', (name, value) => {
      if (name === 'title') title = value;
    });
    parser.on('error', (error: Error) => reject(new EarshotError('invalid_body', `Malformed multipart body: ${error.message}`)));
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (!upload) reject(new EarshotError('invalid_body', 'Expected a "file" part (PDF, TXT or Markdown)'));
      else resolve({ ...(upload as Upload), title });
    });
    req.pipe(parser);
  });
}

function titleOf(upload: Upload): string {
  // eslint-disable-next-line no-control-regex
  const clean = (value: string): string => value.replace(/[\u0000-\u001F\u007F]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, TITLE_MAX);
  return clean(upload.title ?? '') || clean(path.basename(upload.filename.replace(/\\/g, '/'))) || 'Untitled';
}

export function kbRoutes(options: KbRoutesOptions): Router {
  const router = Router();
  const extractPdf = options.extractPdf ?? extractPdfText;
  const unavailable = (): EarshotError =>
    new EarshotError('kb_unavailable', 'The knowledge base needs a database: set SUPABASE_DB_URL in Supabase mode');
  /** The caller's knowledge base: the signed-in seller's with accounts, else the single owner's. */
  const kbOf = async (res: Response): Promise<KnowledgeBase> => {
    const user = userOf(res);
    if (user && options.kbFor) {
      const own = await options.kbFor(user);
      if (!own) throw unavailable();
      return own;
    }
    if (!options.kb) throw unavailable();
    return options.kb;
  };
  /** With accounts, a session-scoped route needs a session of the caller's. */
  const checkSession = (res: Response, id: string): void => {
    const user = userOf(res);
    if (user && options.sessions) requireSession(options.sessions, id, user);
  };

  router.post('/api/kb/documents', async (req, res) => {
    const store = await kbOf(res);
    let upload: Upload;
    if (req.is('application/json')) {
      const body = parseBody(DocumentJson, req.body);
      upload = { filename: body.title, mimeType: body.format === 'md' ? 'text/markdown' : 'text/plain', data: Buffer.from(body.text), title: body.title };
    } else {
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > options.maxUploadBytes + 64 * 1024) {
        res.setHeader('connection', 'close');
        throw new EarshotError('document_too_large', `Documents may be at most ${options.maxUploadBytes} bytes`);
      }
      upload = await readUpload(req, options.maxUploadBytes);
    }
    const { sourceType, text } = await extractDocument(upload.filename, upload.mimeType, new Uint8Array(upload.data), extractPdf);
    const { document, created } = await store.addDocument({ title: titleOf(upload), sourceType, text, byteSize: upload.data.length });
    res.status(created ? 201 : 200).json(document);
  });

  router.get('/api/kb/documents', async (_req, res) => {
    res.json(await (await kbOf(res)).listDocuments());
  });

  router.delete('/api/kb/documents/:id', async (req, res) => {
    await (await kbOf(res)).deleteDocument(req.params.id);
    res.json({ id: req.params.id, deleted: true });
  });

  router.post('/api/kb/ask', async (req, res) => {
    const { question } = parseBody(AskBody, req.body);
    res.json({ answer: await (await kbOf(res)).answer(question) });
  });

  router.get('/api/commands', async (_req, res) => {
    res.json(await (await kbOf(res)).listCommands());
  });

  router.post('/api/commands', async (req, res) => {
    res.status(201).json(await (await kbOf(res)).createCommand(parseBody(CommandBody, req.body)));
  });

  const update = async (req: Request<{ id: string }>, res: Response): Promise<void> => {
    res.json(await (await kbOf(res)).updateCommand(req.params.id, parseBody(CommandPatchBody, req.body)));
  };
  router.patch('/api/commands/:id', update);
  router.put('/api/commands/:id', update);

  router.delete('/api/commands/:id', async (req, res) => {
    await (await kbOf(res)).deleteCommand(req.params.id);
    res.json({ id: req.params.id, deleted: true });
  });

  router.get('/api/replies', async (req, res) => {
    const parsed = RepliesQuery.safeParse(req.query);
    if (!parsed.success) throw new EarshotError('invalid_body', 'Query needs sessionId (and optional status, limit)');
    const { sessionId, status, limit } = parsed.data;
    checkSession(res, sessionId);
    res.json(await (await kbOf(res)).listReplies(sessionId, { status, limit }));
  });

  /** Send (status pending: the delivery worker posts it) or dismiss a suggested or failed reply. */
  const decide = (status: 'pending' | 'dismissed', verb: string) => async (req: Request<{ id: string }>, res: Response): Promise<void> => {
    const store = await kbOf(res);
    if (userOf(res) && options.sessions) {
      // Another seller's reply is as unknown as a missing one.
      const target = await store.getReply(req.params.id);
      if (!target || !options.sessions.get(target.sessionId, userOf(res))) {
        throw new EarshotError('reply_not_found', `No reply ${req.params.id.slice(0, 60)}`);
      }
    }
    const toAll = status === 'pending' && parseBody(SendBody, req.body ?? {}).to === 'all';
    const reply = toAll ? await store.sendToAll(req.params.id) : await store.setStatus(req.params.id, status);
    if (!reply) {
      const existing = await store.getReply(req.params.id);
      if (!existing) throw new EarshotError('reply_not_found', `No reply ${req.params.id.slice(0, 60)}`);
      throw new EarshotError('reply_not_sendable', `Reply is ${existing.status}; only suggested or failed replies can be ${verb}`);
    }
    options.publish(reply.sessionId, replyStatusEvent(reply));
    res.json(reply);
  };
  router.post('/api/replies/:id/send', decide('pending', 'sent'));
  router.post('/api/replies/:id/dismiss', decide('dismissed', 'dismissed'));

  const sessionId = (req: Request<{ id: string }>): string => {
    if (!SESSION_ID.test(req.params.id)) throw new EarshotError('invalid_body', 'Bad session id');
    return req.params.id;
  };
  const withRate = (settings: BotSettings): BotSettingsAnswer => ({
    ...settings,
    repliesPerMinute: options.repliesPerMinute ?? DEFAULT_REPLIES_PER_MINUTE,
  });
  router.get('/api/sessions/:id/bot', async (req, res) => {
    const id = sessionId(req);
    checkSession(res, id);
    res.json(withRate(await (await kbOf(res)).getSettings(id)));
  });
  router.put('/api/sessions/:id/bot', async (req, res) => {
    const id = sessionId(req);
    checkSession(res, id);
    res.json(withRate(await (await kbOf(res)).putSettings(id, parseBody(SettingsBody, req.body))));
  });

  return router;
}
