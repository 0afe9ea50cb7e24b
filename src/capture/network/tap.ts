/**
 * The network path of browser capture: reads the chat the page itself receives, through CDP, before the
 * DOM renders it. WebSocket frames (`Network.webSocketFrameReceived`: text, and binary for adapters with a
 * binary parser, like TikTok's protobuf) and the bodies of responses
 * whose URL matches the adapter's `responseUrlPattern` (`Network.loadingFinished` +
 * `Network.getResponseBody`) go through the adapter's parsers; what they yield becomes ChatMessages with
 * the platform's own ids (capture/message.ts). They go to the session's merger (capture/merger.ts), which
 * meets them with the DOM rows, so the two paths never emit one message twice.
 *
 * It also watches the page's main-frame URL: a page that moves on to another stream (TikTok scrolls to
 * the next live) ends the session instead of capturing someone else's chat.
 */
import { LRUCache } from 'lru-cache';
import { platformId } from '../../../supabase/functions/_shared/identity.ts';
import type { ChatMessage } from '../../domain/message.ts';
import { sanitizeText } from '../../domain/message.ts';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { NetworkMetrics } from '../../metrics.ts';
import { buildChatMessage } from '../message.ts';
import type { NetworkChatEvent, NetworkChatMessage, PlatformAdapter } from '../platforms/types.ts';
import type { CdpClient, NetworkContext, NetworkPath } from './path.ts';

export interface NetworkTapOptions {
  sessionId: string;
  adapter: PlatformAdapter;
  /** The page the session opens: its stream identity is the one we watch. */
  pageUrl: string;
  logger: Logger;
  /** Parse the page's chat traffic (NETWORK_CAPTURE). Off: DOM only, navigation still watched. */
  network?: boolean;
  /** Where undecoded frames are counted for /metrics (the session's diagnostics count them too). */
  metrics?: NetworkMetrics;
}

const MAX_FRAME_CHARS = 1024 * 1024;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const MAX_IDS_PER_AUTHOR = 200;
const MAX_AUTHORS = 5_000;

/**
 * One per session (BrowserSource's network path); `attach` runs for every page the session opens (first
 * load, recoveries).
 */
export class NetworkTap implements NetworkPath {
  /** Whether the tap reads chat (so the session's merger must reconcile DOM rows with it); false when it only watches navigation. */
  readonly readsChat: boolean;
  private readonly options: NetworkTapOptions;
  private readonly baseline: string | undefined;
  /** Recent message ids per author id, for bans that remove an author's messages. */
  private readonly byAuthor = new LRUCache<string, string[]>({ max: MAX_AUTHORS });
  /** undecodedFrames: binary frames or events that did not decode (garbled, or TikTok changed its schema). */
  private readonly counts = { frames: 0, responses: 0, messages: 0, parseErrors: 0, undecodedFrames: 0 };

  constructor(options: NetworkTapOptions) {
    this.options = options;
    this.readsChat = this.networkSpec() !== undefined;
    this.baseline = this.identityOf(options.pageUrl);
  }

  /** Frames and bodies read, messages parsed, parse errors, undecoded binary frames (the merger adds how the two paths met). */
  describe(): Record<string, unknown> {
    return { ...this.counts };
  }

  /** Whether this adapter gives the tap anything to do (a network parser or a stream identity). */
  static wanted(adapter: PlatformAdapter): boolean {
    return Boolean(adapter.network || adapter.streamIdentity);
  }

  private networkSpec(): PlatformAdapter['network'] {
    return this.options.network === false ? undefined : this.options.adapter.network;
  }

  /** Subscribes to one page's CDP session (NetworkPath.attach). */
  readonly attach = async (client: CdpClient, context: NetworkContext): Promise<void> => {
    const network = this.networkSpec();
    if (this.options.adapter.streamIdentity) await this.watchNavigation(client, context);
    if (!network) return;
    const sockets = new Map<string, string>();
    const responses = new Map<string, string>();
    // Bodies are fetched asynchronously; a chain keeps their events in the order the responses finished.
    let bodies: Promise<void> = Promise.resolve();

    if (network.parseWebSocketFrame || network.parseBinaryFrame) {
      const { parseWebSocketFrame: parseText, parseBinaryFrame: parseBinary } = network;
      client.on('Network.webSocketCreated', (event: { requestId: string; url: string }) => {
        sockets.set(event.requestId, event.url);
      });
      client.on('Network.webSocketClosed', (event: { requestId: string }) => {
        sockets.delete(event.requestId);
      });
      client.on('Network.webSocketFrameReceived', (event: { requestId: string; response: { opcode: number; payloadData: string } }) => {
        const { opcode, payloadData } = event.response;
        // Binary payloads arrive base64 (4 chars per 3 bytes): the same cap holds for both kinds.
        if (payloadData.length > MAX_FRAME_CHARS) return;
        const url = sockets.get(event.requestId) ?? '';
        if (opcode === 1 && parseText) {
          this.counts.frames++;
          this.handle(context, () => parseText(payloadData, url));
        } else if (opcode === 2 && parseBinary) {
          this.counts.frames++;
          this.handle(context, () => parseBinary(Buffer.from(payloadData, 'base64'), url), true);
        }
      });
    }
    if ((network.parseResponse || network.parseResponseBytes) && network.responseUrlPattern) {
      const { parseResponse, parseResponseBytes } = network;
      const pattern = network.responseUrlPattern;
      client.on('Network.responseReceived', (event: { requestId: string; response: { url: string } }) => {
        if (pattern.test(event.response.url)) responses.set(event.requestId, event.response.url);
      });
      client.on('Network.loadingFailed', (event: { requestId: string }) => {
        responses.delete(event.requestId);
      });
      client.on('Network.loadingFinished', (event: { requestId: string }) => {
        const url = responses.get(event.requestId);
        if (url === undefined) return;
        responses.delete(event.requestId);
        const body = client.send('Network.getResponseBody', { requestId: event.requestId }).then(
          (r: { body: string; base64Encoded: boolean }) => (r.base64Encoded ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8')),
          () => undefined, // the page navigated away or the body was evicted: the DOM path still has it
        );
        bodies = bodies.then(async () => {
          const bytes = await body;
          if (bytes === undefined || bytes.length > MAX_BODY_BYTES) return;
          this.counts.responses++;
          if (parseResponseBytes) this.handle(context, () => parseResponseBytes(bytes, url), true);
          else if (parseResponse) this.handle(context, () => parseResponse(bytes.toString('utf8'), url));
        });
      });
    }
    // Chromium keeps copies of response bodies for getResponseBody. Socket-only platforms need none (and a
    // long-lived stream would otherwise pin megabytes per page); response readers need the matching ones.
    const buffers = network.parseResponse || network.parseResponseBytes
      ? { maxTotalBufferSize: 4 * MAX_BODY_BYTES, maxResourceBufferSize: MAX_BODY_BYTES }
      : { maxTotalBufferSize: 0, maxResourceBufferSize: 0 };
    await client.send('Network.enable', buffers);
  };

  /**
   * Runs a parser and applies its events; a parser that throws on a strange frame costs that frame only.
   * A binary parser that throws is counted as an undecoded frame, like one that says so.
   */
  private handle(context: NetworkContext, parse: () => NetworkChatEvent[], binary = false): void {
    let events: NetworkChatEvent[];
    try {
      events = parse();
    } catch (error) {
      if (binary) this.countUndecoded(1);
      else this.counts.parseErrors++;
      this.options.logger.debug({ sessionId: this.options.sessionId, err: describeError(error) }, 'network frame not parsed');
      return;
    }
    if (events.length === 0) return;
    const capturedAt = new Date().toISOString();
    const messages: ChatMessage[] = [];
    const deleted: string[] = [];
    let ended: string | undefined;
    let show: string | undefined;
    let undecoded = 0;
    for (const event of events) {
      switch (event.type) {
        case 'message': {
          const message = this.toChatMessage(event.message, capturedAt);
          if (message) messages.push(message);
          break;
        }
        case 'deleted': {
          const id = platformId(event.messageId);
          if (id) deleted.push(id);
          break;
        }
        case 'author_removed':
          // peek: a ban is not activity, it must not keep the author's ids from ageing out.
          deleted.push(...(this.byAuthor.peek(platformId(event.authorId)) ?? []));
          break;
        case 'ended':
          ended = event.detail ?? 'stream ended';
          break;
        case 'show':
          show = platformId(event.showId);
          break;
        case 'undecoded':
          undecoded++;
          break;
      }
    }
    if (undecoded > 0) this.countUndecoded(undecoded);
    if (show) context.show?.(show);
    if (messages.length > 0) {
      this.counts.messages += messages.length;
      context.emit(messages);
    }
    if (deleted.length > 0) context.deleted(deleted);
    if (ended !== undefined) context.status('ended', sanitizeText(ended, 200));
  }

  private countUndecoded(count: number): void {
    this.counts.undecodedFrames += count;
    this.options.metrics?.countUndecodedFrames(this.options.adapter.platform, count);
  }

  /** The parsed message as a ChatMessage (capture/message.ts); undefined when it has no id or nothing to show. */
  private toChatMessage(raw: NetworkChatMessage, capturedAt: string): ChatMessage | undefined {
    const message = buildChatMessage(
      {
        platform: this.options.adapter.platform,
        id: raw.id,
        author: raw.author ?? {},
        text: raw.text,
        sentAt: raw.sentAt,
        capturedAt,
        backfill: raw.backfill,
        kind: raw.kind,
        paid: raw.paid,
      },
      { requireContent: true },
    );
    if (message?.author.id) this.rememberAuthor(message.author.id, message.id);
    return message;
  }

  private rememberAuthor(authorId: string, messageId: string): void {
    const ids = this.byAuthor.get(authorId) ?? [];
    ids.push(messageId);
    if (ids.length > MAX_IDS_PER_AUTHOR) ids.shift();
    // Set on every message, so the least recently active author is the one forgotten.
    this.byAuthor.set(authorId, ids);
  }

  private identityOf(raw: string): string | undefined {
    try {
      return this.options.adapter.streamIdentity?.(new URL(raw));
    } catch {
      return undefined;
    }
  }

  /** Ends the session when the main frame moves on to another stream (a navigation or a history change). */
  private async watchNavigation(client: CdpClient, context: NetworkContext): Promise<void> {
    if (this.baseline === undefined) return;
    let mainFrameId: string | undefined;
    try {
      const tree = (await client.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
      mainFrameId = tree.frameTree.frame.id;
    } catch {
      // without the id, full navigations are still seen (they carry no parentId)
    }
    const check = (url: string): void => {
      if (!/^https?:/i.test(url)) return;
      const identity = this.identityOf(url);
      if (identity === this.baseline) return;
      this.options.logger.info({ sessionId: this.options.sessionId, url }, 'page moved on to another stream');
      context.status('ended', `stream changed to ${identity ?? 'another page'}`);
    };
    client.on('Page.frameNavigated', (event: { frame: { id: string; parentId?: string; url: string } }) => {
      if (!event.frame.parentId) check(event.frame.url);
    });
    client.on('Page.navigatedWithinDocument', (event: { frameId: string; url: string }) => {
      if (mainFrameId === undefined || event.frameId === mainFrameId) check(event.url);
    });
  }
}
