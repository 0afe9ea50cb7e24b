/**
 * What could not be stored, where the seller looks: a session's `diagnostics.deadLettered` and
 * `diagnostics.lastDeadLetter` in GET /api/sessions and /api/sessions/:id (the dashboard's health line
 * reads them), from the forwarder's per-show count. Kept out of the session manager, which knows
 * nothing of storage.
 */
import type { SessionInfo } from '../domain/message.ts';
import type { SessionDeliveryReport } from './forwarder.ts';
import type { Shows } from './session-manager.ts';

/** The session with the report added to its diagnostics; unchanged while nothing was dead-lettered. */
export function withDeliveryReport(info: SessionInfo, report: SessionDeliveryReport | undefined): SessionInfo {
  if (!report) return info;
  const { diagnostics } = info as SessionInfo & { diagnostics?: Record<string, unknown> };
  return { ...info, diagnostics: { ...diagnostics, ...report } } as SessionInfo;
}

/** `shows` whose sessions (list and get) carry their delivery report; everything else passes through. */
export function showsWithDeliveryReports(shows: Shows, reportOf: (sessionId: string) => SessionDeliveryReport | undefined): Shows {
  return {
    start: (request) => shows.start(request),
    stop: (sessionId, viewer) => shows.stop(sessionId, viewer),
    setSellers: (sessionId, sellers, viewer) => shows.setSellers(sessionId, sellers, viewer),
    setTitle: (sessionId, title, viewer) => withDeliveryReport(shows.setTitle(sessionId, title, viewer), reportOf(sessionId)),
    list: (viewer) => shows.list(viewer).map((info) => withDeliveryReport(info, reportOf(info.sessionId))),
    get: (sessionId, viewer) => {
      const info = shows.get(sessionId, viewer);
      return info && withDeliveryReport(info, reportOf(sessionId));
    },
    ownerOf: (sessionId) => shows.ownerOf(sessionId),
    sourceOf: (sessionId) => shows.sourceOf(sessionId),
    publish: (sessionId, body) => shows.publish(sessionId, body),
    get activeCount() {
      return shows.activeCount;
    },
  };
}

/**
 * The dashboard's line for a session whose diagnostics say something could not be stored ("3 messages
 * could not be stored: <reason>"); undefined while nothing was. The reason is plain text (React escapes it).
 */
export function deadLetterNotice(info: SessionInfo | undefined): string | undefined {
  const diagnostics = (info as { diagnostics?: Partial<SessionDeliveryReport> } | undefined)?.diagnostics;
  const count = diagnostics?.deadLettered;
  if (typeof count !== 'number' || count <= 0) return undefined;
  const reason = diagnostics?.lastDeadLetter?.reason;
  return `${count.toLocaleString('en-US')} message${count === 1 ? '' : 's'} could not be stored${reason ? `: ${reason}` : ''}`;
}
