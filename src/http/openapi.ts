/**
 * The OpenAPI 3.1 document of the service, generated from the zod schemas the routes validate with and the
 * answer schemas of answers.ts (never written by hand), served at GET /api/openapi.json.
 *
 * Adding a route is one entry in {@link OPERATIONS}: method, OpenAPI path, the route's own zod objects for
 * body and query, its answers and the error codes it can raise. The codes every /api route shares (auth,
 * rate limit, CSRF, malformed JSON) are added by {@link commonErrors}. The /ws frames are described under
 * the document's `x-websocket` from the contract's frame schemas.
 */
import { Router, type Express } from 'express';
import { z } from 'zod';
import {
  CapturedBuyer,
  ErrorAnswer,
  FeaturedBody,
  FeaturedMessage,
  FrameMessage,
  Lot,
  LotCode,
  LotPatchBody,
  OverlayLink,
  OverlaySettings,
  OverlayState,
  ShowSummary,
  StoredMessage,
  WEBHOOK_PAYLOADS,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointList,
  WebhookEndpointPatch,
  WebhookEndpointWithSecret,
  WebhookPing,
  WsClientFrame,
  WsNotice,
  WsOverlayEvent,
  WsSessionEvent,
} from '../../supabase/functions/_shared/contract.ts';
import { ERROR_STATUS, type ErrorCode } from '../../supabase/functions/_shared/errors.ts';
import type { SessionEvent } from '../domain/events.ts';
import * as A from './answers.ts';
import { AskBody, CommandBody, CommandPatchBody, DocumentJson, RepliesQuery, SendBody, SettingsBody } from './kb.ts';
import { CsvQuery } from './lots.ts';
import { BuyersQuery, MessagesQuery, SearchQuery } from './messages.ts';
import { SellersBody, StartBody, StopBody, TitleBody } from './sessions.ts';
import { DeliveriesQuery } from './webhooks.ts';

// Compile-time checks that the contract's frame schemas describe what the hub really sends: every event
// the hub can stamp fits WsSessionEvent, and the two name the same event types.
type Same<T, U> = [T] extends [U] ? ([U] extends [T] ? true : false) : false;
const eventsFit: (event: SessionEvent) => z.output<typeof WsSessionEvent> = (event) => event;
const typesMatch: Same<z.output<typeof WsSessionEvent>['type'], SessionEvent['type']> = true;
void eventsFit;
void typesMatch;

/** A non-JSON answer (a file, a page, a stream). */
export interface MediaAnswer {
  mediaType: 'text/csv' | 'image/png' | 'text/plain' | 'text/html' | 'text/event-stream';
  description?: string;
}

/** One route of the service as the document describes it. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/api/sessions/{id}` (express's `:id`). */
  path: string;
  summary: string;
  tags: string[];
  /** Served without a token (health, metrics, config, demo). */
  public?: boolean;
  /** Served with an overlay link's token instead (x-overlay-token or ?token=), never the API's. */
  overlayToken?: boolean;
  /** The JSON body schema the route parses with (documented as its input). */
  body?: z.ZodType;
  /** A multipart/form-data alternative to the JSON body. */
  multipart?: z.ZodObject;
  /** The query schema the route parses with; each property becomes a query parameter. */
  query?: z.ZodObject;
  /** Schemas of path parameters; a `{name}` of the path without one is a string. */
  params?: Record<string, z.ZodType>;
  /** Status -> a zod schema (JSON) or a media type. */
  answers: Record<number, z.ZodType | MediaAnswer>;
  /** Codes this route can answer besides {@link commonErrors}'. */
  errors: ErrorCode[];
}

const kbErrors: ErrorCode[] = ['kb_unavailable', 'backend_unavailable'];
const hookErrors: ErrorCode[] = ['webhooks_unavailable', 'backend_unavailable'];
const hookUrlErrors: ErrorCode[] = ['invalid_body', 'invalid_webhook_url', 'url_not_allowed', 'dns_failed'];

/** The webhook routes (src/http/webhooks.ts). */
const WEBHOOK_OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/webhooks', summary: "The caller's webhook endpoints (never their secrets)", tags: ['webhooks'], answers: { 200: WebhookEndpointList }, errors: hookErrors },
  {
    method: 'post',
    path: '/api/webhooks',
    summary: 'Subscribe an https URL to events; the answer shows the signing secret, once',
    tags: ['webhooks'],
    body: WebhookEndpointCreate,
    answers: { 201: WebhookEndpointWithSecret },
    errors: [...hookErrors, ...hookUrlErrors],
  },
  { method: 'get', path: '/api/webhooks/{id}', summary: 'One endpoint', tags: ['webhooks'], answers: { 200: WebhookEndpoint }, errors: [...hookErrors, 'webhook_not_found'] },
  {
    method: 'patch',
    path: '/api/webhooks/{id}',
    summary: 'Change an endpoint (URL, events, description, on or off)',
    tags: ['webhooks'],
    body: WebhookEndpointPatch,
    answers: { 200: WebhookEndpoint },
    errors: [...hookErrors, ...hookUrlErrors, 'webhook_not_found'],
  },
  { method: 'delete', path: '/api/webhooks/{id}', summary: 'Delete an endpoint and its deliveries', tags: ['webhooks'], answers: { 200: A.DeletedAnswer }, errors: [...hookErrors, 'webhook_not_found'] },
  {
    method: 'post',
    path: '/api/webhooks/{id}/rotate',
    summary: 'A new signing secret, shown in this answer only',
    tags: ['webhooks'],
    answers: { 200: WebhookEndpointWithSecret },
    errors: [...hookErrors, 'webhook_not_found'],
  },
  { method: 'post', path: '/api/webhooks/{id}/test', summary: 'Send a ping delivery', tags: ['webhooks'], answers: { 202: z.object({ eventId: z.string() }) }, errors: [...hookErrors, 'webhook_not_found'] },
  {
    method: 'get',
    path: '/api/webhooks/{id}/deliveries',
    summary: "An endpoint's deliveries, newest first",
    tags: ['webhooks'],
    query: DeliveriesQuery,
    answers: { 200: WebhookDeliveryList },
    errors: [...hookErrors, 'invalid_body', 'webhook_not_found'],
  },
  {
    method: 'post',
    path: '/api/webhooks/deliveries/{id}/replay',
    summary: 'Send a delivered or dead delivery again (same webhook-id)',
    tags: ['webhooks'],
    answers: { 200: WebhookDelivery },
    errors: [...hookErrors, 'delivery_not_found'],
  },
];
const sessionRead: ErrorCode[] = ['session_not_found', 'invalid_body', 'backend_unavailable'];

/** The on-stream overlay (src/http/overlay.ts): the seller's routes and the link's own. */
const OVERLAY_OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/api/sessions/{id}/overlay-link',
    summary: "A new overlay link for the show (shown once; the show's older link stops working)",
    tags: ['overlay'],
    answers: { 201: OverlayLink },
    errors: [...sessionRead, 'overlay_unavailable'],
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/overlay',
    summary: 'Whether the show has an overlay link, and its featured message',
    tags: ['overlay'],
    answers: { 200: OverlaySettings },
    errors: [...sessionRead, 'overlay_unavailable'],
  },
  {
    method: 'put',
    path: '/api/sessions/{id}/featured',
    summary: 'Feature a message of the show on its overlay, or clear it (null)',
    tags: ['overlay'],
    body: FeaturedBody,
    answers: { 200: z.object({ sessionId: z.string(), featured: FeaturedMessage.nullable() }) },
    errors: [...sessionRead, 'overlay_unavailable', 'message_not_found'],
  },
  {
    method: 'get',
    path: '/overlay/{sessionId}',
    summary: 'The overlay page for an OBS browser source (its link carries ?token=)',
    tags: ['overlay'],
    public: true,
    answers: { 200: { mediaType: 'text/html' } },
    errors: ['not_found'],
  },
  {
    method: 'get',
    path: '/overlay/{sessionId}/state',
    summary: "What the overlay draws, and the seq to follow /ws from (the link's token only)",
    tags: ['overlay'],
    overlayToken: true,
    answers: { 200: OverlayState },
    errors: ['invalid_overlay_token', 'overlay_unavailable', 'backend_unavailable'],
  },
];

/** Every route the service serves. The "every route is documented" test names any route missing here. */
export const OPERATIONS: Operation[] = [
  // Health and operations (open)
  { method: 'get', path: '/health', summary: 'Service health and counts', tags: ['health'], public: true, answers: { 200: A.Health }, errors: [] },
  { method: 'get', path: '/health/live', summary: 'Liveness', tags: ['health'], public: true, answers: { 200: A.Live }, errors: [] },
  {
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness: browser, backend (and Redis in cluster mode) reachable',
    tags: ['health'],
    public: true,
    answers: { 200: A.Ready, 503: A.Ready },
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text format)',
    tags: ['health'],
    public: true,
    answers: { 200: { mediaType: 'text/plain', description: 'Prometheus text exposition format 0.0.4' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/api/config',
    summary: 'What the dashboard needs before signing in',
    tags: ['config'],
    public: true,
    answers: { 200: A.PublicConfig },
    errors: [],
  },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', tags: ['config'], answers: { 200: z.record(z.string(), z.unknown()) }, errors: [] },
  // The demo show (open: a page of fake chat to monitor)
  { method: 'get', path: '/demo/live', summary: 'The demo live-show page', tags: ['demo'], public: true, answers: { 200: { mediaType: 'text/html' } }, errors: [] },
  {
    method: 'get',
    path: '/demo/stream',
    summary: "The demo page's chat stream",
    tags: ['demo'],
    public: true,
    answers: { 200: { mediaType: 'text/event-stream' } },
    errors: [],
  },

  // Monitoring
  {
    method: 'post',
    path: '/api/start-monitoring',
    summary: 'Start monitoring a live show (200: the show was already running)',
    tags: ['monitoring'],
    body: StartBody,
    answers: { 201: A.Session, 200: A.Session },
    errors: [
      'url_not_allowed',
      'dns_failed',
      'unsupported_platform',
      'selectors_required',
      'invalid_selectors',
      'session_limit',
      'not_ready',
      'browser_unavailable',
      'backend_unavailable',
      'quota_exhausted',
      'youtube_api_error',
    ],
  },
  {
    method: 'post',
    path: '/api/stop-monitoring',
    summary: 'Stop a show',
    tags: ['monitoring'],
    body: StopBody,
    answers: { 200: A.StopAnswer },
    errors: ['session_not_found'],
  },
  { method: 'get', path: '/api/sessions', summary: "The caller's shows", tags: ['monitoring'], answers: { 200: A.SessionList }, errors: [] },
  { method: 'get', path: '/api/sessions/{id}', summary: 'One show', tags: ['monitoring'], answers: { 200: A.Session }, errors: ['session_not_found'] },
  {
    method: 'put',
    path: '/api/sessions/{id}/sellers',
    summary: "Name the show's host (one username or a list): their messages announce lots from now on",
    tags: ['monitoring'],
    body: SellersBody,
    answers: { 200: A.SellersAnswer },
    errors: ['session_not_found', 'not_ready'],
  },
  {
    method: 'put',
    path: '/api/sessions/{id}/title',
    summary: "Name the show (the page's title no longer replaces it), or null to take the page's again",
    tags: ['monitoring'],
    body: TitleBody,
    answers: { 200: A.Session },
    errors: ['session_not_found', 'not_ready'],
  },
  {
    method: 'get',
    path: '/api/messages',
    summary: "Search every show of the caller's at once (the newest 50), hits newest first with their show",
    tags: ['monitoring'],
    query: SearchQuery,
    answers: { 200: A.SearchAnswer },
    errors: ['invalid_body'],
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/messages',
    summary: 'Stored messages, newest first (full-text q, cursor paging)',
    tags: ['monitoring'],
    query: MessagesQuery,
    answers: { 200: A.MessagesAnswer },
    errors: sessionRead,
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/buyers',
    summary: "The ledger's buyers (winners of sold and pending lots), interested viewers no lot holds, and the counts",
    tags: ['monitoring'],
    query: BuyersQuery,
    answers: { 200: A.BuyersAnswer },
    errors: sessionRead,
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/screenshot',
    summary: "A PNG of the show's page now",
    tags: ['monitoring'],
    answers: { 200: { mediaType: 'image/png' } },
    errors: ['session_not_found', 'no_page'],
  },
  { method: 'get', path: '/api/quota', summary: 'YouTube Data API quota', tags: ['monitoring'], answers: { 200: A.Quota }, errors: [] },

  // The claims ledger
  { method: 'get', path: '/api/sessions/{id}/lots', summary: "A show's lots and totals", tags: ['lots'], answers: { 200: A.LotsAnswer }, errors: sessionRead },
  {
    method: 'patch',
    path: '/api/sessions/{id}/lots/{code}',
    summary: 'Correct a lot (winner, waitlist, price, title, void, paid/packed/shipped)',
    tags: ['lots'],
    params: { code: LotCode },
    body: LotPatchBody,
    answers: { 200: A.LotAnswer },
    errors: [...sessionRead, 'lot_not_found', 'lot_changed'],
  },
  {
    method: 'post',
    path: '/api/sessions/{id}/lots/{code}/undo',
    summary: "Undo the latest seller change of a lot (409 when chat changed it since)",
    tags: ['lots'],
    params: { code: LotCode },
    answers: { 200: A.LotAnswer },
    errors: [...sessionRead, 'lot_not_found', 'nothing_to_undo', 'lot_changed'],
  },
  {
    method: 'get',
    path: '/api/sessions/{id}/lots/{code}/history',
    summary: 'Every change to a lot, oldest first: when, by whom, before and after',
    tags: ['lots'],
    params: { code: LotCode },
    answers: { 200: A.LotHistoryAnswer },
    errors: [...sessionRead, 'lot_not_found'],
  },
  { method: 'get', path: '/api/sessions/{id}/audit.json', summary: "The show's audit export: each lot's changes with the messages behind them", tags: ['lots'], answers: { 200: A.AuditAnswer }, errors: sessionRead },
  { method: 'get', path: '/api/sessions/{id}/audit.csv', summary: 'The audit export as CSV', tags: ['lots'], answers: { 200: { mediaType: 'text/csv' } }, errors: sessionRead },
  { method: 'get', path: '/api/sessions/{id}/picklist', summary: 'The pick list by buyer', tags: ['lots'], answers: { 200: A.PickListAnswer }, errors: sessionRead },
  {
    method: 'get',
    path: '/api/sessions/{id}/picklist.csv',
    summary: 'The pick list (by buyer) or every lot (by lot) as CSV',
    tags: ['lots'],
    query: CsvQuery,
    answers: { 200: { mediaType: 'text/csv' } },
    errors: sessionRead,
  },

  // Knowledge base, commands, replies, bot settings
  {
    method: 'post',
    path: '/api/kb/documents',
    summary: 'Add a document (multipart file, or JSON text); 200 when the same text was already stored',
    tags: ['kb'],
    body: DocumentJson,
    multipart: z.object({
      file: z.string().meta({ contentMediaType: 'application/octet-stream', description: 'PDF, TXT or Markdown' }),
      title: z.string().max(1_000).optional(),
    }),
    answers: { 201: A.KbDocumentSchema, 200: A.KbDocumentSchema },
    errors: [...kbErrors, 'invalid_body', 'document_too_large', 'unsupported_document_type', 'empty_document', 'invalid_document'],
  },
  { method: 'get', path: '/api/kb/documents', summary: 'Documents, newest first', tags: ['kb'], answers: { 200: z.array(A.KbDocumentSchema) }, errors: kbErrors },
  {
    method: 'delete',
    path: '/api/kb/documents/{id}',
    summary: 'Delete a document',
    tags: ['kb'],
    answers: { 200: A.DeletedAnswer },
    errors: [...kbErrors, 'document_not_found'],
  },
  { method: 'post', path: '/api/kb/ask', summary: 'Ask the knowledge base', tags: ['kb'], body: AskBody, answers: { 200: A.AskAnswer }, errors: kbErrors },
  { method: 'get', path: '/api/commands', summary: 'Chat commands', tags: ['kb'], answers: { 200: z.array(A.BotCommandSchema) }, errors: kbErrors },
  {
    method: 'post',
    path: '/api/commands',
    summary: 'Create a chat command',
    tags: ['kb'],
    body: CommandBody,
    answers: { 201: A.BotCommandSchema },
    errors: [...kbErrors, 'command_exists'],
  },
  ...(['patch', 'put'] as const).map(
    (method): Operation => ({
      method,
      path: '/api/commands/{id}',
      summary: 'Change a chat command',
      tags: ['kb'],
      body: CommandPatchBody,
      answers: { 200: A.BotCommandSchema },
      errors: [...kbErrors, 'command_not_found', 'command_exists'],
    }),
  ),
  {
    method: 'delete',
    path: '/api/commands/{id}',
    summary: 'Delete a chat command',
    tags: ['kb'],
    answers: { 200: A.DeletedAnswer },
    errors: [...kbErrors, 'command_not_found'],
  },
  {
    method: 'get',
    path: '/api/replies',
    summary: "A show's bot replies",
    tags: ['kb'],
    query: RepliesQuery,
    answers: { 200: z.array(A.ReplySchema) },
    errors: [...kbErrors, 'invalid_body', 'session_not_found'],
  },
  ...(['send', 'dismiss'] as const).map(
    (verb): Operation => ({
      method: 'post',
      path: `/api/replies/{id}/${verb}`,
      summary:
        verb === 'send'
          ? 'Queue a suggested or failed reply for delivery (`to: "all"`: one reply @mentioning everyone who asked)'
          : 'Dismiss a suggested or failed reply',
      tags: ['kb'],
      ...(verb === 'send' ? { body: SendBody } : {}),
      answers: { 200: A.ReplySchema },
      errors: [...kbErrors, 'reply_not_found', 'reply_not_sendable', ...(verb === 'send' ? (['invalid_body'] as const) : [])],
    }),
  ),
  {
    method: 'get',
    path: '/api/sessions/{id}/bot',
    summary: "A show's bot settings",
    tags: ['kb'],
    answers: { 200: A.BotSettingsSchema },
    errors: [...kbErrors, 'invalid_body', 'session_not_found'],
  },
  {
    method: 'put',
    path: '/api/sessions/{id}/bot',
    summary: "Change a show's bot settings",
    tags: ['kb'],
    body: SettingsBody,
    answers: { 200: A.BotSettingsSchema },
    errors: [...kbErrors, 'session_not_found'],
  },
  ...WEBHOOK_OPERATIONS,
  ...OVERLAY_OPERATIONS,
];

/** The codes any route of its kind can answer: auth and rate limit under /api, CSRF on writes, bad JSON on bodies. */
export function commonErrors(op: Pick<Operation, 'method' | 'path' | 'public' | 'body'>): ErrorCode[] {
  const codes: ErrorCode[] = ['internal'];
  // Health probes are exempt from the Host check (load balancers probe by any name).
  if (!op.path.startsWith('/health')) codes.push('host_not_allowed');
  // A path parameter that does not percent-decode (%C0%AE, a lone %).
  if (op.path.includes('{')) codes.push('invalid_path');
  if (op.path.startsWith('/api/')) {
    if (!op.public) codes.push('unauthorized', 'auth_unavailable', 'rate_limited');
    if (op.method !== 'get') codes.push('cross_origin');
  }
  if (op.body) codes.push('invalid_json', 'body_too_large', 'invalid_body');
  return [...new Set(codes)];
}

/** Schemas shared by several answers (and the /ws frames), as components/schemas. */
const COMPONENTS: Record<string, z.ZodType> = {
  Session: A.Session,
  Lot,
  ShowSummary,
  StoredMessage,
  CapturedBuyer,
  PickListBuyer: A.PickListBuyerSchema,
  KbDocument: A.KbDocumentSchema,
  BotCommand: A.BotCommandSchema,
  Reply: A.ReplySchema,
  BotSettings: A.BotSettingsSchema,
  Quota: A.Quota,
  ErrorAnswer,
  FrameMessage,
  WsClientFrame,
  WsSessionEvent,
  WsNotice,
  WsOverlayEvent,
  FeaturedMessage,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookPing,
  ...Object.fromEntries(Object.entries(WEBHOOK_PAYLOADS).map(([type, schema]) => [webhookSchemaId(type), schema])),
};

/** `lot.sold` -> `WebhookLotSold`: the component of an event's payload. */
function webhookSchemaId(type: string): string {
  return `Webhook${type.split('.').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`;
}

type JsonObject = Record<string, unknown>;

/** `/api/sessions/{id}/lots` -> `getSessionsIdLots` (stable, unique per method and path). */
export function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '/')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** express's `/a/:id` -> OpenAPI's `/a/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function stripMeta(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 503: 'Not ready' };

/** Builds the document from {@link OPERATIONS} (or another list: tests, the lead's additions). */
export function buildOpenApi(operations: readonly Operation[] = OPERATIONS, version = '0.1.0'): JsonObject {
  // Answers: one registry, converted once, so shared schemas become $refs to components/schemas.
  const answers = z.registry<{ id: string }>();
  const named = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries(COMPONENTS)) {
    answers.add(schema, { id });
    named.set(schema, id);
  }
  const answerRef = (op: Operation, status: number, schema: z.ZodType): string => {
    let id = named.get(schema);
    if (!id) {
      id = `${operationId(op.method, op.path)}${status}`;
      answers.add(schema, { id });
      named.set(schema, id);
    }
    return id;
  };
  // Bodies: what the route accepts (the input side: defaults optional, transforms' inputs).
  const bodies = z.registry<{ id: string }>();
  const bodyIds = new Map<z.ZodType, string>();
  const bodyRef = (op: Operation, schema: z.ZodType, suffix: string): string => {
    let id = bodyIds.get(schema);
    if (!id) {
      id = `${operationId(op.method, op.path)}${suffix}`;
      bodies.add(schema, { id });
      bodyIds.set(schema, id);
    }
    return id;
  };

  // Errors: `{error:{code,message}}` with `code` the enum of what the route can answer at that status; one
  // component per distinct set of codes (most routes share theirs).
  const errorSchemas: Record<string, JsonObject> = {};
  const errorRef = (codes: ErrorCode[]): string => {
    const sorted = [...codes].sort();
    const id = `Error_${sorted.join('_')}`;
    errorSchemas[id] ??= stripMeta(
      z.toJSONSchema(z.object({ error: z.object({ code: z.enum(sorted as [ErrorCode, ...ErrorCode[]]), message: z.string() }) }), {
        target: 'draft-2020-12',
      }) as JsonObject,
    );
    return id;
  };

  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const op of operations) {
    const responses: Record<string, JsonObject> = {};
    for (const [statusText, answer] of Object.entries(op.answers)) {
      const status = Number(statusText);
      const description = STATUS_TEXT[status] ?? String(status);
      responses[statusText] =
        answer instanceof z.ZodType
          ? { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${answerRef(op, status, answer)}` } } } }
          : { description: answer.description ?? description, content: { [answer.mediaType]: {} } };
    }
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of [...new Set([...op.errors, ...commonErrors(op)])]) {
      const status = ERROR_STATUS[code];
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      const error = { $ref: `#/components/schemas/${errorRef(codes)}` };
      const existing = responses[String(status)];
      const answer = (existing?.content as Record<string, { schema: JsonObject }> | undefined)?.['application/json']?.schema;
      responses[String(status)] = answer
        ? { ...existing, content: { 'application/json': { schema: { anyOf: [answer, error] } } } }
        : { description: codes.join(', '), content: { 'application/json': { schema: error } } };
    }

    const parameters: JsonObject[] = [];
    for (const name of [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
      const schema = op.params?.[name];
      parameters.push({ name, in: 'path', required: true, schema: schema ? stripMeta(z.toJSONSchema(schema, { io: 'input' }) as JsonObject) : { type: 'string' } });
    }
    if (op.query) {
      const query = z.toJSONSchema(op.query, { io: 'input' }) as { properties?: Record<string, JsonObject>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
      }
    }

    const operation: JsonObject = {
      operationId: operationId(op.method, op.path),
      summary: op.summary,
      tags: op.tags,
      ...(parameters.length ? { parameters } : {}),
      responses,
    };
    if (op.body || op.multipart) {
      const content: JsonObject = {};
      if (op.body) content['application/json'] = { schema: { $ref: `#/components/schemas/${bodyRef(op, op.body, 'Body')}` } };
      if (op.multipart) content['multipart/form-data'] = { schema: { $ref: `#/components/schemas/${bodyRef(op, op.multipart, 'Form')}` } };
      operation.requestBody = { required: true, content };
    }
    if (op.public) operation.security = [];
    if (op.overlayToken) operation.security = [{ overlayToken: [] }, { overlayTokenQuery: [] }];
    (paths[op.path] ??= {})[op.method] = operation;
  }

  const uri = (id: string): string => `#/components/schemas/${id}`;
  const converted = {
    ...(z.toJSONSchema(answers, { io: 'output', uri, target: 'draft-2020-12' }).schemas as Record<string, JsonObject>),
    ...(z.toJSONSchema(bodies, { io: 'input', uri, target: 'draft-2020-12' }).schemas as Record<string, JsonObject>),
  };
  const schemas = { ...Object.fromEntries(Object.entries(converted).map(([id, schema]) => [id, stripMeta(schema)])), ...errorSchemas };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Earshot',
      version,
      description:
        'Generated from the zod schemas the routes validate with (src/http/openapi.ts); prose in docs/API.md. ' +
        'Errors are always {"error": {"code", "message"}}; each operation lists the codes it can answer. ' +
        'The /ws WebSocket frames are described under `x-websocket`. Without accounts and API_TOKEN the ' +
        'service answers loopback callers only and needs no token.',
    },
    tags: [...new Set(operations.flatMap((o) => o.tags))].map((name) => ({ name })),
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Supabase access token (accounts) or API_TOKEN' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API_TOKEN' },
        overlayToken: { type: 'apiKey', in: 'header', name: 'x-overlay-token', description: "An overlay link's token (one show's overlay only)" },
        overlayTokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: "An overlay link's token, as the link carries it" },
      },
    },
    'x-websocket': {
      path: '/ws',
      description:
        'JSON text frames. Authenticate with the upgrade request (Authorization: Bearer, x-api-key, ?token=, ' +
        '?access_token=) or, with accounts, a first `auth` frame. An overlay page connects with ' +
        "?overlay_token= instead: it may subscribe to its link's show only and receives `overlayFrames`. " +
        'Close codes: 4008 slow_consumer, 4401 unauthorized | token_expired | overlay_link_changed, 1001 on shutdown.',
      clientFrames: { $ref: uri('WsClientFrame') },
      serverFrames: { oneOf: [{ $ref: uri('WsSessionEvent') }, { $ref: uri('WsNotice') }] },
      overlayFrames: { oneOf: [{ $ref: uri('WsOverlayEvent') }, { $ref: uri('WsNotice') }] },
    },
    // Outgoing webhooks: each event's POST body, signed per Standard Webhooks (webhook-id, webhook-timestamp,
    // webhook-signature headers; docs/API.md "Webhooks").
    webhooks: Object.fromEntries(
      [...Object.keys(WEBHOOK_PAYLOADS), 'ping'].map((type) => [
        type,
        {
          post: {
            operationId: `webhook${webhookSchemaId(type).slice('Webhook'.length)}`,
            summary: type === 'ping' ? 'The test delivery' : `The ${type} event`,
            requestBody: { required: true, content: { 'application/json': { schema: { $ref: uri(webhookSchemaId(type)) } } } },
            responses: { '200': { description: 'Any 2xx: delivered. 410: the endpoint is turned off. Anything else: retried.' } },
          },
        },
      ]),
    ),
  };
}

/** A route the app serves: method (lower case) and express path. */
export interface ServedRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  name?: string;
  /** The path a router was mounted at (router 2.x, express 5): '/' for `app.use(router)`. */
  rawPath?: unknown;
  handle?: { stack?: Layer[] };
}

/**
 * Every route an express 5 app serves, read from its router stack, routers mounted with `app.use` included
 * (under their mount path). A path that is not a string (a RegExp, an array's items) is reported by its
 * String() form.
 */
export function servedRoutes(app: Express): ServedRoute[] {
  const out: ServedRoute[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m] && m !== '_all')) {
          for (const p of paths) out.push({ method, path: typeof p === 'string' ? prefix + p : String(p) });
        }
      } else if (layer.name === 'router' && layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath.replace(/\/$/, '') : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

/** GET /api/openapi.json: behind the same auth as the rest of /api (it is the API's, not the dashboard's). */
export function openapiRoutes(document: () => JsonObject = cachedDocument): Router {
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(document());
  });
  return router;
}

let built: JsonObject | undefined;
function cachedDocument(): JsonObject {
  built ??= buildOpenApi();
  return built;
}
