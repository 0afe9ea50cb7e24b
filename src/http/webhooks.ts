/**
 * A seller's outgoing webhooks (src/webhooks):
 *
 *   GET    /api/webhooks                         {endpoints} (never their secrets)
 *   POST   /api/webhooks                         {url, events, description?, enabled?} -> 201 endpoint with its secret
 *   GET    /api/webhooks/:id                     PATCH (same fields, all optional)   DELETE -> {id, deleted: true}
 *   POST   /api/webhooks/:id/rotate              a new secret, shown in this answer only; the old one stops signing
 *   POST   /api/webhooks/:id/test                -> 202 {eventId}: a `ping` delivery
 *   GET    /api/webhooks/:id/deliveries?limit=   newest first
 *   POST   /api/webhooks/deliveries/:id/replay   a delivered or dead delivery goes out again, same webhook-id
 *
 * Every one is scoped to the caller (accounts) or to the service's own endpoints: another seller's is 404.
 * A URL is refused unless https, and unless every address its host resolves to is public (the same
 * classifier as start URLs; WEBHOOK_ALLOW_PRIVATE_URLS lets private ones through). The worker checks again
 * at each connection, so a name that later points inside is refused then too.
 */
import crypto from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { userOf } from '../auth/middleware.ts';
import { EarshotError } from '../errors.ts';
import { decideTarget } from '../net/target-policy.ts';
import { addressesOf, assertUrlAllowed, portOf } from '../net/url-guard.ts';
import { parseWebhookUrl } from '../webhooks/send.ts';
import { newWebhookSecret } from '../webhooks/sign.ts';
import { WebhookEndpointCreate, WebhookEndpointPatch } from '../../supabase/functions/_shared/contract.ts';
import type { WebhookStore } from '../../supabase/functions/_shared/webhooks/store.ts';
import { parseBody } from './sessions.ts';

export interface WebhookRoutesOptions {
  /** Undefined where no database is reachable for it (Supabase mode without SUPABASE_DB_URL). */
  store: WebhookStore | undefined;
  /** WEBHOOK_ALLOW_PRIVATE_URLS. */
  allowPrivate: boolean;
  allowedOrigins: readonly string[];
  /** The delivery worker: polls at once after a change that queued something. */
  kick: () => void;
}

/** The deliveries route's query (documented from this schema). */
export const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function webhookRoutes(options: WebhookRoutesOptions): Router {
  const router = Router();

  const storeOf = (): WebhookStore => {
    if (!options.store) throw new EarshotError('webhooks_unavailable', 'Webhooks need a database this service reaches (SUPABASE_DB_URL in Supabase mode)');
    return options.store;
  };
  const owner = (res: Response): string | null => userOf(res) ?? null;
  const notFound = (): never => {
    throw new EarshotError('webhook_not_found', 'No such webhook endpoint');
  };
  const checkUrl = async (raw: string): Promise<string> => {
    const url = parseWebhookUrl(raw);
    await assertUrlAllowed(url.href, { allowPrivate: options.allowPrivate, allowedOrigins: options.allowedOrigins });
    if (options.allowPrivate) {
      // Private targets allowed, instance metadata still never (the sender refuses it too; say so now).
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = await addressesOf(host).catch(() => [] as string[]);
      const decision = decideTarget({ allowAllPrivate: true, allowedOrigins: [] }, host, portOf(url), addresses);
      if (!decision.allowed && decision.kind === 'metadata') throw new EarshotError('url_not_allowed', `Host ${host} is not allowed: ${decision.reason}`, { url: url.href });
    }
    return url.href;
  };

  router.get('/api/webhooks', async (_req, res) => {
    res.json({ endpoints: await storeOf().listEndpoints(owner(res)) });
  });

  router.post('/api/webhooks', async (req, res) => {
    const body = parseBody(WebhookEndpointCreate, req.body);
    const url = await checkUrl(body.url);
    const created = await storeOf().createEndpoint(owner(res), { ...body, url, events: [...new Set(body.events)] }, newWebhookSecret());
    res.status(201).json(created);
  });

  router.get('/api/webhooks/:id', async (req, res) => {
    res.json((await storeOf().getEndpoint(owner(res), req.params.id)) ?? notFound());
  });

  router.patch('/api/webhooks/:id', async (req, res) => {
    const body = parseBody(WebhookEndpointPatch, req.body);
    // Another seller's id is not found before its URL is looked at.
    if (!(await storeOf().getEndpoint(owner(res), req.params.id))) notFound();
    const url = body.url === undefined ? undefined : await checkUrl(body.url);
    const updated = await storeOf().updateEndpoint(owner(res), req.params.id, {
      ...body,
      ...(url ? { url } : {}),
      ...(body.events ? { events: [...new Set(body.events)] } : {}),
    });
    if (updated?.enabled) options.kick();
    res.json(updated ?? notFound());
  });

  router.delete('/api/webhooks/:id', async (req, res) => {
    if (!(await storeOf().deleteEndpoint(owner(res), req.params.id))) notFound();
    res.json({ id: req.params.id, deleted: true });
  });

  router.post('/api/webhooks/:id/rotate', async (req, res) => {
    res.json((await storeOf().rotateSecret(owner(res), req.params.id, newWebhookSecret())) ?? notFound());
  });

  router.post('/api/webhooks/:id/test', async (req, res) => {
    const eventId = `evt_ping_${crypto.randomUUID().replace(/-/g, '')}`;
    const payload = { type: 'ping' as const, timestamp: new Date().toISOString(), data: { endpointId: req.params.id } };
    const queued = await storeOf().enqueueTo(owner(res), req.params.id, { id: eventId, type: 'ping', sessionId: null, payload });
    if (queued === undefined) notFound();
    options.kick();
    res.status(202).json({ eventId });
  });

  router.get('/api/webhooks/:id/deliveries', async (req, res) => {
    const query = DeliveriesQuery.safeParse({ limit: req.query.limit ?? undefined });
    if (!query.success) throw new EarshotError('invalid_body', 'limit must be an integer from 1 to 500');
    res.json({ deliveries: (await storeOf().listDeliveries(owner(res), req.params.id, query.data.limit)) ?? notFound() });
  });

  router.post('/api/webhooks/deliveries/:id/replay', async (req, res) => {
    const delivery = await storeOf().replay(owner(res), req.params.id, new Date());
    if (!delivery) throw new EarshotError('delivery_not_found', 'No such webhook delivery');
    options.kick();
    res.json(delivery);
  });

  return router;
}
