/**
 * TikTok's webcast protobuf schema: only the messages and fields Earshot reads, written for Earshot.
 *
 * Origin: TikTok publishes no schema. Field numbers come from the public reverse-engineered schemas of
 * TikTok-Live-Connector (zerodytrash, `src/proto/tiktokSchema.proto`: WebcastResponse, Message,
 * WebcastWebsocketMessage, WebcastChatMessage, WebcastMemberMessage, WebcastGiftMessage,
 * WebcastSocialMessage, WebcastMessageEvent, User, UserBadgesAttributes, UserBadge) and TikTokLive
 * (Python) / TikTokLiveJava / TikTokLiveSharp (WebcastPushFrame's full field list, Common,
 * WebcastImDeleteMessage, BadgeStruct.badgeScene and its BadgeSceneType values). Common {method, msgId,
 * roomId, createTime (ms)}, User {id, nickname, uniqueId} and the badge scenes were checked against a real
 * captured WebcastChatMessage (TikTokLiveJava's test resource MessageWebcastChatMessage.bin, August 2023).
 * They are guesses from observed frames and drift: check field numbers against real frames when TikTok
 * changes, and see docs/PLATFORMS.md. Embedded as text (protobufjs parses it at load) so the built
 * service needs no file beside it and no code generation.
 */
import protobuf from 'protobufjs';

/** The schema text, also served to the e2e fixture page so it decodes frames the way TikTok's page does. */
export const WEBCAST_PROTO = `
syntax = "proto3";
package earshot.tiktok;

// One WebSocket frame: an envelope around a (often gzip) WebcastResponse when payloadType is "msg".
message WebcastPushFrame {
  uint64 seqId = 1;
  uint64 logId = 2;
  string payloadEncoding = 6;
  string payloadType = 7;
  bytes payload = 8;
}

// A batch of room events: the push frame's payload, and the body of the im/fetch HTTP response.
message WebcastResponse {
  repeated WebcastEnvelope messages = 1;
  string cursor = 2;
  int32 fetchInterval = 3;
  uint64 serverTimestamp = 4;
}

// One event: its method names the payload's message type.
message WebcastEnvelope {
  string method = 1;
  bytes payload = 2;
  uint64 msgId = 3;
}

// Common header of every room event.
message WebcastCommon {
  string method = 1;
  uint64 msgId = 2;
  uint64 roomId = 3;
  uint64 createTime = 4;
}

// Older frames: text badges with free-form type/name strings.
message WebcastTextBadge {
  string type = 2;
  string name = 3;
}

// One badge (TikTokLive's BadgeStruct). badgeScene: 1 admin (moderator), 4 subscriber, 7 new subscriber,
// 8 user grade, ... (TikTok's BadgeSceneType). Older frames put text badges at 21 instead.
message WebcastBadgeGroup {
  int32 badgeScene = 3;
  repeated WebcastTextBadge badges = 21;
}

message WebcastUser {
  uint64 id = 1;
  string nickname = 3;
  string uniqueId = 38;
  repeated WebcastBadgeGroup badges = 64;
}

message WebcastChatMessage {
  WebcastCommon common = 1;
  WebcastUser user = 2;
  string content = 3;
}

message WebcastGiftDetails {
  string name = 16;
  int32 diamondCount = 12;
}

message WebcastGiftMessage {
  WebcastCommon common = 1;
  int64 giftId = 2;
  int32 repeatCount = 5;
  WebcastUser user = 7;
  int32 repeatEnd = 9;
  WebcastGiftDetails gift = 15;
}

message WebcastMemberMessage {
  WebcastCommon common = 1;
  WebcastUser user = 2;
  int32 action = 10;
}

message WebcastSocialMessage {
  WebcastCommon common = 1;
  WebcastUser user = 2;
}

message WebcastImDeleteMessage {
  WebcastCommon common = 1;
  repeated uint64 deleteMsgIds = 2;
  repeated uint64 deleteUserIds = 3;
}
`;

const root = protobuf.parse(WEBCAST_PROTO, { keepCase: true }).root;

/** A schema type by its message name (throws at load if the schema above lost it). */
export function webcastType(name: string): protobuf.Type {
  return root.lookupType(`earshot.tiktok.${name}`);
}

/** Decodes `bytes` as `name` into a plain object: 64-bit ids as decimal strings (they pass 2^53). */
export function decodeWebcast(name: string, bytes: Uint8Array): Record<string, unknown> {
  const type = webcastType(name);
  return type.toObject(type.decode(bytes), { longs: String, defaults: false, arrays: true }) as Record<string, unknown>;
}

/** Encodes a plain object as `name` (fixtures and tests build frames with the same schema); ids may be decimal strings. */
export function encodeWebcast(name: string, value: Record<string, unknown>): Uint8Array {
  const type = webcastType(name);
  return type.encode(type.fromObject(value)).finish();
}
