import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatMessage, SessionInfo } from '../domain/message.ts';
import { SupabaseBackend } from './supabase.ts';

/** A stand-in for the edge function on loopback: answers each request with the next canned reply. */
async function fakeFunction(): Promise<{
  url: string;
  reply(status: number, body: unknown): void;
  received: Array<{ method: string; url: string; body: unknown }>;
  close(): Promise<void>;
}> {
  const replies: Array<{ status: number; body: unknown }> = [];
  const received: Array<{ method: string; url: string; body: unknown }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      const next = replies.shift() ?? { status: 500, body: { error: { code: 'internal', message: 'no reply queued' } } };
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reply: (status, body) => replies.push({ status, body }),
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const message: ChatMessage = {
  id: 'm1',
  platform: 'whatnot',
  author: { name: 'amy', badges: [] },
  text: 'sold B7',
  capturedAt: '2026-01-01T00:00:00.000Z',
  backfill: false,
};

const session: SessionInfo = { sessionId: 'show-1', url: 'https://www.whatnot.com/live/x', platform: 'whatnot', source: 'browser', status: 'live', messageCount: 0, buyerCount: 0, lastMessageAt: null, startedAt: '2026-01-01T00:00:00.000Z' };

describe('SupabaseBackend answers', () => {
  let fn: Awaited<ReturnType<typeof fakeFunction>>;
  let backend: SupabaseBackend;

  beforeEach(async () => {
    fn = await fakeFunction();
    backend = new SupabaseBackend({ url: fn.url, serviceRoleKey: 'key', timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await backend.close();
    await fn.close();
  });

  test('posts the batch as the contract names it and returns the checked results', async () => {
    fn.reply(200, { results: [{ messageId: 'm1', stored: true, intent: 'purchase', confidence: 0.9, buyer: { username: 'amy', message: 'sold B7', confidence: 0.9 } }] });
    const results = await backend.ingest('show-1', [message]);
    expect(results).toEqual([{ messageId: 'm1', stored: true, intent: 'purchase', confidence: 0.9, buyer: { username: 'amy', message: 'sold B7', confidence: 0.9 } }]);
    expect(fn.received).toEqual([{ method: 'POST', url: '/functions/v1/monitor-realtime-stream', body: { streamSessionId: 'show-1', messages: [message] } }]);
  });

  test('a malformed answer is backend_unavailable (retried), naming the answer and the field but not its value', async () => {
    fn.reply(200, { results: [{ messageId: 'm1', stored: true, intent: 'spam-of-some-sort', confidence: 0.9 }] });
    const error = await backend.ingest('show-1', [message]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'backend_unavailable', context: { answer: 'ingest' } });
    expect((error as Error).message).toMatch(/^Supabase function answered ingest in an unexpected shape: results\.0\.intent: /);
    expect((error as Error).message).not.toContain('spam-of-some-sort');
  });

  test('answers that were not checked before are checked now: upsert_session and mark_deleted', async () => {
    fn.reply(200, {});
    await expect(backend.markDeleted('show-1', ['m1'])).rejects.toMatchObject({ code: 'backend_unavailable', context: { answer: 'mark_deleted' } });
    fn.reply(200, { ok: true });
    await expect(backend.upsertSession(session)).resolves.toBeUndefined();
    expect(fn.received.at(-1)?.body).toEqual({ action: 'upsert_session', session: { sessionId: 'show-1', platform: 'whatnot', url: session.url, source: 'browser', status: 'live', startedAt: session.startedAt } });
    fn.reply(200, { updated: 1 });
    await expect(backend.markDeleted('show-1', ['m1'])).resolves.toBeUndefined();
  });

  test("the function's own refusal stays backend_rejected (never retried), with its code", async () => {
    fn.reply(400, { error: { code: 'invalid_body', message: 'streamSessionId: Too small' } });
    await expect(backend.ingest('', [message])).rejects.toMatchObject({
      code: 'backend_rejected',
      message: 'Supabase function answered 400: streamSessionId: Too small',
      context: { status: 400, code: 'invalid_body' },
    });
  });

  test('a 4xx that is not the function speaking (a gateway page) is retried, a 413 from anyone is not', async () => {
    fn.reply(404, { message: 'Requested function was not found' });
    await expect(backend.ingest('show-1', [message])).rejects.toMatchObject({ code: 'backend_unavailable', context: { status: 404 } });
    fn.reply(413, 'Payload Too Large');
    await expect(backend.ingest('show-1', [message])).rejects.toMatchObject({ code: 'backend_rejected', context: { status: 413 } });
  });
});
