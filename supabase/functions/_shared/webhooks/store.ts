/**
 * Outgoing webhooks in the database (0007_webhooks.sql): a seller's endpoints and the durable outbox of
 * their deliveries. Every read and write names its owner (`null` is the service's own, without accounts),
 * so another seller's endpoint or delivery is simply not found. Secrets leave this module only in the
 * answer to create and rotate (`WebhookEndpointWithSecret`); lists and reads never carry them.
 * Dependency-free over the shared Sql interface: the embedded PGlite backend, DATABASE_URL PostgreSQL
 * and a Supabase project's database run the same statements.
 */
import type { Sql } from '../db.ts';

export const WEBHOOK_EVENT_TYPES = [
  'lot.sold',
  'lot.corrected',
  'buyer.detected',
  'show.started',
  'show.ended',
  'source.silent',
  'answer.suggested',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a delivery carries besides its subscribed events: the test event sent on request. */
export type WebhookDeliveryType = WebhookEventType | 'ping';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  description: string | null;
  disabledReason: string | null;
  createdAt: string;
}

export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  type: WebhookDeliveryType;
  sessionId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** A delivery as the worker sends it: the endpoint's URL and secret, and the body to sign. */
export interface DueDelivery extends WebhookDelivery {
  url: string;
  secret: string;
  payload: unknown;
}

/** One event to enqueue: for each of the owner's enabled endpoints subscribed to its type. */
export interface WebhookEventRecord {
  id: string;
  type: WebhookDeliveryType;
  sessionId: string | null;
  payload: unknown;
}

type EndpointRow = {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  disabled_reason: string | null;
  created_at: string | Date;
  secret?: string;
};

type DeliveryRow = {
  id: string | number;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  session_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | Date | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string | Date;
  delivered_at: string | Date | null;
  url?: string;
  secret?: string;
  payload?: unknown;
};

const iso = (value: string | Date): string => new Date(value).toISOString();
const isoOrNull = (value: string | Date | null): string | null => (value === null ? null : iso(value));

const ENDPOINT_COLUMNS = 'id, url, events, enabled, description, disabled_reason, created_at';
const DELIVERY_COLUMNS =
  'd.id, d.endpoint_id, d.event_id, d.event_type, d.session_id, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at';

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events as WebhookEventType[],
    enabled: row.enabled,
    description: row.description,
    disabledReason: row.disabled_reason,
    createdAt: iso(row.created_at),
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: String(row.id),
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    type: row.event_type as WebhookDeliveryType,
    sessionId: row.session_id === '' ? null : row.session_id,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? isoOrNull(row.next_attempt_at) : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    deliveredAt: isoOrNull(row.delivered_at),
  };
}

/** `owner_id` equal to the owner, `null` matching null (the service's own endpoints). */
const OWNER_IS = (param: number): string => `owner_id is not distinct from $${param}::uuid`;

/** A delivery row id as the API writes it: digits only (anything else is simply not found). */
const DELIVERY_ID = /^\d{1,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EndpointInput {
  url: string;
  events: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

export interface WebhookStore {
  listEndpoints(ownerId: string | null): Promise<WebhookEndpoint[]>;
  getEndpoint(ownerId: string | null, id: string): Promise<WebhookEndpoint | undefined>;
  createEndpoint(ownerId: string | null, input: EndpointInput, secret: string): Promise<WebhookEndpointWithSecret>;
  updateEndpoint(ownerId: string | null, id: string, patch: Partial<EndpointInput>): Promise<WebhookEndpoint | undefined>;
  deleteEndpoint(ownerId: string | null, id: string): Promise<boolean>;
  rotateSecret(ownerId: string | null, id: string, secret: string): Promise<WebhookEndpointWithSecret | undefined>;
  /** Writes a delivery per subscribed, enabled endpoint of the owner; an event already held is skipped. Returns how many were new. */
  enqueue(ownerId: string | null, events: readonly WebhookEventRecord[]): Promise<number>;
  /** Writes one delivery to one endpoint (the test ping); undefined when the endpoint is not the owner's. */
  enqueueTo(ownerId: string | null, endpointId: string, event: WebhookEventRecord): Promise<boolean | undefined>;
  /**
   * Claims the due head of each (endpoint, show) queue: the oldest pending delivery of the queue, when its
   * attempt is due and no live lease holds it. Leased for `leaseMs`, so another instance does not send it too.
   */
  claimDue(now: Date, leaseMs: number, limit: number): Promise<DueDelivery[]>;
  markDelivered(id: string, status: number, now: Date): Promise<void>;
  markRetry(id: string, result: { status: number | null; error: string }, nextAttemptAt: Date): Promise<void>;
  markDead(id: string, result: { status: number | null; error: string }): Promise<void>;
  /** A receiver answered 410 Gone: the endpoint is turned off with the reason (its pending deliveries wait). */
  disableEndpoint(id: string, reason: string): Promise<void>;
  listDeliveries(ownerId: string | null, endpointId: string, limit: number): Promise<WebhookDelivery[] | undefined>;
  /** Sends a delivered or dead delivery again, with the same event id; undefined when not the owner's. */
  replay(ownerId: string | null, deliveryId: string, now: Date): Promise<WebhookDelivery | undefined>;
  /** Pending deliveries (all owners): the metrics gauge. */
  pendingCount(): Promise<number>;
}

export function createWebhookStore(sql: Sql): WebhookStore {
  /** True when `id` is one of the owner's endpoints (what a route may act on). */
  const owns = async (ownerId: string | null, id: string): Promise<boolean> =>
    UUID.test(id) && (await sql.query(`select 1 from public.webhook_endpoints where id = $2 and ${OWNER_IS(1)}`, [ownerId, id])).length > 0;

  return {
    async listEndpoints(ownerId) {
      const rows = await sql.query<EndpointRow>(`select ${ENDPOINT_COLUMNS} from public.webhook_endpoints where ${OWNER_IS(1)} order by created_at, id`, [ownerId]);
      return rows.map(toEndpoint);
    },

    async getEndpoint(ownerId, id) {
      if (!UUID.test(id)) return undefined;
      const rows = await sql.query<EndpointRow>(`select ${ENDPOINT_COLUMNS} from public.webhook_endpoints where id = $2 and ${OWNER_IS(1)}`, [ownerId, id]);
      return rows[0] ? toEndpoint(rows[0]) : undefined;
    },

    async createEndpoint(ownerId, input, secret) {
      const rows = await sql.query<EndpointRow>(
        `insert into public.webhook_endpoints (owner_id, url, events, secret, enabled, description)
         values ($1, $2, $3, $4, $5, $6) returning ${ENDPOINT_COLUMNS}, secret`,
        [ownerId, input.url, input.events, secret, input.enabled ?? true, input.description ?? null],
      );
      return { ...toEndpoint(rows[0]!), secret };
    },

    async updateEndpoint(ownerId, id, patch) {
      if (!UUID.test(id)) return undefined;
      const rows = await sql.query<EndpointRow>(
        `update public.webhook_endpoints
            set url = coalesce($3, url),
                events = coalesce($4, events),
                enabled = coalesce($5, enabled),
                description = case when $6::boolean then $7 else description end,
                -- Turned on again by its seller: the service's reason for turning it off no longer stands.
                disabled_reason = case when $5 is true then null else disabled_reason end
          where id = $2 and ${OWNER_IS(1)}
          returning ${ENDPOINT_COLUMNS}`,
        [ownerId, id, patch.url ?? null, patch.events ?? null, patch.enabled ?? null, patch.description !== undefined, patch.description ?? null],
      );
      return rows[0] ? toEndpoint(rows[0]) : undefined;
    },

    async deleteEndpoint(ownerId, id) {
      if (!UUID.test(id)) return false;
      const rows = await sql.query(`delete from public.webhook_endpoints where id = $2 and ${OWNER_IS(1)} returning id`, [ownerId, id]);
      return rows.length > 0;
    },

    async rotateSecret(ownerId, id, secret) {
      if (!UUID.test(id)) return undefined;
      const rows = await sql.query<EndpointRow>(
        `update public.webhook_endpoints set secret = $3 where id = $2 and ${OWNER_IS(1)} returning ${ENDPOINT_COLUMNS}`,
        [ownerId, id, secret],
      );
      return rows[0] ? { ...toEndpoint(rows[0]), secret } : undefined;
    },

    async enqueue(ownerId, events) {
      if (events.length === 0) return 0;
      // One statement for the batch: the events as JSON, joined to the owner's subscribed endpoints.
      const rows = await sql.query(
        `insert into public.webhook_deliveries (endpoint_id, event_id, event_type, session_id, payload)
         select e.id, ev.id, ev.type, coalesce(ev.session_id, ''), ev.payload
           from jsonb_to_recordset($2::jsonb) as ev(ord int, id text, type text, session_id text, payload jsonb)
           join public.webhook_endpoints e on e.${OWNER_IS(1)} and e.enabled and ev.type = any (e.events)
          order by ev.ord, e.id
         on conflict (endpoint_id, event_id) do nothing
         returning id`,
        [ownerId, JSON.stringify(events.map((event, ord) => ({ ord, id: event.id, type: event.type, session_id: event.sessionId, payload: event.payload })))],
      );
      return rows.length;
    },

    async enqueueTo(ownerId, endpointId, event) {
      if (!(await owns(ownerId, endpointId))) return undefined;
      const rows = await sql.query(
        `insert into public.webhook_deliveries (endpoint_id, event_id, event_type, session_id, payload)
         values ($1, $2, $3, $4, $5::jsonb) on conflict (endpoint_id, event_id) do nothing returning id`,
        [endpointId, event.id, event.type, event.sessionId ?? '', JSON.stringify(event.payload)],
      );
      return rows.length > 0;
    },

    async claimDue(now, leaseMs, limit) {
      const rows = await sql.query<DeliveryRow>(
        `with heads as (
           select distinct on (endpoint_id, session_id) id, next_attempt_at, lease_until
             from public.webhook_deliveries
            where status = 'pending'
            order by endpoint_id, session_id, id
         ), due as (
           select h.id from heads h
             join public.webhook_deliveries d on d.id = h.id
             join public.webhook_endpoints e on e.id = d.endpoint_id and e.enabled
            where h.next_attempt_at <= $1 and (h.lease_until is null or h.lease_until <= $1)
            order by h.next_attempt_at, h.id
            limit $3
         )
         update public.webhook_deliveries d set lease_until = $2
           from due, public.webhook_endpoints e
          where d.id = due.id and e.id = d.endpoint_id and (d.lease_until is null or d.lease_until <= $1)
         returning ${DELIVERY_COLUMNS}, d.payload, e.url, e.secret`,
        [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), limit],
      );
      return rows.map((row) => ({ ...toDelivery(row), url: row.url!, secret: row.secret!, payload: row.payload }));
    },

    async markDelivered(id, status, now) {
      await sql.query(
        `update public.webhook_deliveries set status = 'delivered', attempts = attempts + 1, last_status = $2, last_error = null,
                delivered_at = $3, lease_until = null where id = $1`,
        [id, status, now.toISOString()],
      );
    },

    async markRetry(id, result, nextAttemptAt) {
      await sql.query(
        `update public.webhook_deliveries set attempts = attempts + 1, last_status = $2, last_error = left($3, 500),
                next_attempt_at = $4, lease_until = null where id = $1`,
        [id, result.status, result.error, nextAttemptAt.toISOString()],
      );
    },

    async markDead(id, result) {
      await sql.query(
        `update public.webhook_deliveries set status = 'dead', attempts = attempts + 1, last_status = $2, last_error = left($3, 500),
                lease_until = null where id = $1`,
        [id, result.status, result.error],
      );
    },

    async disableEndpoint(id, reason) {
      await sql.query('update public.webhook_endpoints set enabled = false, disabled_reason = left($2, 200) where id = $1', [id, reason]);
    },

    async listDeliveries(ownerId, endpointId, limit) {
      if (!(await owns(ownerId, endpointId))) return undefined;
      const rows = await sql.query<DeliveryRow>(
        `select ${DELIVERY_COLUMNS} from public.webhook_deliveries d where d.endpoint_id = $1 order by d.id desc limit $2`,
        [endpointId, limit],
      );
      return rows.map(toDelivery);
    },

    async replay(ownerId, deliveryId, now) {
      if (!DELIVERY_ID.test(deliveryId)) return undefined;
      // Pending again, due now, attempts kept (they are history); the event id, and so webhook-id, stays.
      const rows = await sql.query<DeliveryRow>(
        `update public.webhook_deliveries d
            set status = 'pending', next_attempt_at = $3, lease_until = null, delivered_at = null, created_at = $3
           from public.webhook_endpoints e
          where d.id = $2 and e.id = d.endpoint_id and e.${OWNER_IS(1)} and d.status <> 'pending'
         returning ${DELIVERY_COLUMNS}`,
        [ownerId, deliveryId, now.toISOString()],
      );
      if (rows[0]) return toDelivery(rows[0]);
      // Already pending: it is on its way; answered as it stands.
      const pending = await sql.query<DeliveryRow>(
        `select ${DELIVERY_COLUMNS} from public.webhook_deliveries d join public.webhook_endpoints e on e.id = d.endpoint_id
          where d.id = $2 and e.${OWNER_IS(1)}`,
        [ownerId, deliveryId],
      );
      return pending[0] ? toDelivery(pending[0]) : undefined;
    },

    async pendingCount() {
      const rows = await sql.query<{ n: number | string }>(`select count(*) as n from public.webhook_deliveries where status = 'pending'`);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
