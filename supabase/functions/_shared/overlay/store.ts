/**
 * The on-stream overlay in the database (0008_overlay.sql): a show's overlay link, kept as the SHA-256 of
 * its token, and the message its seller features. Every read and write by the seller names its owner
 * (`null` is the service's own, without accounts), so another seller's show is simply not found; the one
 * read without an owner is by the token's hash, which is what the token proves.
 * Dependency-free over the shared Sql interface: the embedded PGlite backend, DATABASE_URL PostgreSQL and
 * a Supabase project's database run the same statements.
 */
import type { Sql } from '../db.ts';

/** A chat message on the overlay: what a viewer sees, nothing else of the message. */
export interface FeaturedMessage {
  messageId: string;
  author: string;
  text: string;
  platform: string;
  sentAt?: string;
  featuredAt: string;
}

/** A show's overlay as its seller sees it: whether a link exists (its token is never shown again), the featured message. */
export interface OverlaySettings {
  sessionId: string;
  hasLink: boolean;
  linkCreatedAt: string | null;
  featured: FeaturedMessage | null;
}

/** A chat message as storage holds it, for featuring one the hub's ring no longer has. */
export interface StoredChatLine {
  messageId: string;
  author: string;
  text: string;
  platform: string;
  sentAt?: string;
}

export interface OverlayStore {
  /** Gives the show a new link (the hash of its token), replacing the old one. */
  setLink(sessionId: string, ownerId: string | null, tokenHash: string): Promise<{ createdAt: string }>;
  /** The show a token's hash opens, with its seller; undefined for no link (or a replaced one). */
  showOfLink(tokenHash: string): Promise<{ sessionId: string; ownerId: string | null } | undefined>;
  /** The seller's view of a show's overlay (a show without a row has no link and nothing featured). */
  settings(sessionId: string, ownerId: string | null): Promise<OverlaySettings>;
  /** The featured message a token's show shows (read after the token was checked). */
  featuredOf(sessionId: string): Promise<FeaturedMessage | null>;
  /** Features a message on the show's overlay, or clears it (null). */
  setFeatured(sessionId: string, ownerId: string | null, featured: FeaturedMessage | null): Promise<void>;
  /** A stored message of the show by its id (message_key), for featuring one older than the hub remembers. */
  findMessage(sessionId: string, messageId: string): Promise<StoredChatLine | undefined>;
}

type Row = { stream_session_id: string; owner_id: string | null; token_hash: string | null; token_created_at: string | Date | null; featured: unknown };

function iso(value: string | Date | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** jsonb as the drivers return it: parsed (postgres.js, PGlite) or text (some paths). */
function featuredFrom(value: unknown): FeaturedMessage | null {
  if (value === null || value === undefined) return null;
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === 'object' ? (parsed as FeaturedMessage) : null;
}

export function createOverlayStore(sql: Sql): OverlayStore {
  return {
    async setLink(sessionId, ownerId, tokenHash) {
      const rows = await sql.query<Row>(
        `insert into public.show_overlays as o (stream_session_id, owner_id, token_hash, token_created_at, updated_at)
         values ($1, $2::uuid, $3, now(), now())
         on conflict (stream_session_id) do update set token_hash = excluded.token_hash, token_created_at = now(), updated_at = now()
           where o.owner_id is not distinct from excluded.owner_id
         returning stream_session_id, owner_id, token_hash, token_created_at, featured`,
        [sessionId, ownerId, tokenHash],
      );
      const row = rows[0];
      if (!row) throw new Error('show_overlays: the show belongs to another owner');
      return { createdAt: iso(row.token_created_at) ?? new Date().toISOString() };
    },

    async showOfLink(tokenHash) {
      if (!/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
      const rows = await sql.query<Row>(
        'select stream_session_id, owner_id, token_hash, token_created_at, featured from public.show_overlays where token_hash = $1',
        [tokenHash],
      );
      const row = rows[0];
      return row ? { sessionId: row.stream_session_id, ownerId: row.owner_id } : undefined;
    },

    async settings(sessionId, ownerId) {
      const rows = await sql.query<Row>(
        `select stream_session_id, owner_id, token_hash, token_created_at, featured from public.show_overlays
          where stream_session_id = $1 and owner_id is not distinct from $2::uuid`,
        [sessionId, ownerId],
      );
      const row = rows[0];
      return {
        sessionId,
        hasLink: Boolean(row?.token_hash),
        linkCreatedAt: row?.token_hash ? iso(row.token_created_at) : null,
        featured: featuredFrom(row?.featured),
      };
    },

    async featuredOf(sessionId) {
      const rows = await sql.query<Row>('select featured from public.show_overlays where stream_session_id = $1', [sessionId]);
      return featuredFrom(rows[0]?.featured);
    },

    async setFeatured(sessionId, ownerId, featured) {
      // A row another seller holds for the same id (ids are the service's: only a forged start could
      // collide) is left as it is: the update matches nothing and the write is refused.
      const rows = await sql.query<Row>(
        `insert into public.show_overlays as o (stream_session_id, owner_id, featured, updated_at)
         values ($1, $2::uuid, $3::jsonb, now())
         on conflict (stream_session_id) do update set featured = excluded.featured, updated_at = now()
           where o.owner_id is not distinct from excluded.owner_id
         returning stream_session_id`,
        [sessionId, ownerId, featured === null ? null : JSON.stringify(featured)],
      );
      if (!rows[0]) throw new Error('show_overlays: the show belongs to another owner');
    },

    async findMessage(sessionId, messageId) {
      const rows = await sql.query<{ message_key: string; username: string; message: string; platform: string; sent_at: string | Date | null }>(
        `select message_key, username, message, platform, sent_at from public.chat_messages
          where stream_session_id = $1 and message_key = $2 and not deleted`,
        [sessionId, messageId],
      );
      const row = rows[0];
      if (!row) return undefined;
      const sentAt = iso(row.sent_at);
      return { messageId: row.message_key, author: row.username, text: row.message, platform: row.platform, ...(sentAt ? { sentAt } : {}) };
    },
  };
}
