/**
 * TikTok's own traffic: the binary protobuf frames its live page receives on the webcast WebSocket
 * (WebcastPushFrame around a WebcastResponse, gzip or plain) and the first batch from the `im/fetch` HTTP
 * response (a bare WebcastResponse). Schema and its origin: ./webcast.ts; facts: docs/PLATFORMS.md.
 *
 * Chat becomes messages, ImDelete becomes deletions. Gifts, joins (Member), shares/follows (Social) and
 * likes are dropped, as Kick's subscription events, Twitch's USERNOTICE and Whatnot's tips are: they are
 * room activity, not chat, and no ChatMessage kind fits them. Anything that does not decode yields an
 * `undecoded` event (the tap counts it) and never throws.
 */
import { gunzipSync } from 'node:zlib';
import { isoTime } from '../common.ts';
import type { NetworkChatEvent } from '../types.ts';
import { decodeWebcast } from './webcast.ts';

/** Largest payload after gunzip: a frame that inflates past this is a bomb or garbage, not chat. */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
/** Events read from one batch at most (a real batch holds tens). */
const MAX_EVENTS_PER_BATCH = 1_000;

type Wire = Record<string, unknown>;

const isWire = (value: unknown): value is Wire => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' && value !== '0' ? value : undefined);

/** Gunzips when the envelope says so or the bytes carry the gzip magic (TikTok is not consistent). */
function inflate(bytes: Uint8Array, encoding: unknown): Uint8Array {
  const gzip = encoding === 'gzip' || (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b);
  return gzip ? gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }) : bytes;
}

/** TikTok's BadgeSceneType values that are roles Earshot knows (1 admin, 4 subscriber, 7 new subscriber). */
const BADGE_SCENES: Record<number, string> = { 1: 'moderator', 4: 'subscriber', 7: 'subscriber' };

/** A role from an older text badge's free-form `type`/`name` strings. */
function textBadgeRole(badge: Wire): string | undefined {
  const words = `${String(badge.type ?? '')} ${String(badge.name ?? '')}`.toLowerCase();
  if (/moderator|\badmin\b/.test(words)) return 'moderator';
  if (/\b(host|anchor|owner)\b/.test(words)) return 'owner';
  if (/\bsub(scriber)?\b|sub_/.test(words)) return 'subscriber';
  return undefined;
}

/**
 * The role badges TikTok puts on a user, as Earshot's names: current frames say it by the badge's scene
 * (admin, subscriber), older ones in text badges. Levels, fan clubs, gifter ranks are not roles: left out.
 */
export function tiktokBadges(user: Wire): string[] {
  const out: string[] = [];
  const add = (role: string | undefined) => {
    if (role && !out.includes(role)) out.push(role);
  };
  const groups = Array.isArray(user.badges) ? user.badges.slice(0, 20) : [];
  for (const group of groups) {
    if (!isWire(group)) continue;
    add(BADGE_SCENES[Number(group.badgeScene)]);
    const texts = Array.isArray(group.badges) ? group.badges.slice(0, 20) : [];
    for (const badge of texts) if (isWire(badge)) add(textBadgeRole(badge));
  }
  return out;
}

/** createTime in milliseconds (seconds in some message types: anything before 2001 in ms is seconds). */
function sentAt(value: unknown): string | undefined {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return isoTime(n < 1e12 ? n * 1000 : n);
}

function chat(payload: Uint8Array, envelopeId: unknown): NetworkChatEvent | undefined {
  const wire = decodeWebcast('WebcastChatMessage', payload);
  const common = isWire(wire.common) ? wire.common : {};
  const user = isWire(wire.user) ? wire.user : {};
  const id = str(common.msgId) ?? str(envelopeId);
  if (!id) return undefined;
  return {
    type: 'message',
    message: {
      id,
      // The numeric user id, not the @uniqueId: it survives renames and is what ImDelete names.
      author: { name: str(user.nickname) ?? str(user.uniqueId) ?? '', id: str(user.id) ?? str(user.uniqueId), badges: tiktokBadges(user) },
      // proto3 leaves an empty comment out (an emote-only message): the builder keeps it by its author.
      text: typeof wire.content === 'string' ? wire.content : '',
      sentAt: sentAt(common.createTime),
    },
  };
}

function deletion(payload: Uint8Array): NetworkChatEvent[] {
  const wire = decodeWebcast('WebcastImDeleteMessage', payload);
  const ids = Array.isArray(wire.deleteMsgIds) ? wire.deleteMsgIds : [];
  const users = Array.isArray(wire.deleteUserIds) ? wire.deleteUserIds : [];
  return [
    ...ids.flatMap((id): NetworkChatEvent[] => (str(id) ? [{ type: 'deleted', messageId: String(id) }] : [])),
    ...users.flatMap((id): NetworkChatEvent[] => (str(id) ? [{ type: 'author_removed', authorId: String(id) }] : [])),
  ];
}

/** One event of a batch by its method; an event whose payload does not decode costs that event only. */
function event(method: unknown, payload: unknown, envelopeId: unknown): NetworkChatEvent[] {
  if (!(payload instanceof Uint8Array)) return [];
  try {
    switch (method) {
      case 'WebcastChatMessage': {
        const message = chat(payload, envelopeId);
        return message ? [message] : [{ type: 'undecoded', detail: 'chat message without id' }];
      }
      case 'WebcastImDeleteMessage':
        return deletion(payload);
      default:
        // Gifts, joins, shares, likes, viewer counts...: room activity, not chat (see the module comment).
        return [];
    }
  } catch {
    return [{ type: 'undecoded', detail: `${String(method)} did not decode` }];
  }
}

/** A WebcastResponse batch's events (a push frame's payload or an im/fetch body). */
export function parseWebcastResponse(bytes: Uint8Array): NetworkChatEvent[] {
  let response: Wire;
  try {
    response = decodeWebcast('WebcastResponse', bytes);
  } catch {
    return [{ type: 'undecoded', detail: 'response did not decode' }];
  }
  const messages = Array.isArray(response.messages) ? response.messages.slice(0, MAX_EVENTS_PER_BATCH) : [];
  return messages.flatMap((m) => (isWire(m) ? event(m.method, m.payload, m.msgId) : []));
}

/** Parses one binary WebSocket frame (NetworkSpec.parseBinaryFrame): acks and heartbeats are not chat. */
export function parseTikTokFrame(bytes: Uint8Array): NetworkChatEvent[] {
  let frame: Wire;
  try {
    frame = decodeWebcast('WebcastPushFrame', bytes);
  } catch {
    return [{ type: 'undecoded', detail: 'push frame did not decode' }];
  }
  // Every real frame names its payload type ("msg", "ack", "hb"); bytes that decode without one are garbage.
  if (typeof frame.payloadType !== 'string' || frame.payloadType === '') return [{ type: 'undecoded', detail: 'not a push frame' }];
  if (frame.payloadType !== 'msg') return [];
  if (!(frame.payload instanceof Uint8Array)) return [{ type: 'undecoded', detail: 'push frame without payload' }];
  let payload: Uint8Array;
  try {
    payload = inflate(frame.payload, frame.payloadEncoding);
  } catch {
    return [{ type: 'undecoded', detail: 'payload did not inflate' }];
  }
  return parseWebcastResponse(payload);
}

/**
 * Parses an `im/fetch` response body (NetworkSpec.parseResponseBytes). The page's first fetch asks with an
 * empty cursor and gets the last minutes of chat: backfill. Later fetches (TikTok's long-polling fallback)
 * carry the previous batch's cursor and are live chat.
 */
export function parseTikTokFetch(bytes: Uint8Array, url = ''): NetworkChatEvent[] {
  let body: Uint8Array;
  try {
    body = inflate(bytes, undefined);
  } catch {
    return [{ type: 'undecoded', detail: 'response did not inflate' }];
  }
  const events = parseWebcastResponse(body);
  if (!isFirstFetch(url)) return events;
  for (const e of events) if (e.type === 'message') e.message.backfill = true;
  return events;
}

function isFirstFetch(url: string): boolean {
  try {
    return !new URL(url).searchParams.get('cursor');
  } catch {
    return false;
  }
}
