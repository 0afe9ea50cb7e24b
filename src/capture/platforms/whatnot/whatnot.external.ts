/**
 * Whatnot's wire format: Phoenix channel frames on the page's WebSocket. Only the fields Earshot reads;
 * everything is optional because the platform changes it without notice. Facts: docs/PLATFORMS.md.
 */

/** Phoenix serializer 2.0: `[joinRef, ref, topic, event, payload]`. */
export type PhoenixArrayFrame = [string | null, string | null, string, string, unknown];

/** Phoenix serializer 1.0: one object per frame. */
export interface PhoenixObjectFrame {
  topic: string;
  event: string;
  payload: unknown;
  ref?: string | null;
  join_ref?: string | null;
}

export interface WhatnotUserWire {
  id?: string | number;
  username?: string;
  /** Role flags seen on the user object of chat payloads. */
  is_host?: boolean;
  is_seller?: boolean;
  is_moderator?: boolean;
  is_verified?: boolean;
  verified?: boolean;
  badges?: Array<string | { type?: string; name?: string }>;
}

/** Payload of `new_msg`. */
export interface WhatnotChatWire {
  id?: string | number;
  user?: WhatnotUserWire;
  message?: string;
  inserted_at?: string;
  created_at?: string;
}

/** Payload of a deletion event (`delete_msg` / `message_deleted`). */
export interface WhatnotDeleteWire {
  id?: string | number;
  message_id?: string | number;
}
