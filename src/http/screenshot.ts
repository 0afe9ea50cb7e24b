/**
 * Selector health: GET /api/sessions/:id/screenshot returns a PNG of the session's page as it is now, so an
 * operator can see why a page shows `no_chat_found`. With SAVE_SCREENSHOTS=true the pictures are also kept
 * under DATA_DIR/screenshots (the last few per session).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { userOf } from '../auth/middleware.ts';
import type { SessionInfo } from '../domain/message.ts';
import { describeError, EarshotError, isEarshotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ChatSource } from '../capture/source.ts';

/** The two questions the route asks the session manager. */
export interface ScreenshotSessions {
  get(sessionId: string, viewer?: string): SessionInfo | undefined;
  sourceOf(sessionId: string): ChatSource | undefined;
}

/** Keeps a PNG for a session. */
export type ScreenshotSaver = (sessionId: string, png: Buffer) => void;

const KEEP_PER_SESSION = 20;

/** A saver that writes `<dir>/<sessionId>--<time>.png` and keeps the newest few per session. */
export function screenshotSaver(dir: string, logger: Logger): ScreenshotSaver {
  return (sessionId, png) => {
    const name = sessionId.replace(/[^A-Za-z0-9._-]/g, '_');
    const own = new RegExp(`^${name.replace(/[.]/g, '\\.')}--\\d+\\.png$`);
    void (async () => {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, `${name}--${Date.now()}.png`), png);
      const files = (await fs.readdir(dir)).filter((f) => own.test(f)).sort();
      for (const old of files.slice(0, Math.max(0, files.length - KEEP_PER_SESSION))) {
        await fs.rm(path.join(dir, old), { force: true });
      }
    })().catch((error) => logger.warn({ sessionId, err: describeError(error) }, 'screenshot not saved'));
  };
}

export function screenshotRoutes(sessions: ScreenshotSessions, options: { save?: ScreenshotSaver } = {}): Router {
  const router = Router();
  router.get('/api/sessions/:id/screenshot', async (req, res) => {
    const sessionId = req.params.id;
    const info = sessions.get(sessionId, userOf(res));
    if (!info) throw new EarshotError('session_not_found', `No session ${sessionId}`, { sessionId });
    const source = sessions.sourceOf(sessionId);
    if (!source?.screenshot) {
      throw new EarshotError('no_page', `Session ${sessionId} has no page to capture (status ${info.status})`, { sessionId });
    }
    let png: Buffer;
    try {
      png = await source.screenshot();
    } catch (error) {
      if (isEarshotError(error)) throw error;
      throw new EarshotError('no_page', `The page of session ${sessionId} could not be captured: ${describeError(error)}`, {
        sessionId,
      });
    }
    options.save?.(sessionId, png);
    res.set('cache-control', 'no-store').type('image/png').send(png);
  });
  return router;
}
