/** Whatnot (whatnot.com/live/<id>): Phoenix frames on the network, react-virtuoso rows in the DOM. Facts: docs/PLATFORMS.md. */
import { idOf, isoTime, isRecord, parseJson } from '../common.ts';
import { whatnotSite } from './site.ts';
import type { NetworkChatEvent, PlatformAdapter } from '../types.ts';
import type { PhoenixObjectFrame, WhatnotChatWire, WhatnotDeleteWire, WhatnotUserWire } from './whatnot.external.ts';

const DELETE_EVENTS = new Set(['delete_msg', 'message_deleted']);
const ENDED_EVENTS = new Set(['show_ended', 'livestream_ended', 'stream_ended']);

/** The show id of a Whatnot live URL (`/live/<id>`), which changes when the page moves on to another show. */
export function whatnotShowId(url: URL): string | undefined {
  return /\/live\/([^/?#]+)/.exec(url.pathname)?.[1];
}

/** Decodes either Phoenix serializer into {topic, event, payload}. */
function phoenixFrame(raw: string): PhoenixObjectFrame | undefined {
  const frame = parseJson(raw);
  if (Array.isArray(frame) && frame.length === 5 && typeof frame[3] === 'string') {
    return { topic: String(frame[2]), event: frame[3], payload: frame[4] };
  }
  if (isRecord(frame) && typeof frame.event === 'string') {
    return { topic: String(frame.topic ?? ''), event: frame.event, payload: frame.payload };
  }
  return undefined;
}

function userBadges(user: WhatnotUserWire): string[] {
  const badges: string[] = [];
  if (user.is_host || user.is_seller) badges.push('owner');
  if (user.is_moderator) badges.push('moderator');
  if (user.is_verified || user.verified) badges.push('verified');
  for (const badge of Array.isArray(user.badges) ? user.badges : []) {
    const name = typeof badge === 'string' ? badge : (badge?.type ?? badge?.name);
    if (typeof name === 'string') badges.push(name);
  }
  return badges;
}

/** Parses one Phoenix frame: `new_msg` is chat; deletions and show end are lifecycle; the rest is ignored. */
export function parseWhatnotFrame(raw: string): NetworkChatEvent[] {
  const frame = phoenixFrame(raw);
  if (!frame || !isRecord(frame.payload)) return [];
  if (frame.event === 'new_msg') {
    const payload = frame.payload as WhatnotChatWire;
    const id = idOf(payload.id);
    const user: WhatnotUserWire = isRecord(payload.user) ? payload.user : {};
    if (!id || typeof payload.message !== 'string') return [];
    return [
      {
        type: 'message',
        message: {
          id,
          author: { name: user.username ?? '', id: idOf(user.id), badges: userBadges(user) },
          text: payload.message,
          sentAt: isoTime(payload.inserted_at ?? payload.created_at),
        },
      },
    ];
  }
  if (DELETE_EVENTS.has(frame.event)) {
    const payload = frame.payload as WhatnotDeleteWire;
    const id = idOf(payload.message_id ?? payload.id);
    return id ? [{ type: 'deleted', messageId: id }] : [];
  }
  if (ENDED_EVENTS.has(frame.event)) return [{ type: 'ended', detail: 'show ended' }];
  return [];
}

export const whatnot: PlatformAdapter = {
  platform: whatnotSite.platform,
  matches: (url) => whatnotSite.hostPattern.test(url.hostname),
  dom: {
    container: "[data-testid='virtuoso-item-list']",
    row: "[data-testid='chat-message']",
    author: "a[href*='/user/'], strong",
    text: "[data-testid='chat-message-text'], :scope",
    // The host's and moderators' role labels beside the name ("Host", "Seller", "Mod").
    badges: { selector: "[data-testid='chat-badge'], [data-testid='user-badge']" },
    // Recommended-show cards sit in the same list on some layouts; they are not chat.
    exclude: "[data-testid*='show-card'], [data-testid*='recommend']",
    ended: "[data-testid='show-ended'], [data-testid='livestream-ended']",
  },
  network: { parseWebSocketFrame: parseWhatnotFrame },
  streamIdentity: whatnotShowId,
};
