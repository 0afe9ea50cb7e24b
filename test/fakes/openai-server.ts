/**
 * A fake OpenAI-compatible API on loopback (port 0) for tests and benchmarks: `POST /v1/chat/completions`
 * and `POST /v1/embeddings`. Each test programs it: queue behaviours for the next calls (an answer, a
 * 429 with retry-after, a 500, a request that hangs until the client gives up, a malformed body), or
 * install a handler that answers from the request. Every request is recorded (method, path, headers,
 * parsed body) so tests can count calls and inspect prompts.
 *
 * Embeddings are deterministic without any model: a hashed bag of words and character trigrams,
 * L2-normalised, so texts sharing words get similar vectors and the same text always gets the same one.
 * Like the real API, `encoding_format: "base64"` (the openai package's default) returns little-endian
 * float32 bytes in base64.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeEndpoint = 'chat' | 'embeddings';

/** One request as the fake saw it. */
export interface FakeRequest {
  endpoint: FakeEndpoint | 'other';
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when the body was not JSON). */
  body: any;
  rawBody: string;
}

/** What the fake does with one request. */
export type FakeBehavior =
  /** Chat: a normal completion whose assistant message has this content. */
  | { type: 'reply'; content: string; finishReason?: string }
  /** Any JSON body with a status (default 200): for hand-made (also schema-violating) envelopes. */
  | { type: 'json'; body: unknown; status?: number; headers?: Record<string, string> }
  /** An error status with OpenAI's error envelope (429 with `headers: {'retry-after': '1'}`, 500...). */
  | { type: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** A raw body, e.g. truncated JSON, with a content type (default application/json). */
  | { type: 'raw'; body: string; status?: number; contentType?: string }
  /** Never answers; the connection stays open until the client aborts or the fake closes. */
  | { type: 'hang' }
  /** Destroys the socket without a response. */
  | { type: 'drop' };

/** A programmable answer: a behaviour, or a string as shorthand for `{type:'reply', content}`. */
export type FakeHandler = (request: FakeRequest) => FakeBehavior | string | Promise<FakeBehavior | string>;

export interface FakeOpenAi {
  /** The origin, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The base URL the openai package wants (`${url}/v1`). */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  chatRequests(): FakeRequest[];
  embeddingRequests(): FakeRequest[];
  /** Behaviours for the next requests to `endpoint`, used once each, in order, before the handler. */
  enqueue(endpoint: FakeEndpoint, ...behaviors: FakeBehavior[]): void;
  /** The answer for chat requests once the queue is empty (default: content "OK"). */
  onChat(handler: FakeHandler): void;
  /** The answer for embedding requests once the queue is empty (default: deterministic vectors). */
  onEmbeddings(handler: FakeHandler): void;
  /** Forgets recorded requests, queued behaviours and handlers. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAiOptions {
  /** Embedding width when the request does not ask for `dimensions` (default 1536, like text-embedding-3-small). */
  dimensions?: number;
}

const DEFAULT_CHAT: FakeHandler = () => 'OK';

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const defaultDimensions = options.dimensions ?? 1536;
  const requests: FakeRequest[] = [];
  const queues: Record<FakeEndpoint, FakeBehavior[]> = { chat: [], embeddings: [] };
  const embeddingsDefault: FakeHandler = (request) => ({
    type: 'json',
    body: embeddingsResponse(request.body, defaultDimensions),
  });
  let chatHandler = DEFAULT_CHAT;
  let embeddingsHandler = embeddingsDefault;
  let counter = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const endpoint: FakeRequest['endpoint'] =
        req.method === 'POST' && /\/chat\/completions$/.test(path)
          ? 'chat'
          : req.method === 'POST' && /\/embeddings$/.test(path)
            ? 'embeddings'
            : 'other';
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: FakeRequest = { endpoint, method: req.method ?? 'GET', path, headers: req.headers, body, rawBody };
      requests.push(recorded);
      if (endpoint === 'other') {
        send(res, { type: 'status', status: 404, message: `no route ${req.method} ${path}` }, recorded, ++counter);
        return;
      }
      const queued = queues[endpoint].shift();
      const handler = endpoint === 'chat' ? chatHandler : embeddingsHandler;
      Promise.resolve(queued ?? handler(recorded))
        .then((behavior) => send(res, typeof behavior === 'string' ? { type: 'reply', content: behavior } : behavior, recorded, ++counter))
        .catch((error: unknown) => send(res, { type: 'status', status: 500, message: String(error) }, recorded, ++counter));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.endpoint === 'chat'),
    embeddingRequests: () => requests.filter((r) => r.endpoint === 'embeddings'),
    enqueue(endpoint, ...behaviors) {
      queues[endpoint].push(...behaviors);
    },
    onChat(handler) {
      chatHandler = handler;
    },
    onEmbeddings(handler) {
      embeddingsHandler = handler;
    },
    reset() {
      requests.length = 0;
      queues.chat.length = 0;
      queues.embeddings.length = 0;
      chatHandler = DEFAULT_CHAT;
      embeddingsHandler = embeddingsDefault;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: http.ServerResponse, behavior: FakeBehavior, request: FakeRequest, n: number): void {
  switch (behavior.type) {
    case 'hang':
      return;
    case 'drop':
      res.socket?.destroy();
      return;
    case 'raw':
      res.writeHead(behavior.status ?? 200, { 'content-type': behavior.contentType ?? 'application/json' });
      res.end(behavior.body);
      return;
    case 'status':
      res.writeHead(behavior.status, { 'content-type': 'application/json', ...behavior.headers });
      res.end(
        JSON.stringify({
          error: { message: behavior.message ?? `fake status ${behavior.status}`, type: 'fake_error', code: String(behavior.status) },
        }),
      );
      return;
    case 'json':
      res.writeHead(behavior.status ?? 200, { 'content-type': 'application/json', ...behavior.headers });
      res.end(JSON.stringify(behavior.body));
      return;
    case 'reply': {
      const model = typeof request.body?.model === 'string' ? request.body.model : 'fake-model';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-fake-${n}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: behavior.content, refusal: null },
              logprobs: null,
              finish_reason: behavior.finishReason ?? 'stop',
            },
          ],
          usage: { prompt_tokens: Math.ceil(request.rawBody.length / 4), completion_tokens: Math.ceil(behavior.content.length / 4), total_tokens: 0 },
        }),
      );
      return;
    }
  }
}

/** The chat messages of a recorded chat request (system, user...), for prompt inspection. */
export function chatMessagesOf(request: FakeRequest): Array<{ role: string; content: string }> {
  const messages = request.body?.messages;
  return Array.isArray(messages) ? messages : [];
}

function embeddingsResponse(body: any, defaultDimensions: number): unknown {
  const inputs: string[] = typeof body?.input === 'string' ? [body.input] : Array.isArray(body?.input) ? body.input.map(String) : [];
  const dimensions = Number.isInteger(body?.dimensions) && body.dimensions > 0 ? body.dimensions : defaultDimensions;
  const base64 = body?.encoding_format === 'base64';
  return {
    object: 'list',
    model: typeof body?.model === 'string' ? body.model : 'fake-embedding',
    data: inputs.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      };
    }),
    usage: { prompt_tokens: inputs.join(' ').length, total_tokens: inputs.join(' ').length },
  };
}

/**
 * The fake's embedding of `text`: each word and each character trigram of each word adds ±1 at a
 * hashed position; the result is L2-normalised. Same text, same vector; shared words, high cosine.
 */
export function fakeEmbedding(text: string, dimensions = 1536): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  const add = (feature: string, weight: number): void => {
    const h = fnv1a(feature);
    vector[h % dimensions]! += h & 0x80000000 ? -weight : weight;
  };
  for (const word of words) {
    add(`w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.3);
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((v) => v / norm);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
