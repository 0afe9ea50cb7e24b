/**
 * Sessions survive a restart: the list of sessions, their counters and each source's resumable state
 * (stream tail, id prefix) are kept in DATA_DIR/sessions.json, written atomically. On start the service
 * resumes the sessions that were running, and their sources realign with the page instead of repeating it.
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { SessionInfo } from '../domain/message.ts';
import type { StartRequest } from '../domain/session.ts';

export interface SessionRecord {
  request: StartRequest;
  info: SessionInfo;
  /** Resume this session at the next start (it was running when the service stopped). */
  resume: boolean;
  /** Opaque, source-specific state (e.g. the browser source's stream tail). */
  state?: unknown;
  /** The last WebSocket seq issued for the session, so numbering continues after a restart. */
  seq?: number;
}

export interface SessionStore {
  load(): SessionRecord[];
  save(records: SessionRecord[]): void;
}

/** A JSON file, replaced atomically (write to a temp file, fsync, rename). */
export class FileSessionStore implements SessionStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'sessions.json');
  }

  load(): SessionRecord[] {
    let raw: string;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(raw) as { sessions?: SessionRecord[] };
      return Array.isArray(parsed.sessions) ? parsed.sessions.filter((r) => r && r.request && r.info) : [];
    } catch {
      // A corrupt file must not stop the service; keep it aside for inspection.
      fs.renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
      return [];
    }
  }

  save(records: SessionRecord[]): void {
    // fsync'd before the rename: after a power cut the file is the old one or the new one, never empty.
    writeFileAtomic.sync(this.file, JSON.stringify({ version: 1, sessions: records }), { fsync: true });
  }
}
