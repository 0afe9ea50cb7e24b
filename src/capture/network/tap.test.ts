import { EventEmitter } from 'node:events';
import { gzipSync } from 'node:zlib';
import type { ChatMessage, SessionStatus } from '../../domain/message.ts';
import { silentLogger } from '../../log.ts';
import { MessageMerger } from '../merger.ts';
import { kick } from '../platforms/kick/adapter.ts';
import { tiktok } from '../platforms/tiktok/adapter.ts';
import { encodeWebcast } from '../platforms/tiktok/webcast.ts';
import { youtube } from '../platforms/youtube/adapter.ts';
import type { CdpClient } from './path.ts';
import { NetworkTap } from './tap.ts';

/** A CDP session stand-in: the test emits protocol events; `send` answers from a table. */
class FakeCdp extends EventEmitter implements CdpClient {
  readonly sent: string[] = [];
  bodies = new Map<string, string>();
  /** Bodies Chromium reports as binary (base64Encoded: true). */
  binaryBodies = new Map<string, Uint8Array>();
  override on(event: string, handler: (params: any) => void): this {
    return super.on(event, handler);
  }
  async send(method: string, params?: Record<string, unknown>): Promise<any> {
    this.sent.push(method);
    if (method === 'Page.getFrameTree') return { frameTree: { frame: { id: 'main' } } };
    if (method === 'Network.getResponseBody') {
      const binary = this.binaryBodies.get(String(params?.requestId));
      if (binary) return { body: Buffer.from(binary).toString('base64'), base64Encoded: true };
      const body = this.bodies.get(String(params?.requestId));
      if (body === undefined) throw new Error('No resource with given identifier found');
      return { body, base64Encoded: false };
    }
    return {};
  }
}

function context() {
  const emitted: ChatMessage[] = [];
  const deleted: string[] = [];
  const statuses: Array<[SessionStatus, string | undefined]> = [];
  return {
    emitted,
    deleted,
    statuses,
    ctx: {
      emit: (m: ChatMessage[]) => emitted.push(...m),
      deleted: (ids: string[]) => deleted.push(...ids),
      status: (s: SessionStatus, d?: string) => statuses.push([s, d]),
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('NetworkTap', () => {
  it('turns WebSocket text frames into sanitized chat messages and ignores binary frames', async () => {
    const cdp = new FakeCdp();
    const tap = new NetworkTap({ sessionId: 's', adapter: kick, pageUrl: 'https://kick.com/popout/a/chat', logger: silentLogger() });
    const { ctx, emitted, deleted } = context();
    await tap.attach(cdp, ctx);
    expect(cdp.sent).toContain('Network.enable');
    const data = JSON.stringify({ id: 'k1', content: 'hi\u0007 there', sender: { id: 3, username: 'A', identity: { badges: [{ type: 'broadcaster' }] } } });
    cdp.emit('Network.webSocketCreated', { requestId: 'ws1', url: 'wss://ws-us2.pusher.com/app/x' });
    cdp.emit('Network.webSocketFrameReceived', { requestId: 'ws1', response: { opcode: 2, payloadData: 'AAAA' } });
    cdp.emit('Network.webSocketFrameReceived', {
      requestId: 'ws1',
      response: { opcode: 1, payloadData: JSON.stringify({ event: 'App\\Events\\ChatMessageEvent', data }) },
    });
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ id: 'k1', platform: 'kick', text: 'hi there', author: { name: 'A', id: '3', badges: ['owner'] }, backfill: false });
    // A ban removes that author's recent messages.
    cdp.emit('Network.webSocketFrameReceived', {
      requestId: 'ws1',
      response: { opcode: 1, payloadData: JSON.stringify({ event: 'App\\Events\\UserBannedEvent', data: JSON.stringify({ user: { id: 3 } }) }) },
    });
    expect(deleted).toEqual(['k1']);
  });

  it('reads matching response bodies in the order they finished, and reports the end of the chat', async () => {
    const cdp = new FakeCdp();
    const tap = new NetworkTap({ sessionId: 's', adapter: youtube, pageUrl: 'https://www.youtube.com/live_chat?v=x', logger: silentLogger() });
    const { ctx, emitted, statuses } = context();
    await tap.attach(cdp, ctx);
    const item = (id: string) => ({ addChatItemAction: { item: { liveChatTextMessageRenderer: { id, authorName: { simpleText: 'V' }, message: { runs: [{ text: id }] } } } } });
    const body = (ids: string[], live = true) =>
      JSON.stringify({ continuationContents: { liveChatContinuation: { continuations: live ? [{ timedContinuationData: { continuation: 'c' } }] : [], actions: ids.map(item) } } });
    const poll = 'https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?prettyPrint=false';
    cdp.bodies.set('r1', body(['a', 'b']));
    cdp.bodies.set('r2', body(['c'], false));
    cdp.emit('Network.responseReceived', { requestId: 'other', response: { url: 'https://www.youtube.com/s/player.js' } });
    cdp.emit('Network.responseReceived', { requestId: 'r1', response: { url: poll } });
    cdp.emit('Network.responseReceived', { requestId: 'r2', response: { url: poll } });
    cdp.emit('Network.loadingFinished', { requestId: 'other' });
    cdp.emit('Network.loadingFinished', { requestId: 'r1' });
    cdp.emit('Network.loadingFinished', { requestId: 'r2' });
    await flush();
    await flush();
    expect(emitted.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(statuses).toEqual([['ended', 'live chat ended']]);
  });

  it('ends the session when the page moves on to another stream', async () => {
    const cdp = new FakeCdp();
    const tap = new NetworkTap({ sessionId: 's', adapter: tiktok, pageUrl: 'https://www.tiktok.com/@seller/live', logger: silentLogger(), network: false });
    const { ctx, statuses } = context();
    await tap.attach(cdp, ctx);
    expect(cdp.sent).not.toContain('Network.enable');
    cdp.emit('Page.frameNavigated', { frame: { id: 'main', url: 'https://www.tiktok.com/@seller/live?lang=en' } });
    cdp.emit('Page.navigatedWithinDocument', { frameId: 'child', url: 'https://www.tiktok.com/@other/live' });
    expect(statuses).toEqual([]);
    cdp.emit('Page.navigatedWithinDocument', { frameId: 'main', url: 'https://www.tiktok.com/@other/live' });
    expect(statuses).toEqual([['ended', 'stream changed to other']]);
  });

  it("feeds the session's merger, which meets its messages with the page's rows: each message once", async () => {
    const cdp = new FakeCdp();
    const tap = new NetworkTap({ sessionId: 's', adapter: kick, pageUrl: 'https://kick.com/popout/a/chat', logger: silentLogger() });
    const delivered: string[] = [];
    const removed: string[] = [];
    const merger = new MessageMerger(
      { messages: (batch) => delivered.push(...batch.map((m) => m.id)), deleted: (ids) => removed.push(...ids), status: () => undefined },
      { reconcile: tap.readsChat },
    );
    await tap.attach(cdp, { emit: (m) => merger.network(m), deleted: (ids) => merger.deleted(ids), status: () => undefined });
    const frame = (event: string, data: unknown) =>
      cdp.emit('Network.webSocketFrameReceived', { requestId: 'ws1', response: { opcode: 1, payloadData: JSON.stringify({ event, data: JSON.stringify(data) }) } });
    frame('App\\Events\\ChatMessageEvent', { id: 'k1', content: 'sold', sender: { id: 3, username: 'Ann' } });
    // The DOM row of the same message (no id: a stream position) is not delivered again.
    merger.rows([{ id: 'p-0', platform: 'kick', author: { name: 'Ann', badges: [] }, text: 'sold', capturedAt: '2026-01-01T00:00:00.000Z', backfill: false }], 'p');
    // A deletion the page shows under the row's position is reported under the id the message went out with.
    merger.deleted(['p-0']);
    frame('App\\Events\\MessageDeletedEvent', { message: { id: 'k1' } });
    expect(delivered).toEqual(['k1']);
    expect(removed).toEqual(['k1']);
    merger.close();
  });

  it('leaves the page traffic alone and gates nothing when network capture is off (NETWORK_CAPTURE=false)', async () => {
    const cdp = new FakeCdp();
    const tap = new NetworkTap({ sessionId: 's', adapter: kick, pageUrl: 'https://kick.com/popout/a/chat', logger: silentLogger(), network: false });
    await tap.attach(cdp, context().ctx);
    expect(cdp.sent).not.toContain('Network.enable');
    expect(tap.readsChat).toBe(false);
  });

  describe('TikTok binary traffic', () => {
    const chat = (msgId: string, content: string, nickname = 'Ann') => ({
      method: 'WebcastChatMessage',
      payload: encodeWebcast('WebcastChatMessage', { common: { msgId, createTime: '1764000000000' }, user: { id: '68001', nickname, uniqueId: 'ann' }, content }),
    });
    const batch = (...messages: Array<{ method: string; payload: Uint8Array }>) => encodeWebcast('WebcastResponse', { messages });
    const frame = (cdp: FakeCdp, bytes: Uint8Array) =>
      cdp.emit('Network.webSocketFrameReceived', { requestId: 'ws1', response: { opcode: 2, payloadData: Buffer.from(bytes).toString('base64') } });
    const push = (payload: Uint8Array) => encodeWebcast('WebcastPushFrame', { seqId: '9', payloadEncoding: 'gzip', payloadType: 'msg', payload: gzipSync(payload) });

    it('decodes binary push frames and the base64 im/fetch body into the merger, each message once; garbled frames are counted', async () => {
      const cdp = new FakeCdp();
      const counted: Array<[string, number]> = [];
      const metrics = { countUndecodedFrames: (platform: string, n: number) => counted.push([platform, n]) };
      const tap = new NetworkTap({ sessionId: 's', adapter: tiktok, pageUrl: 'https://www.tiktok.com/@seller/live', logger: silentLogger(), metrics });
      const delivered: ChatMessage[] = [];
      const removed: string[] = [];
      const merger = new MessageMerger(
        { messages: (b) => delivered.push(...b), deleted: (ids) => removed.push(...ids), status: () => undefined },
        { reconcile: tap.readsChat },
      );
      await tap.attach(cdp, { emit: (m) => merger.network(m), deleted: (ids) => merger.deleted(ids), status: () => undefined });
      expect(tap.readsChat).toBe(true);
      cdp.emit('Network.webSocketCreated', { requestId: 'ws1', url: 'wss://webcast16-ws-useast5.tiktok.com/webcast/im/ws_proxy/ws_reuse_supplement/?room_id=1' });
      // The first batch from im/fetch (binary body, base64 over CDP), then the socket.
      cdp.binaryBodies.set('f1', batch(chat('7300000000000000001', 'first batch')));
      cdp.emit('Network.responseReceived', { requestId: 'f1', response: { url: 'https://webcast.tiktok.com/webcast/im/fetch/?room_id=1' } });
      cdp.emit('Network.loadingFinished', { requestId: 'f1' });
      await flush();
      await flush();
      frame(cdp, push(batch(chat('7300000000000000002', 'sold 2'), chat('7300000000000000003', 'mine'))));
      frame(cdp, Buffer.from('garbage that is not a push frame'));
      frame(cdp, encodeWebcast('WebcastPushFrame', { payloadType: 'msg', payloadEncoding: 'gzip', payload: Buffer.from('not gzip') }));
      // The DOM row of a message the socket delivered (no id: a stream position) is not delivered again.
      merger.rows([{ id: 'p-0', platform: 'tiktok', author: { name: 'Ann', badges: [] }, text: 'sold 2', capturedAt: '2026-01-01T00:00:00.000Z', backfill: false }], 'p');
      frame(cdp, push(batch({ method: 'WebcastImDeleteMessage', payload: encodeWebcast('WebcastImDeleteMessage', { deleteMsgIds: ['7300000000000000003'] }) })));
      expect(delivered.map((m) => [m.id, m.platform, m.author.name, m.author.id, m.text])).toEqual([
        ['7300000000000000001', 'tiktok', 'Ann', '68001', 'first batch'],
        ['7300000000000000002', 'tiktok', 'Ann', '68001', 'sold 2'],
        ['7300000000000000003', 'tiktok', 'Ann', '68001', 'mine'],
      ]);
      expect(removed).toEqual(['7300000000000000003']);
      expect(tap.describe()).toMatchObject({ frames: 4, responses: 1, messages: 3, undecodedFrames: 2, parseErrors: 0 });
      expect(counted).toEqual([['tiktok', 1], ['tiktok', 1]]);
      merger.close();
    });

    it('ignores text frames when the adapter reads binary only, and caps binary frames by size', async () => {
      const cdp = new FakeCdp();
      const tap = new NetworkTap({ sessionId: 's', adapter: tiktok, pageUrl: 'https://www.tiktok.com/@seller/live', logger: silentLogger() });
      const { ctx, emitted } = context();
      await tap.attach(cdp, ctx);
      cdp.emit('Network.webSocketFrameReceived', { requestId: 'ws1', response: { opcode: 2, payloadData: 'A'.repeat(1024 * 1024 + 4) } });
      cdp.emit('Network.webSocketFrameReceived', { requestId: 'ws1', response: { opcode: 1, payloadData: '{"text":"frame"}' } });
      expect(emitted).toEqual([]);
      expect(tap.describe()).toMatchObject({ frames: 0, undecodedFrames: 0 });
    });
  });
});
