/**
 * A fake YouTube Data API v3 on loopback (port 0) that tests script: videos.list, liveChatMessages.list
 * with page tokens, changing pollingIntervalMillis, offlineAt, every error reason in Google's envelope,
 * the server-streaming endpoint (with connections it can drop mid-stream), liveChatMessages.insert
 * recording what was sent, and an OAuth token endpoint for refresh-token grants.
 *
 * Page tokens are positions in the chat's log (`p<N>`), so a test can check that every message was
 * delivered once whatever the paging.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveChatMessageResource } from '../../src/capture/youtube-api/youtube.external.ts';

export type FakeRoute = 'videos' | 'list' | 'stream' | 'insert' | 'token';

/** A scripted failure: Google's error envelope with a reason, or a dropped socket. */
export type FakeFailure = { status: number; reason: string; domain?: string; message?: string } | 'network';

export interface RecordedRequest {
  route: FakeRoute | 'unknown';
  method: string;
  query: Record<string, string>;
  /** How the call authenticated. */
  auth: 'key' | 'bearer' | 'none';
  pageToken?: string;
}

export interface InsertedMessage {
  liveChatId: string;
  text: string;
  body: unknown;
  accessToken?: string;
}

export interface FakeChatOptions {
  pollingIntervalMillis?: number;
  /** Items per page (list) or per pushed object (stream). */
  pageSize?: number;
}

/** One live chat: a log of items, read by page tokens. */
export class FakeChat {
  readonly id: string;
  readonly log: LiveChatMessageResource[] = [];
  pollingIntervalMillis: number;
  pageSize: number;
  /** Set to mark the stream offline: every answer carries it. */
  offlineAt?: string;
  /** A persistent condition answered to every call on this chat (liveChatEnded, liveChatDisabled...). */
  condition?: { status: number; reason: string };
  /** Open streaming responses. */
  readonly streams = new Set<StreamConnection>();

  constructor(id: string, options: FakeChatOptions = {}) {
    this.id = id;
    this.pollingIntervalMillis = options.pollingIntervalMillis ?? 2_000;
    this.pageSize = options.pageSize ?? 500;
  }

  /** Appends items; open streams receive them at once. */
  post(...items: LiveChatMessageResource[]): void {
    this.log.push(...items);
    for (const stream of this.streams) stream.flush();
  }

  /** The page that starts at `token` (undefined = the start: the whole recent log, like the real API). */
  page(token: string | undefined): { items: LiveChatMessageResource[]; nextPageToken: string } {
    const from = token === undefined ? 0 : Number(/^p(\d+)$/.exec(token)?.[1] ?? NaN);
    const start = Number.isFinite(from) ? Math.min(from, this.log.length) : 0;
    const items = this.log.slice(start, start + this.pageSize);
    return { items, nextPageToken: `p${start + items.length}` };
  }

  /** Cuts every open stream mid-response (the socket is destroyed, no clean end). */
  dropStreams(): void {
    for (const stream of this.streams) stream.drop();
  }

  /** Ends every open stream cleanly (the response finishes). */
  endStreams(): void {
    for (const stream of this.streams) stream.end();
  }
}

class StreamConnection {
  private position: number;
  private objects = 0;
  private closed = false;
  private first = true;

  constructor(
    private readonly chat: FakeChat,
    private readonly res: http.ServerResponse,
    token: string | undefined,
    private readonly dropAfterObjects: number | undefined,
  ) {
    this.position = token === undefined ? 0 : Number(/^p(\d+)$/.exec(token)?.[1] ?? 0);
    chat.streams.add(this);
    res.on('close', () => {
      this.closed = true;
      chat.streams.delete(this);
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    // Google's REST streaming: one JSON array that grows; each element a page.
    res.write('[');
    this.flush(true);
  }

  flush(initial = false): void {
    if (this.closed) return;
    let sent = false;
    while (this.position < this.chat.log.length || (initial && !sent)) {
      const page = this.chat.page(`p${this.position}`);
      this.position += page.items.length;
      const body = {
        kind: 'youtube#liveChatMessageListResponse',
        nextPageToken: page.nextPageToken,
        items: page.items,
        ...(this.chat.offlineAt ? { offlineAt: this.chat.offlineAt } : {}),
      };
      const chunk = `${this.first ? '' : ',\n'}${JSON.stringify(body)}\n`;
      this.first = false;
      sent = true;
      this.objects++;
      if (this.dropAfterObjects !== undefined && this.objects >= this.dropAfterObjects) {
        // Cut the connection right after this object reached the socket: a drop mid-stream.
        this.closed = true;
        this.chat.streams.delete(this);
        this.res.write(chunk, () => this.res.socket?.destroy());
        return;
      }
      this.res.write(chunk);
      if (page.items.length === 0) break;
    }
  }

  drop(): void {
    if (this.closed) return;
    this.closed = true;
    this.chat.streams.delete(this);
    this.res.socket?.destroy();
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.chat.streams.delete(this);
    this.res.end(']');
  }
}

export interface FakeYouTubeApiOptions {
  apiKey?: string;
  oauth?: { clientId: string; clientSecret: string; refreshToken: string; expiresInSec?: number };
}

export interface FakeYouTubeApi {
  /** Use as YOUTUBE_API_BASE_URL. */
  baseUrl: string;
  /** Use as YOUTUBE_OAUTH_TOKEN_URL. */
  tokenUrl: string;
  requests: RecordedRequest[];
  inserted: InsertedMessage[];
  /** Access tokens handed out by the token endpoint, in order. */
  issuedTokens: string[];
  /** Registers a video; with a chat id it is live. */
  video(videoId: string, details?: { liveChatId?: string; actualEndTime?: string }): void;
  /** The chat behind a live chat id (created on first use). */
  chat(liveChatId: string, options?: FakeChatOptions): FakeChat;
  /** The next `times` calls to `route` fail this way. */
  failNext(route: FakeRoute, failure: FakeFailure, times?: number): void;
  /** When false the streaming route answers `status` (404 by default) as if it did not exist. */
  streaming: { available: boolean; status: number; dropAfterObjects?: number };
  /** Calls of one route. */
  calls(route: FakeRoute): RecordedRequest[];
  /** Revokes every issued access token (the next bearer call gets 401). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const BASE_PATH = '/youtube/v3';

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeYouTubeApi(options: FakeYouTubeApiOptions = {}): Promise<FakeYouTubeApi> {
  const videos = new Map<string, { liveChatId?: string; actualEndTime?: string }>();
  const chats = new Map<string, FakeChat>();
  const failures = new Map<FakeRoute, FakeFailure[]>();
  const requests: RecordedRequest[] = [];
  const inserted: InsertedMessage[] = [];
  const issuedTokens: string[] = [];
  const validTokens = new Set<string>();
  const streaming = { available: true, status: 404, dropAfterObjects: undefined as number | undefined };

  const chat = (liveChatId: string, chatOptions?: FakeChatOptions): FakeChat => {
    let c = chats.get(liveChatId);
    if (!c) {
      c = new FakeChat(liveChatId, chatOptions);
      chats.set(liveChatId, c);
    }
    return c;
  };

  const sendError = (res: http.ServerResponse, status: number, reason: string, domain = 'youtube.liveChat', message = reason): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: status, message, errors: [{ reason, domain, message }] } }));
  };

  /** Applies a scripted failure; returns true when the request was answered with it. */
  const scripted = (route: FakeRoute, res: http.ServerResponse): boolean => {
    const queue = failures.get(route);
    const failure = queue?.shift();
    if (!failure) return false;
    if (failure === 'network') res.socket?.destroy();
    else sendError(res, failure.status, failure.reason, failure.domain ?? (failure.reason === 'quotaExceeded' ? 'youtube.quota' : 'youtube.liveChat'), failure.message);
    return true;
  };

  /** The chat a call names, or undefined after answering its error (unknown chat, scripted condition). */
  const liveChat = (liveChatId: string | undefined, res: http.ServerResponse): FakeChat | undefined => {
    const c = liveChatId ? chats.get(liveChatId) : undefined;
    if (!c) sendError(res, 404, 'liveChatNotFound');
    else if (c.condition) sendError(res, c.condition.status, c.condition.reason);
    else return c;
    return undefined;
  };

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (data += chunk));
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const query = Object.fromEntries(url.searchParams);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      // API keys come as ?key= or in the x-goog-api-key header (what Earshot sends).
      const headerKey = req.headers['x-goog-api-key'];
      const key = typeof headerKey === 'string' ? headerKey : query.key;
      const auth: RecordedRequest['auth'] = bearer ? 'bearer' : key ? 'key' : 'none';
      const path = url.pathname;
      const route: RecordedRequest['route'] =
        path === '/token'
          ? 'token'
          : path === `${BASE_PATH}/videos`
            ? 'videos'
            : path === `${BASE_PATH}/liveChat/messages/stream`
              ? 'stream'
              : path === `${BASE_PATH}/liveChat/messages`
                ? req.method === 'POST'
                  ? 'insert'
                  : 'list'
                : 'unknown';
      requests.push({ route, method: req.method ?? 'GET', query, auth, ...(query.pageToken ? { pageToken: query.pageToken } : {}) });

      if (route === 'token') {
        if (scripted('token', res)) return;
        const form = new URLSearchParams(await readBody(req));
        const o = options.oauth;
        if (!o || form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== o.refreshToken || form.get('client_id') !== o.clientId || form.get('client_secret') !== o.clientSecret) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Bad Request' }));
          return;
        }
        const token = `at-${issuedTokens.length + 1}`;
        issuedTokens.push(token);
        validTokens.add(token);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: token, expires_in: o.expiresInSec ?? 3599, token_type: 'Bearer' }));
        return;
      }
      if (route === 'unknown') {
        sendError(res, 404, 'notFound', 'global', 'Not Found');
        return;
      }
      // Authentication as Google does it: a wrong key is 400 keyInvalid, a bad token 401.
      if (bearer) {
        if (!validTokens.has(bearer)) {
          sendError(res, 401, 'authError', 'global', 'Invalid Credentials');
          return;
        }
      } else if (!options.apiKey || key !== options.apiKey) {
        sendError(res, key ? 400 : 403, key ? 'keyInvalid' : 'forbidden', 'usageLimits', 'API key not valid');
        return;
      }
      if (route === 'stream' && !streaming.available) {
        if (streaming.status === 404) sendError(res, 404, 'notFound', 'global', 'Not Found');
        else sendError(res, streaming.status, 'notImplemented', 'global', 'Not Implemented');
        return;
      }
      if (scripted(route, res)) return;

      if (route === 'videos') {
        const id = query.id ?? '';
        const video = videos.get(id);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'youtube#videoListResponse',
            items: video
              ? [
                  {
                    kind: 'youtube#video',
                    id,
                    liveStreamingDetails: {
                      actualStartTime: '2026-01-01T00:00:00Z',
                      ...(video.liveChatId ? { activeLiveChatId: video.liveChatId } : {}),
                      ...(video.actualEndTime ? { actualEndTime: video.actualEndTime } : {}),
                    },
                  },
                ]
              : [],
          }),
        );
        return;
      }

      const liveChatId = route === 'insert' ? undefined : query.liveChatId;
      if (route === 'insert') {
        const raw = await readBody(req);
        let body: any;
        try {
          body = JSON.parse(raw);
        } catch {
          sendError(res, 400, 'parseError', 'global', 'Parse Error');
          return;
        }
        const target = body?.snippet?.liveChatId;
        if (!liveChat(typeof target === 'string' ? target : undefined, res)) return;
        const text = String(body?.snippet?.textMessageDetails?.messageText ?? '');
        inserted.push({ liveChatId: target as string, text, body, accessToken: bearer });
        const id = `inserted-${inserted.length}`;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'youtube#liveChatMessage', id, snippet: body.snippet }));
        return;
      }

      const c = liveChat(liveChatId, res);
      if (!c) return;
      if (route === 'stream') {
        new StreamConnection(c, res, query.pageToken, streaming.dropAfterObjects);
        return;
      }
      const page = c.page(query.pageToken);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'youtube#liveChatMessageListResponse',
          pollingIntervalMillis: c.pollingIntervalMillis,
          nextPageToken: page.nextPageToken,
          pageInfo: { totalResults: page.items.length, resultsPerPage: c.pageSize },
          items: page.items,
          ...(c.offlineAt ? { offlineAt: c.offlineAt } : {}),
        }),
      );
    })().catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'backendError', 'global', String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}${BASE_PATH}`,
    tokenUrl: `${origin}/token`,
    requests,
    inserted,
    issuedTokens,
    video(videoId, details = {}) {
      videos.set(videoId, details);
    },
    chat,
    failNext(route, failure, times = 1) {
      const queue = failures.get(route) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(route, queue);
    },
    streaming,
    calls: (route) => requests.filter((r) => r.route === route),
    revokeTokens: () => validTokens.clear(),
    async close() {
      for (const c of chats.values()) c.dropStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let itemCounter = 0;

/** Builders for chat items as the API sends them. */
export const yt = {
  text(text: string, author: Partial<AuthorSpec> = {}, id = `msg-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'textMessageEvent', author, { displayMessage: text, textMessageDetails: { messageText: text } });
  },
  superChat(comment: string, amountMicros: string, currency: string, display: string, author: Partial<AuthorSpec> = {}, id = `sc-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'superChatEvent', author, {
      displayMessage: `${display} from ${author.name ?? 'viewer'}: "${comment}"`,
      superChatDetails: { amountMicros, currency, amountDisplayString: display, userComment: comment, tier: 2 },
    });
  },
  superSticker(altText: string, amountMicros: string, currency: string, display: string, author: Partial<AuthorSpec> = {}, id = `ss-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'superStickerEvent', author, {
      displayMessage: `Super Sticker ${display} from ${author.name ?? 'viewer'}`,
      superStickerDetails: { superStickerMetadata: { stickerId: 'st1', altText, language: 'en' }, amountMicros, currency, amountDisplayString: display, tier: 1 },
    });
  },
  newSponsor(levelName: string, author: Partial<AuthorSpec> = {}, id = `ns-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'newSponsorEvent', author, {
      displayMessage: `Welcome to ${levelName}!`,
      newSponsorDetails: { memberLevelName: levelName, isUpgrade: false },
    });
  },
  milestone(comment: string, months: number, author: Partial<AuthorSpec> = {}, id = `mm-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'memberMilestoneChatEvent', author, {
      displayMessage: comment,
      memberMilestoneChatDetails: { userComment: comment, memberMonth: months, memberLevelName: 'Member' },
    });
  },
  deleted(deletedMessageId: string, id = `del-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'messageDeletedEvent', { name: 'moderator', moderator: true }, { messageDeletedDetails: { deletedMessageId } });
  },
  banned(name: string, id = `ban-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'userBannedEvent', { name: 'moderator', moderator: true }, {
      userBannedDetails: { bannedUserDetails: { channelId: `UC-${name}`, displayName: name }, banType: 'permanent' },
    });
  },
  chatEnded(id = `end-${++itemCounter}`): LiveChatMessageResource {
    return item(id, 'chatEndedEvent', { name: 'YouTube' }, { hasDisplayContent: false });
  },
};

export interface AuthorSpec {
  name: string;
  channelId: string;
  owner: boolean;
  moderator: boolean;
  member: boolean;
  verified: boolean;
}

function item(id: string, type: string, author: Partial<AuthorSpec>, snippet: Record<string, unknown>): LiveChatMessageResource {
  const name = author.name ?? 'viewer';
  const channelId = author.channelId ?? `UC-${name}`;
  return {
    id,
    snippet: { type, liveChatId: 'chat', authorChannelId: channelId, publishedAt: '2026-01-01T12:00:00.000Z', hasDisplayContent: true, ...snippet },
    authorDetails: {
      channelId,
      channelUrl: `https://www.youtube.com/channel/${channelId}`,
      displayName: name,
      isVerified: author.verified ?? false,
      isChatOwner: author.owner ?? false,
      isChatSponsor: author.member ?? false,
      isChatModerator: author.moderator ?? false,
    },
  };
}
