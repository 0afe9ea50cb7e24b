/**
 * The whole service with no backend settings: the demo show is captured in Chromium, stored in the
 * embedded PGlite under DATA_DIR, its buyers flagged on /ws, and its history served over HTTP, also
 * after a restart.
 */
import { loadConfig } from '../src/config.ts';
import type { SessionEvent } from '../src/domain/events.ts';
import { silentLogger } from '../src/log.ts';
import { startService } from '../src/main.ts';
import { PGLITE_TEMPLATE_DIR } from './support/backend.ts';
import { post, startTestService, Subscriber } from './support/service.ts';

type BuyerEvent = Extract<SessionEvent, { type: 'buyer_detected' }>;

describe('service with the embedded backend', () => {
  test('stores the demo stream, flags its buyers and serves its history across a restart', async () => {
    const env = { PGLITE_TEMPLATE_DIR, FORWARD_BATCH_DELAY_MS: '20' };
    const service = await startTestService(env);
    let sessionId = '';
    let stored: string[] = [];
    try {
      const started = await post(service.url, '/api/start-monitoring', { url: `${service.url}/demo/live` });
      expect(started.status).toBe(201);
      sessionId = started.body.sessionId;
      const sub = await Subscriber.connect(service.url, sessionId);
      const seenBuyer = (): BuyerEvent | undefined =>
        sub.events.find((e): e is BuyerEvent => e.type === 'buyer_detected' && sub.messages(sessionId!).some((m) => m.message.id === e.messageId));
      try {
        // A buyer whose message this subscriber saw (one claimed before it connected is announced too).
        await sub.waitFor(() => seenBuyer() !== undefined, 45_000);
      } finally {
        sub.close();
      }
      const buyer = seenBuyer()!;
      expect(buyer).toMatchObject({ sessionId, messageId: expect.any(String), buyer: { username: expect.any(String), message: expect.any(String) } });
      expect(buyer.buyer.confidence).toBeGreaterThanOrEqual(0.7);
      const claimed = sub.messages(sessionId).find((e) => e.message.id === buyer.messageId);
      expect(claimed?.message.text).toBe(buyer.buyer.message);

      await service.forwarder.flush(10_000);
      const res = await fetch(`${service.url}/api/sessions/${sessionId}/messages?limit=500`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { sessionId: string; messages: Array<{ id: string; text: string; intent?: string }> };
      stored = page.messages.map((m) => m.id);
      const seen = new Set(sub.messages(sessionId).map((e) => e.message.id));
      expect(page.messages.length).toBeGreaterThan(0);
      for (const id of seen) expect(stored).toContain(id);
      expect(page.messages.find((m) => m.id === buyer.messageId)?.intent).toBe('purchase');

      const search = await fetch(`${service.url}/api/sessions/${sessionId}/messages?limit=500&q=${encodeURIComponent(buyer.buyer.username)}`);
      const found = (await search.json()) as { messages: Array<{ id: string }> };
      expect(found.messages.map((m) => m.id)).toContain(buyer.messageId);
      expect(found.messages.length).toBeLessThan(page.messages.length);

      // /buyers is the ledger's: winners are buyers, a purchase no lot holds is a lead (interested), and
      // its counts are the /lots summary's.
      const buyersRes = await fetch(`${service.url}/api/sessions/${sessionId}/buyers`);
      expect(buyersRes.status).toBe(200);
      const pick = (await buyersRes.json()) as {
        buyers: Array<{ username: string; lots: Array<{ code: string }> }>;
        interested: Array<{ username: string; messages: Array<{ messageId: string }> }>;
        summary: Record<string, number>;
      };
      const lotsBody = (await (await fetch(`${service.url}/api/sessions/${sessionId}/lots`)).json()) as {
        lots: Array<{ status: string; winner: { username: string } | null; waitlist: Array<{ username: string }> }>;
        summary: Record<string, number>;
      };
      expect(pick.summary).toEqual(lotsBody.summary);
      const held = new Set(lotsBody.lots.filter((l) => l.status !== 'void').flatMap((l) => [...(l.winner ? [l.winner] : []), ...l.waitlist].map((c) => c.username.toLowerCase())));
      const announced = sub.events.filter((e): e is BuyerEvent => e.type === 'buyer_detected');
      for (const event of announced) {
        expect(['winner', 'waitlist', 'interested']).toContain(event.buyer.status);
        if (event.buyer.status !== 'interested' || held.has(event.buyer.username.toLowerCase())) continue;
        const lead = pick.interested.find((v) => v.username === event.buyer.username);
        expect(lead?.messages.map((m) => m.messageId)).toContain(event.messageId);
      }
      expect(pick.summary.buyers + pick.summary.pendingBuyers).toBe(pick.buyers.length);

      const bad = await fetch(`${service.url}/api/sessions/${sessionId}/messages?limit=0`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_body');

      const health = (await (await fetch(`${service.url}/health`)).json()) as Record<string, any>;
      expect(health).toMatchObject({ backend: 'embedded', backlog: { consecutiveFailures: 0, deadLettered: 0 } });
      const ready = (await (await fetch(`${service.url}/health/ready`)).json()) as Record<string, any>;
      expect(ready.checks.backend).toBe(true);
    } finally {
      await service.close();
    }

    // The same DATA_DIR after a restart: everything stored is still there.
    const again = await startService(
      loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: service.dataDir, LOG_LEVEL: 'silent', ...env }),
      { logger: silentLogger() },
    );
    try {
      await again.sessions.stop(sessionId).catch(() => undefined);
      const res = await fetch(`${again.url}/api/sessions/${sessionId}/messages?limit=500`);
      const page = (await res.json()) as { messages: Array<{ id: string }> };
      const ids = page.messages.map((m) => m.id);
      for (const id of stored) expect(ids).toContain(id);
    } finally {
      await again.close();
    }
  });
});
